// SPDX-License-Identifier: GPL-2.0-or-later
// Starts `tracedesk --headless` with isolated XDG directories, waits until it listens, runs one
// peer command against it and always stops the server afterwards.
//
//   node withserver.mjs --tracedesk PATH --workdir DIR [--server-arg=ARG]... [--timeout S] [--expect-stdout TEXT]...
//                       [--expect-json-path JSPATH=VALUE]... -- COMMAND ARGS...
//
// In COMMAND and ARGS these are replaced: {URL} (the HTTP endpoint), {TOKEN} (the bearer token),
// {SOCKET} (the local socket), {TRACEDESK} (the binary), {NODE} (this node), {HERE} (this directory).
// The same variables are exported as TRACEDESK_URL, TRACEDESK_TOKEN, TRACEDESK_SOCKET, TRACEDESK_BIN
// and TRACEDESK_PID (the server's process, for benchmarks that read its CPU time), together with
// the isolated XDG_* directories, so the command and anything it spawns (the stdio bridge) reach
// this server.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function parse(argv) {
    const o = { serverArgs: [], expectStdout: [], timeout: 120, command: [] };
    for (let i = 0; i < argv.length; ++i) {
        const a = argv[i];
        if (a === '--') { o.command = argv.slice(i + 1); break; }
        const next = () => { if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
        if (a === '--tracedesk') o.tracedesk = next();
        else if (a === '--workdir') o.workdir = next();
        else if (a === '--server-arg') o.serverArgs.push(next());
        else if (a.startsWith('--server-arg=')) o.serverArgs.push(a.slice('--server-arg='.length));
        else if (a === '--timeout') o.timeout = Number(next());
        else if (a === '--expect-stdout') o.expectStdout.push(next());
        else throw new Error(`unknown option ${a}`);
    }
    if (!o.tracedesk || !o.workdir || o.command.length === 0)
        throw new Error('usage: withserver.mjs --tracedesk PATH --workdir DIR [...] -- COMMAND ARGS...');
    return o;
}

function log(message) { process.stderr.write(`[withserver] ${message}\n`); }

const opts = parse(process.argv.slice(2));
const work = opts.workdir;
rmSync(work, { recursive: true, force: true });
const dirs = {
    // Short: a unix socket path must fit in 108 bytes, which a deep build directory would not.
    XDG_RUNTIME_DIR: mkdtempSync(join(tmpdir(), 'td-run-')),
    XDG_CONFIG_HOME: join(work, 'config'),
    XDG_STATE_HOME: join(work, 'state'),
    // The probe catalog cache may be shared between tests: it only speeds up the start.
    XDG_CACHE_HOME: process.env.TRACEDESK_TEST_CACHE || join(work, 'cache'),
};
for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
chmodSync(dirs.XDG_RUNTIME_DIR, 0o700);

const env = { ...process.env, ...dirs };
for (const v of ['DISPLAY', 'WAYLAND_DISPLAY', 'QT_QPA_PLATFORM']) delete env[v];

const server = spawn(opts.tracedesk, ['--headless', ...opts.serverArgs], {
    env, stdio: ['ignore', 'pipe', 'pipe'],
});
let serverOut = '';
let serverErr = '';
server.stdout.on('data', (d) => { serverOut += d; });
server.stderr.on('data', (d) => { serverErr += d; });
let serverExited = false;
server.on('exit', () => { serverExited = true; });

let child = null;
let finished = false;
async function stopServer() {
    if (serverExited) return;
    server.kill('SIGTERM');
    const deadline = Date.now() + 15000;
    while (!serverExited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (!serverExited) { log('server ignored SIGTERM; killing it'); server.kill('SIGKILL'); }
}
async function finish(code, message) {
    if (finished) return;
    finished = true;
    if (message) log(message);
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await stopServer();
    rmSync(dirs.XDG_RUNTIME_DIR, { recursive: true, force: true });
    if (code !== 0) {
        log('--- server stdout ---\n' + serverOut);
        log('--- server stderr (last 4000 chars) ---\n' + serverErr.slice(-4000));
    }
    process.exit(code);
}
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => finish(1, `got ${s}`));
const overall = setTimeout(() => finish(1, `timed out after ${opts.timeout} s`), opts.timeout * 1000);
overall.unref();

// Wait for the start-up lines: the socket always, the HTTP URL when HTTP is on.
const startDeadline = Date.now() + 30000;
let url = '';
let socketPath = '';
while (Date.now() < startDeadline) {
    const socketLine = serverOut.match(/^socket: (.+)$/m);
    const httpLine = serverOut.match(/^http: (\S+)/m);
    if (socketLine && httpLine) {
        socketPath = socketLine[1].trim();
        url = httpLine[1] === 'off' ? '' : httpLine[1];
        break;
    }
    if (serverExited) await finish(1, `tracedesk --headless exited during start (code ${server.exitCode})`);
    await new Promise((r) => setTimeout(r, 50));
}
if (!socketPath) await finish(1, 'tracedesk --headless did not print its endpoint within 30 s');
if (!existsSync(socketPath)) await finish(1, `socket ${socketPath} does not exist`);

let token = '';
const tokenFile = join(dirs.XDG_CONFIG_HOME, 'tracedesk', 'http-token');
if (existsSync(tokenFile)) token = readFileSync(tokenFile, 'utf8').trim();
log(`server up: ${url || 'no http'} socket ${socketPath}`);

const vars = { URL: url, TOKEN: token, SOCKET: socketPath, TRACEDESK: opts.tracedesk, NODE: process.execPath, HERE: here };
const subst = (s) => s.replace(/\{(URL|TOKEN|SOCKET|TRACEDESK|NODE|HERE)\}/g, (_, k) => vars[k]);
const [cmd, ...args] = opts.command.map(subst);
const childEnv = {
    ...env,
    TRACEDESK_URL: url,
    TRACEDESK_TOKEN: token,
    TRACEDESK_SOCKET: socketPath,
    TRACEDESK_BIN: opts.tracedesk,
    TRACEDESK_PID: String(server.pid),
    // Scripts that spawn `tracedesk --mcp-stdio` find this instance through XDG_RUNTIME_DIR.
};
let childOut = '';
child = spawn(cmd, args, { env: childEnv, stdio: ['ignore', 'pipe', 'inherit'] });
child.stdout.on('data', (d) => { childOut += d; process.stdout.write(d); });
child.on('error', (e) => finish(1, `cannot start ${cmd}: ${e.message}`));
child.on('exit', async (code, signal) => {
    if (code !== 0) return finish(1, `${cmd} exited with ${signal ?? code}`);
    for (const text of opts.expectStdout) {
        if (!childOut.includes(text)) return finish(1, `expected "${text}" in the output of ${cmd}`);
    }
    if (serverExited) return finish(1, 'the server died during the test');
    await finish(0);
});
