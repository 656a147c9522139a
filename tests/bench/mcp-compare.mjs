// SPDX-License-Identifier: GPL-2.0-or-later
// MCP round trips: TraceDesk (HTTP and the local socket) beside the reference TypeScript server
// @modelcontextprotocol/server-everything (HTTP and stdio), measured in the same run by the same
// client code. Prints p50/p99 latency and requests per second, and the ratios.
//
// Started by tests/conformance/withserver.mjs, which provides TRACEDESK_URL, TRACEDESK_TOKEN and
// TRACEDESK_SOCKET. BENCH_N sets the sequential requests per measurement (default 200).
import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const everything = join(here, '../conformance/node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const N = Number(process.env.BENCH_N || 200);
const CONCURRENCY = 8;
const PROTOCOL = '2025-06-18';

// ---- clients -------------------------------------------------------------------------------

class LineClient {
    // Newline-delimited JSON-RPC over any duplex stream pair (unix socket, child stdio).
    constructor(readable, writable) {
        this.writable = writable;
        this.pending = new Map();
        this.nextId = 1;
        let buffer = '';
        readable.setEncoding('utf8');
        readable.on('data', (chunk) => {
            buffer += chunk;
            let nl;
            while ((nl = buffer.indexOf('\n')) >= 0) {
                const line = buffer.slice(0, nl);
                buffer = buffer.slice(nl + 1);
                if (!line.trim()) continue;
                const msg = JSON.parse(line);
                if (msg.id !== undefined && this.pending.has(msg.id)) {
                    this.pending.get(msg.id)(msg);
                    this.pending.delete(msg.id);
                }
            }
        });
    }
    request(method, params) {
        const id = this.nextId++;
        return new Promise((resolve) => {
            this.pending.set(id, resolve);
            this.writable.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
        });
    }
    notify(method, params) {
        this.writable.write(JSON.stringify({ jsonrpc: '2.0', method, params }) + '\n');
    }
}

class HttpClient {
    constructor(url, token) {
        this.url = url;
        this.headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
        if (token) this.headers.authorization = `Bearer ${token}`;
        this.nextId = 1;
    }
    async post(message) {
        const response = await fetch(this.url, { method: 'POST', headers: this.headers, body: JSON.stringify(message) });
        const session = response.headers.get('mcp-session-id');
        if (session) this.headers['mcp-session-id'] = session;
        if (response.status === 202) { await response.arrayBuffer(); return null; }
        const text = await response.text();
        if (!response.ok) throw new Error(`HTTP ${response.status}: ${text.slice(0, 200)}`);
        if ((response.headers.get('content-type') || '').includes('text/event-stream')) {
            // The response is the data line whose message carries our id.
            for (const line of text.split('\n')) {
                if (!line.startsWith('data:')) continue;
                const msg = JSON.parse(line.slice(5));
                if (msg.id === message.id) return msg;
            }
            throw new Error('no response in the event stream');
        }
        return JSON.parse(text);
    }
    request(method, params) { return this.post({ jsonrpc: '2.0', id: this.nextId++, method, params }); }
    notify(method, params) { return this.post({ jsonrpc: '2.0', method, params }); }
}

async function handshake(client) {
    const init = await client.request('initialize', {
        protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'tracedesk-bench', version: '1' },
    });
    if (!init || init.error) throw new Error(`initialize failed: ${JSON.stringify(init?.error)}`);
    if (client instanceof HttpClient) client.headers['mcp-protocol-version'] = init.result.protocolVersion;
    await client.notify('notifications/initialized');
}

// ---- measurement ---------------------------------------------------------------------------

function percentile(sorted, p) {
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function measure(client, method, params) {
    const check = (r) => { if (!r || r.error) throw new Error(`${method} failed: ${JSON.stringify(r?.error)}`); };
    for (let i = 0; i < 20; ++i) check(await client.request(method, params)); // warm-up
    const latencies = [];
    for (let i = 0; i < N; ++i) {
        const t = process.hrtime.bigint();
        check(await client.request(method, params));
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    latencies.sort((a, b) => a - b);
    // Throughput with a few requests in flight, as a busy client would have.
    const total = N * 2;
    let sent = 0;
    const t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (sent < total) { ++sent; check(await client.request(method, params)); }
    }));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), rps: total / seconds };
}

// ---- the peers -----------------------------------------------------------------------------

const children = [];
function cleanup() { for (const c of children) if (c.exitCode === null) c.kill('SIGKILL'); }
process.on('exit', cleanup);
setTimeout(() => { process.stderr.write('benchmark timed out\n'); cleanup(); process.exit(1); }, 150000).unref();

// The port the reference server listens on, told by the server itself: PORT=0 lets the kernel
// pick a free one as it binds (no port picked here first and taken by someone else meanwhile),
// and this hook, loaded into the server, prints which one it got once it really listens.
const listenHook = 'data:text/javascript,' + encodeURIComponent(`
import net from 'node:net';
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
    this.once('listening', () => {
        const address = this.address();
        if (address && typeof address === 'object')
            process.stderr.write('tracedesk-bench: listening on port ' + address.port + '\\n');
    });
    return listen.apply(this, args);
};`);

async function startReferenceHttp() {
    const child = spawn(process.execPath, ['--import', listenHook, everything, 'streamableHttp'], {
        env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    const port = await new Promise((resolve, reject) => {
        let err = '';
        let listening = false;
        const timer = setTimeout(() => reject(new Error(`the reference HTTP server did not listen within 30 s: ${err.slice(-500)}`)), 30000);
        child.stderr.setEncoding('utf8');
        child.stderr.on('data', (d) => {
            if (listening) return; // keep draining the pipe, stop keeping what it says
            err += d;
            const m = err.match(/^tracedesk-bench: listening on port (\d+)$/m);
            if (m) {
                listening = true;
                clearTimeout(timer);
                resolve(Number(m[1]));
            }
        });
        child.once('exit', (code, signal) => {
            clearTimeout(timer);
            reject(new Error(`the reference HTTP server exited with ${signal ?? code}: ${err.slice(-500)}`));
        });
    });
    return { child, url: `http://127.0.0.1:${port}/mcp` };
}

async function main() {
    const url = process.env.TRACEDESK_URL;
    const socketPath = process.env.TRACEDESK_SOCKET;
    if (!url || !socketPath) throw new Error('run me through withserver.mjs (TRACEDESK_URL, TRACEDESK_SOCKET)');

    const results = {};

    // TraceDesk over HTTP. get_result on a real (denied) run: the cheap, common polling call.
    const tdHttp = new HttpClient(url, process.env.TRACEDESK_TOKEN);
    await handshake(tdHttp);
    const exec = await tdHttp.request('tools/call', {
        name: 'exec_program', arguments: { program: 'BEGIN { exit(); }', reason: 'benchmark' },
    });
    const executionId = exec?.result?.structuredContent?.execution_id;
    if (!executionId) throw new Error(`exec_program gave no execution_id: ${JSON.stringify(exec)}`);
    const getResult = { name: 'get_result', arguments: { execution_id: executionId } };
    results['tracedesk http tools/list'] = await measure(tdHttp, 'tools/list', {});
    results['tracedesk http get_result'] = await measure(tdHttp, 'tools/call', getResult);

    // TraceDesk over the local socket.
    const socket = createConnection(socketPath);
    await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
    const tdSocket = new LineClient(socket, socket);
    await handshake(tdSocket);
    results['tracedesk socket tools/list'] = await measure(tdSocket, 'tools/list', {});
    results['tracedesk socket get_result'] = await measure(tdSocket, 'tools/call', getResult);
    socket.destroy();

    // The reference server over HTTP; its cheapest tool call (echo) stands beside get_result.
    const { child: httpServer, url: everythingUrl } = await startReferenceHttp();
    const refHttp = new HttpClient(everythingUrl, null);
    await handshake(refHttp);
    const echo = { name: 'echo', arguments: { message: 'x' } };
    results['reference http tools/list'] = await measure(refHttp, 'tools/list', {});
    results['reference http tools/call echo'] = await measure(refHttp, 'tools/call', echo);
    httpServer.kill('SIGTERM');

    // The reference server over stdio.
    const stdioServer = spawn(process.execPath, [everything, 'stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(stdioServer);
    stdioServer.stderr.resume();
    const refStdio = new LineClient(stdioServer.stdout, stdioServer.stdin);
    await handshake(refStdio);
    results['reference stdio tools/list'] = await measure(refStdio, 'tools/list', {});
    results['reference stdio tools/call echo'] = await measure(refStdio, 'tools/call', echo);
    stdioServer.kill('SIGTERM');

    // ---- report ------------------------------------------------------------------------------
    const f = (x) => x.toFixed(3).padStart(8);
    console.log(`\nMCP round trips, ${N} sequential requests (p50/p99 ms) and ${N * 2} with ${CONCURRENCY} in flight (req/s)`);
    console.log(`${'measurement'.padEnd(34)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'req/s'.padStart(9)}`);
    for (const [name, r] of Object.entries(results))
        console.log(`${name.padEnd(34)} ${f(r.p50)} ${f(r.p99)} ${r.rps.toFixed(0).padStart(9)}`);
    const ratio = (a, b) => {
        const x = results[a], y = results[b];
        console.log(`${a}  vs  ${b}: p50 ${(x.p50 / y.p50).toFixed(2)}x, p99 ${(x.p99 / y.p99).toFixed(2)}x, `
            + `req/s ${(x.rps / y.rps).toFixed(2)}x`);
    };
    console.log('\nRatios (TraceDesk / reference; latency below 1 and req/s above 1 favour TraceDesk):');
    ratio('tracedesk http tools/list', 'reference http tools/list');
    ratio('tracedesk http get_result', 'reference http tools/call echo');
    ratio('tracedesk socket tools/list', 'reference stdio tools/list');
    ratio('tracedesk socket get_result', 'reference stdio tools/call echo');
    cleanup();
}

main().catch((e) => { process.stderr.write(`benchmark failed: ${e.stack || e}\n`); cleanup(); process.exit(1); });
