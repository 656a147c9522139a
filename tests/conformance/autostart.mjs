// SPDX-License-Identifier: GPL-2.0-or-later
// `tracedesk --mcp-stdio` with no instance running starts one (headless here: no display),
// serves the inspector through it, and the started instance keeps running afterwards until it
// is stopped. A piped client that closes stdin right after its requests still gets every answer.
//   node autostart.mjs TRACEDESK INSPECTOR_MJS WORKDIR
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const [tracedesk, inspector, work] = process.argv.slice(2);
rmSync(work, { recursive: true, force: true });
const run = join(work, 'run');
mkdirSync(run, { recursive: true });
chmodSync(run, 0o700);
const socket = join(run, 'autostart.sock');
const env = {
    ...process.env,
    XDG_RUNTIME_DIR: run,
    XDG_CONFIG_HOME: join(work, 'config'),
    XDG_STATE_HOME: join(work, 'state'),
    XDG_CACHE_HOME: process.env.TRACEDESK_TEST_CACHE || join(work, 'cache'),
};
for (const v of ['DISPLAY', 'WAYLAND_DISPLAY', 'QT_QPA_PLATFORM']) delete env[v];

function fail(message) {
    process.stderr.write(`autostart: ${message}\n`);
    stopInstance();
    process.exit(1);
}

// The started instance is found by its unique --socket argument, and only that process is signalled.
function instancePids() {
    const pids = [];
    for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        let cmdline;
        try { cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0'); } catch { continue; }
        if (cmdline.includes('--headless') && cmdline.includes(socket)) pids.push(Number(entry));
    }
    return pids;
}
function stopInstance() {
    for (const pid of instancePids()) {
        try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
    }
}

const started = Date.now();
const first = spawnSync(process.execPath, [inspector, tracedesk, '--method', 'tools/list', '--', '--mcp-stdio',
    '--socket', socket, '--no-http'], { env, encoding: 'utf8', timeout: 60000 });
process.stdout.write(first.stdout ?? '');
process.stderr.write(first.stderr ?? '');
if (first.status !== 0 || !first.stdout.includes('"name": "list_probes"'))
    fail(`the inspector through a bridge that had to start the instance failed (exit ${first.status})`);
const pids = instancePids();
if (pids.length !== 1) fail(`expected one started headless instance, found ${pids.length}`);
if (!existsSync(socket)) fail('the started instance does not serve the socket');
process.stdout.write(`started instance pid ${pids[0]} and answered in ${Date.now() - started} ms\n`);

// A second bridge reuses the running instance instead of starting another.
const second = spawnSync(process.execPath, [inspector, tracedesk, '--method', 'tools/list', '--', '--mcp-stdio',
    '--socket', socket, '--no-http'], { env, encoding: 'utf8', timeout: 60000 });
if (second.status !== 0) fail('second bridge failed');
if (instancePids().length !== 1) fail('the second bridge started another instance');

// A piped client writes its requests and closes stdin at once; every answer still arrives.
const lines = [
    { jsonrpc: '2.0', id: 1, method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'pipe', version: '1' } } },
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { jsonrpc: '2.0', id: 2, method: 'tools/list' },
    { jsonrpc: '2.0', id: 3, method: 'resources/read', params: { uri: 'tracedesk://nothing-here' } },
].map((m) => JSON.stringify(m) + '\n').join('');
const piped = spawnSync(tracedesk, ['--mcp-stdio', '--socket', socket, '--no-http'],
    { env, input: lines, encoding: 'utf8', timeout: 30000 });
const answers = (piped.stdout ?? '').split('\n').filter((l) => l).map((l) => JSON.parse(l));
const byId = new Map(answers.filter((a) => 'id' in a).map((a) => [a.id, a]));
if (piped.status !== 0) fail(`piped bridge exited ${piped.status}: ${piped.stderr}`);
if (!byId.get(1)?.result?.serverInfo) fail('piped bridge: no initialize result');
if (!byId.get(2)?.result?.tools?.some((t) => t.name === 'list_probes')) fail('piped bridge: no tools/list result');
if (!byId.get(3)?.error) fail('piped bridge: no error for the unknown resource');
process.stdout.write(`piped bridge: ${answers.length} answers after stdin closed, exit 0\n`);

stopInstance();
const deadline = Date.now() + 15000;
while (existsSync(socket) && Date.now() < deadline) spawnSync('sleep', ['0.1']);
if (existsSync(socket)) fail('the socket is still there after SIGTERM');
process.stdout.write('stopped with SIGTERM; socket removed\n');
