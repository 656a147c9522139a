// SPDX-License-Identifier: GPL-2.0-or-later
// Starts `tracedesk --headless` in throw-away directories, waits until it serves, runs
// investigation.mjs against it over HTTP (with the bearer token) or through the stdio bridge,
// then stops the server:
//   node run-with-server.mjs --tracedesk PATH --transport http|stdio [--policy allow-all|deny]
//                            [--expect-denied]
// Exits 77 (CTest's skip code) when the npm peers are not installed.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const here = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
    const options = { transport: 'http', policy: 'allow-all', expectDenied: false, forward: [] };
    for (let i = 0; i < argv.length; ++i) {
        const arg = argv[i];
        if (arg === '--tracedesk') options.tracedesk = argv[++i];
        else if (arg === '--transport') options.transport = argv[++i];
        else if (arg === '--policy') options.policy = argv[++i];
        else if (arg === '--expect-denied') options.expectDenied = true;
        else throw new Error(`unknown argument ${arg}`);
    }
    if (!options.tracedesk || !['http', 'stdio'].includes(options.transport))
        throw new Error('usage: run-with-server.mjs --tracedesk PATH --transport http|stdio [--policy P] [--expect-denied]');
    return options;
}

function run(command, args, env) {
    return new Promise((resolve) => {
        const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env });
        child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
        child.on('error', (error) => {
            console.error(`run-with-server: ${error.message}`);
            resolve(1);
        });
    });
}

async function main() {
    const options = parseArgs(process.argv.slice(2));
    if (!existsSync(join(here, 'node_modules', '@modelcontextprotocol', 'sdk', 'package.json'))) {
        console.log('SKIP: @modelcontextprotocol/sdk is not installed (npm ci in tests/conformance)');
        process.exit(77);
    }
    if (!existsSync(options.tracedesk)) {
        console.error(`run-with-server: no tracedesk at ${options.tracedesk}`);
        process.exit(1);
    }

    // Everything the server writes (socket, token, history, cache) stays in one temporary tree.
    const root = mkdtempSync(join(tmpdir(), 'tracedesk-investigation-'));
    const dirs = {};
    for (const name of ['run', 'state', 'config', 'cache']) {
        dirs[name] = join(root, name);
        mkdirSync(dirs[name], { recursive: true });
    }
    chmodSync(dirs.run, 0o700);
    const socketPath = join(dirs.run, 'mcp.sock');
    const env = {
        ...process.env,
        XDG_RUNTIME_DIR: dirs.run,
        XDG_STATE_HOME: dirs.state,
        XDG_CONFIG_HOME: dirs.config,
        XDG_CACHE_HOME: dirs.cache,
    };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    delete env.QT_QPA_PLATFORM;

    const serverArgs = ['--headless', '--approval-policy', options.policy, '--http-port', '0', '--print-token',
        '--state-dir', join(dirs.state, 'tracedesk'), '--socket', socketPath];
    const server = spawn(options.tracedesk, serverArgs, { stdio: ['ignore', 'pipe', 'inherit'], env });
    let exited = false;
    server.on('exit', () => {
        exited = true;
    });

    const endpoint = await new Promise((resolve) => {
        const found = {};
        const timer = setTimeout(() => resolve(null), 20000);
        createInterface({ input: server.stdout }).on('line', (line) => {
            console.log(`[tracedesk] ${line}`);
            const http = /^http: (\S+)(?: \(header: Authorization: Bearer (\S+)\))?/.exec(line);
            if (http) {
                found.url = http[1];
                found.token = http[2];
            }
            if (line.startsWith('socket: '))
                found.socket = line.slice('socket: '.length).trim();
            // The server prints its endpoints, then how to stop it: that line means it serves.
            if (line.startsWith('stop with')) {
                clearTimeout(timer);
                resolve(found);
            }
        });
        server.on('exit', () => {
            clearTimeout(timer);
            resolve(null);
        });
    });

    let code = 1;
    if (!endpoint) {
        console.error('run-with-server: tracedesk --headless did not come up within 20 s');
    } else {
        const client = [join(here, 'investigation.mjs')];
        if (options.transport === 'http') {
            if (!endpoint.url)
                console.error('run-with-server: the server printed no HTTP endpoint');
            else
                client.push('--http', endpoint.url, ...(endpoint.token ? ['--token', endpoint.token] : []));
        } else {
            client.push('--stdio', options.tracedesk, '--bridge-arg', '--socket', '--bridge-arg', endpoint.socket ?? socketPath);
        }
        if (options.expectDenied)
            client.push('--expect-denied');
        if (client.length > 1)
            code = await run(process.execPath, client, env);
    }

    // Stop only the server we started, by its pid: SIGTERM, then SIGKILL if it lingers.
    if (!exited) {
        server.kill('SIGTERM');
        const stopped = await new Promise((resolve) => {
            const timer = setTimeout(() => resolve(false), 10000);
            server.on('exit', () => {
                clearTimeout(timer);
                resolve(true);
            });
            if (exited) {
                clearTimeout(timer);
                resolve(true);
            }
        });
        if (!stopped) {
            console.error('run-with-server: tracedesk ignored SIGTERM for 10 s; killing it');
            server.kill('SIGKILL');
            code = code || 1;
        }
    }
    rmSync(root, { recursive: true, force: true });
    process.exit(code);
}

main().catch((error) => {
    console.error(`run-with-server: ${error.stack ?? error}`);
    process.exit(1);
});
