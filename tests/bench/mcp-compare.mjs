// SPDX-License-Identifier: GPL-2.0-or-later
// MCP round trips: TraceDesk (HTTP and the local socket) beside the reference TypeScript server
// @modelcontextprotocol/server-everything (HTTP and stdio), measured in the same run by the same
// client code. Two kinds of client:
//  - lean: raw HTTP/1.1 on one kept-alive TCP connection (node:net, no fetch, no SDK), and
//    newline-delimited JSON-RPC on the socket and stdio. It shows what the servers cost.
//  - SDK: the reference TypeScript SDK Client over its Streamable HTTP transport, as Claude Code
//    and VS Code talk to a server. listTools there also compiles every outputSchema (ajv), so
//    what a server advertises costs the client too. "warm" repeats listTools on one Client;
//    "fresh" times the first listTools of a new Client (connect untimed), what every new client
//    session pays.
// The lean measurements run in interleaved rounds (TraceDesk's and the reference's take turns),
// so a slow spell of a shared machine weighs on both alike. Prints p50/p99 latency and requests
// per second, and the ratios. Beside each lean latency: the
// server's CPU time per request (all its threads, from /proc/PID/task/*/schedstat) and the lean
// client's JSON.parse time per request, so a latency splits into what the server spends and what
// the size of its answer costs the client.
//
// Started by tests/conformance/withserver.mjs, which provides TRACEDESK_URL, TRACEDESK_TOKEN and
// TRACEDESK_SOCKET. BENCH_N sets the sequential requests per lean measurement (default 200),
// BENCH_SDK_N those per SDK measurement (default 40).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const peers = join(here, '../conformance/node_modules');
const everything = join(peers, '@modelcontextprotocol/server-everything/dist/index.js');
const N = Number(process.env.BENCH_N || 200);
const SDK_N = Number(process.env.BENCH_SDK_N || 40);
const CONCURRENCY = 8;
const ROUNDS = 5;
const PROTOCOL = '2025-06-18';

// ---- lean clients ----------------------------------------------------------------------------

class LineClient {
    // Newline-delimited JSON-RPC over any duplex stream pair (unix socket, child stdio).
    constructor(readable, writable) {
        this.writable = writable;
        this.parseNs = 0n;
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
                const t = process.hrtime.bigint();
                const msg = JSON.parse(line);
                this.parseNs += process.hrtime.bigint() - t;
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

/// One kept-alive HTTP/1.1 connection, one request at a time: the request is one write, the
/// response is read by Content-Length or chunked framing, an SSE body is searched for the answer.
class RawHttpConnection {
    constructor(url) {
        this.url = new URL(url);
        this.buffer = Buffer.alloc(0);
        this.waiting = null;
    }
    open() {
        return new Promise((resolve, reject) => {
            this.socket = createConnection({ host: this.url.hostname, port: Number(this.url.port) });
            this.socket.setNoDelay(true);
            this.socket.once('connect', resolve);
            this.socket.once('error', reject);
            this.socket.on('data', (chunk) => {
                this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
                this.parse();
            });
            this.socket.on('close', () => this.waiting?.reject(new Error('connection closed')));
        });
    }
    close() { this.socket?.destroy(); }
    parse() {
        if (!this.waiting) return;
        const headEnd = this.buffer.indexOf('\r\n\r\n');
        if (headEnd < 0) return;
        const lines = this.buffer.subarray(0, headEnd).toString('latin1').split('\r\n');
        const status = Number(lines[0].split(' ')[1]);
        const headers = {};
        for (const line of lines.slice(1)) {
            const colon = line.indexOf(':');
            headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        let body;
        let end;
        if (headers['transfer-encoding']?.includes('chunked')) {
            const parts = [];
            let at = headEnd + 4;
            for (;;) {
                const lineEnd = this.buffer.indexOf('\r\n', at);
                if (lineEnd < 0) return;
                const size = parseInt(this.buffer.subarray(at, lineEnd).toString('latin1'), 16);
                if (this.buffer.length < lineEnd + 2 + size + 2) return;
                if (size === 0) { end = lineEnd + 4; break; }
                parts.push(this.buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
                at = lineEnd + 2 + size + 2;
            }
            body = Buffer.concat(parts);
        } else {
            const length = Number(headers['content-length'] || 0);
            if (this.buffer.length < headEnd + 4 + length) return;
            body = this.buffer.subarray(headEnd + 4, headEnd + 4 + length);
            end = headEnd + 4 + length;
        }
        const text = body.toString('utf8');
        this.buffer = this.buffer.subarray(end);
        const { resolve } = this.waiting;
        this.waiting = null;
        resolve({ status, headers, text });
    }
    send(head, body) {
        return new Promise((resolve, reject) => {
            this.waiting = { resolve, reject };
            this.socket.write(head + `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n` + body);
        });
    }
}

/// MCP over raw HTTP: a pool of connections sharing the session, each used by one request at a time.
class RawHttpClient {
    constructor(url, token) {
        this.url = new URL(url);
        this.headers = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
        if (token) this.headers.Authorization = `Bearer ${token}`;
        this.idle = [];
        this.all = [];
        this.nextId = 1;
        this.parseNs = 0n;
    }
    parse(text) {
        const t = process.hrtime.bigint();
        const msg = JSON.parse(text);
        this.parseNs += process.hrtime.bigint() - t;
        return msg;
    }
    async connection() {
        if (this.idle.length) return this.idle.pop();
        const c = new RawHttpConnection(this.url);
        await c.open();
        this.all.push(c);
        return c;
    }
    close() { for (const c of this.all) c.close(); }
    async post(message) {
        const c = await this.connection();
        let head = `POST ${this.url.pathname} HTTP/1.1\r\nHost: ${this.url.host}\r\n`;
        for (const [k, v] of Object.entries(this.headers)) head += `${k}: ${v}\r\n`;
        const { status, headers, text } = await c.send(head, JSON.stringify(message));
        this.idle.push(c);
        if (headers['mcp-session-id']) this.headers['Mcp-Session-Id'] = headers['mcp-session-id'];
        if (status === 202) return null;
        if (status < 200 || status > 299) throw new Error(`HTTP ${status}: ${text.slice(0, 200)}`);
        if ((headers['content-type'] || '').includes('text/event-stream')) {
            for (const line of text.split('\n')) {
                if (!line.startsWith('data:')) continue;
                const msg = this.parse(line.slice(5));
                if (msg.id === message.id) return msg;
            }
            throw new Error('no response in the event stream');
        }
        return this.parse(text);
    }
    request(method, params) { return this.post({ jsonrpc: '2.0', id: this.nextId++, method, params }); }
    notify(method, params) { return this.post({ jsonrpc: '2.0', method, params }); }
}

async function handshake(client) {
    const init = await client.request('initialize', {
        protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'tracedesk-bench', version: '1' },
    });
    if (!init || init.error) throw new Error(`initialize failed: ${JSON.stringify(init?.error)}`);
    if (client instanceof RawHttpClient) client.headers['MCP-Protocol-Version'] = init.result.protocolVersion;
    await client.notify('notifications/initialized');
}

// ---- measurement ---------------------------------------------------------------------------

function percentile(sorted, p) {
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/// The CPU time (ns) each thread of a process has run, by thread id; null where /proc does not say.
function threadCpuNs(pid) {
    if (!pid) return null;
    const threads = new Map();
    try {
        for (const task of readdirSync(`/proc/${pid}/task`)) {
            try {
                threads.set(task, BigInt(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]));
            } catch { /* the thread ended meanwhile */ }
        }
    } catch {
        return null;
    }
    return threads.size ? threads : null;
}

/// What the threads ran between two threadCpuNs() looks (a thread started since counts whole; one
/// that ended since is missing, which can only make the figure smaller); null without both.
function cpuNsBetween(before, after) {
    if (!before || !after) return null;
    let sum = 0n;
    for (const [task, ns] of after) sum += ns - (before.get(task) ?? 0n);
    return sum;
}

/// One batch of `n` sequential requests: their latencies (ms), the server's CPU time and the
/// client's JSON.parse time over them (ns; null or undefined when unknown).
async function sample(n, once, probe) {
    const cpuBefore = threadCpuNs(probe.pid);
    const parseBefore = probe.client.parseNs ?? 0n;
    const latencies = [];
    for (let i = 0; i < n; ++i) {
        const t = process.hrtime.bigint();
        await once();
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    return { latencies, cpuNs: cpuNsBetween(cpuBefore, threadCpuNs(probe.pid)), parseNs: (probe.client.parseNs ?? 0n) - parseBefore };
}

const stage = (what) => process.stderr.write(`mcp-compare: ${what}\n`);

/// Every lean measurement of `plan` ({ name, client, method, params, pid }), interleaved: ROUNDS
/// rounds, each doing a share of every measurement in turn, so that a slow spell of a shared
/// machine falls on TraceDesk and the reference alike instead of on whichever ran then. Per
/// measurement: p50/p99 of the N sequential requests, the server's CPU and the client's parse time
/// per request, and req/s with CONCURRENCY requests in flight.
async function measureAll(plan) {
    const state = plan.map((m) => {
        const check = (r) => { if (!r || r.error) throw new Error(`${m.name} failed: ${JSON.stringify(r?.error)}`); };
        return { ...m, once: async () => check(await m.client.request(m.method, m.params)),
            latencies: [], cpuNs: 0n, cpuKnown: true, parseNs: 0n, sent: 0, busyNs: 0n };
    });
    for (const m of state) for (let i = 0; i < 30; ++i) await m.once(); // warm up
    const perRound = Math.ceil(N / ROUNDS);
    for (let round = 0; round < ROUNDS; ++round) {
        stage(`lean round ${round + 1} of ${ROUNDS}`);
        for (const m of state) {
            const s = await sample(perRound, m.once, m);
            m.latencies.push(...s.latencies);
            if (s.cpuNs === null) m.cpuKnown = false; else m.cpuNs += s.cpuNs;
            m.parseNs += s.parseNs;
            // Throughput with a few requests in flight, as a busy client would have.
            const total = perRound * 2;
            let sent = 0;
            const t0 = process.hrtime.bigint();
            await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
                while (sent < total) { ++sent; await m.once(); }
            }));
            m.busyNs += process.hrtime.bigint() - t0;
            m.sent += total;
        }
    }
    const results = {};
    for (const m of state) {
        const sorted = m.latencies.sort((a, b) => a - b);
        const n = sorted.length;
        results[m.name] = {
            p50: percentile(sorted, 50),
            p99: percentile(sorted, 99),
            rps: m.sent / (Number(m.busyNs) / 1e9),
            serverCpuUs: m.cpuKnown ? Number(m.cpuNs) / n / 1000 : undefined,
            parseUs: Number(m.parseNs) / n / 1000,
        };
    }
    return results;
}

// ---- the SDK client --------------------------------------------------------------------------

const sdk = {};
async function loadSdk() {
    const load = (path) => import(pathToFileURL(join(peers, '@modelcontextprotocol/sdk/dist/esm', path)).href);
    sdk.Client = (await load('client/index.js')).Client;
    sdk.Transport = (await load('client/streamableHttp.js')).StreamableHTTPClientTransport;
}

async function sdkConnect(url, token) {
    const client = new sdk.Client({ name: 'tracedesk-bench', version: '1' });
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    const transport = new sdk.Transport(new URL(url), { requestInit: { headers } });
    await client.connect(transport);
    return { client, transport };
}

async function sdkClose({ client, transport }) {
    await transport.terminateSession().catch(() => {});
    await client.close();
}

/// listTools through the SDK: repeated on one Client (warm), and the first one of a new Client
/// each time (fresh; connecting is not timed). Every result's tools are counted to be sure.
async function measureSdk(url, token, expectTools) {
    stage(`sdk listTools at ${url}`);
    const check = (result) => {
        if (result.tools.length < expectTools) throw new Error(`listTools gave ${result.tools.length} tools`);
    };
    const warmClient = await sdkConnect(url, token);
    const once = async () => check(await warmClient.client.listTools());
    for (let i = 0; i < 10; ++i) await once(); // warm up
    const sorted = (await sample(SDK_N, once, { client: {} })).latencies.sort((a, b) => a - b);
    const warm = { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
    await sdkClose(warmClient);
    const fresh = { p50: 0, p99: 0 };
    const latencies = [];
    for (let i = 0; i < SDK_N / 2 + 5; ++i) {
        const c = await sdkConnect(url, token);
        const t = process.hrtime.bigint();
        check(await c.client.listTools());
        if (i >= 5) latencies.push(Number(process.hrtime.bigint() - t) / 1e6); // the first ones warm up V8
        await sdkClose(c);
    }
    latencies.sort((a, b) => a - b);
    fresh.p50 = percentile(latencies, 50);
    fresh.p99 = percentile(latencies, 99);
    return { warm, fresh };
}

// ---- the peers -----------------------------------------------------------------------------

const children = [];
function cleanup() { for (const c of children) if (c.exitCode === null) c.kill('SIGKILL'); }
process.on('exit', cleanup);
setTimeout(() => { process.stderr.write('benchmark timed out\n'); cleanup(); process.exit(1); }, 270000).unref();

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
    const token = process.env.TRACEDESK_TOKEN;
    const socketPath = process.env.TRACEDESK_SOCKET;
    const tracedeskPid = Number(process.env.TRACEDESK_PID) || 0;
    if (!url || !socketPath) throw new Error('run me through withserver.mjs (TRACEDESK_URL, TRACEDESK_SOCKET)');
    await loadSdk();

    const sdkResults = {};

    // TraceDesk over HTTP. get_result on a real (denied) run: the cheap, common polling call.
    const tdHttp = new RawHttpClient(url, token);
    await handshake(tdHttp);
    const exec = await tdHttp.request('tools/call', {
        name: 'exec_program', arguments: { program: 'BEGIN { exit(); }', reason: 'benchmark' },
    });
    const executionId = exec?.result?.structuredContent?.execution_id;
    if (!executionId) throw new Error(`exec_program gave no execution_id: ${JSON.stringify(exec)}`);
    const getResult = { name: 'get_result', arguments: { execution_id: executionId } };

    // TraceDesk over the local socket.
    const socket = createConnection(socketPath);
    await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
    const tdSocket = new LineClient(socket, socket);
    await handshake(tdSocket);

    // The reference server over HTTP, and over stdio; its cheapest tool call (echo) stands beside
    // get_result.
    const { child: httpServer, url: everythingUrl } = await startReferenceHttp();
    const refHttp = new RawHttpClient(everythingUrl, null);
    await handshake(refHttp);
    const stdioServer = spawn(process.execPath, [everything, 'stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(stdioServer);
    stdioServer.stderr.resume();
    const refStdio = new LineClient(stdioServer.stdout, stdioServer.stdin);
    await handshake(refStdio);
    const echo = { name: 'echo', arguments: { message: 'x' } };

    const plan = (name, client, method, params, pid) => ({ name, client, method, params, pid });
    const results = await measureAll([
        plan('tracedesk http ping', tdHttp, 'ping', {}, tracedeskPid),
        plan('tracedesk http tools/list', tdHttp, 'tools/list', {}, tracedeskPid),
        plan('tracedesk http get_result', tdHttp, 'tools/call', getResult, tracedeskPid),
        plan('tracedesk socket tools/list', tdSocket, 'tools/list', {}, tracedeskPid),
        plan('tracedesk socket get_result', tdSocket, 'tools/call', getResult, tracedeskPid),
        plan('reference http ping', refHttp, 'ping', {}, httpServer.pid),
        plan('reference http tools/list', refHttp, 'tools/list', {}, httpServer.pid),
        plan('reference http tools/call echo', refHttp, 'tools/call', echo, httpServer.pid),
        plan('reference stdio tools/list', refStdio, 'tools/list', {}, stdioServer.pid),
        plan('reference stdio tools/call echo', refStdio, 'tools/call', echo, stdioServer.pid),
    ]);
    tdHttp.close();
    socket.destroy();
    refHttp.close();
    stdioServer.kill('SIGTERM');

    sdkResults.tracedesk = await measureSdk(url, token, 9);
    sdkResults.reference = await measureSdk(everythingUrl, null, 1);
    httpServer.kill('SIGTERM');

    // ---- report ------------------------------------------------------------------------------
    const f = (x) => x.toFixed(3).padStart(8);
    const us = (x) => (x === undefined ? 'n/a' : x.toFixed(1)).padStart(11);
    const perMeasurement = Math.ceil(N / ROUNDS) * ROUNDS;
    console.log(`\nLean clients (raw HTTP on one kept-alive connection; lines on the socket and stdio), every measurement in ${ROUNDS} interleaved rounds: ${perMeasurement} `
        + `sequential requests (p50/p99 ms, and per request the server's CPU time and the client's `
        + `JSON.parse) and ${perMeasurement * 2} with ${CONCURRENCY} in flight (req/s)`);
    console.log(`${'measurement'.padEnd(34)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'req/s'.padStart(9)}`
        + ` ${'server CPU us'.padStart(13)} ${'parse us'.padStart(11)}`);
    for (const [name, r] of Object.entries(results)) {
        console.log(`${name.padEnd(34)} ${f(r.p50)} ${f(r.p99)} ${r.rps.toFixed(0).padStart(9)}`
            + `   ${us(r.serverCpuUs)} ${us(r.parseUs)}`);
    }
    console.log(`\nThe TypeScript SDK Client over Streamable HTTP, listTools (p50/p99 ms): warm = ${SDK_N} on one `
        + `Client, fresh = the first listTools of ${SDK_N / 2} new Clients`);
    for (const [who, r] of Object.entries(sdkResults)) {
        console.log(`${`sdk ${who} listTools warm`.padEnd(34)} ${f(r.warm.p50)} ${f(r.warm.p99)}`);
        console.log(`${`sdk ${who} listTools fresh`.padEnd(34)} ${f(r.fresh.p50)} ${f(r.fresh.p99)}`);
    }

    const faster = (x) => `${(1 / x).toFixed(2)}x faster`;
    const ratio = (a, b) => {
        const x = results[a], y = results[b];
        const cpu = x.serverCpuUs > 0 && y.serverCpuUs > 0
            ? `, server CPU ${(x.serverCpuUs / y.serverCpuUs).toFixed(2)}x (${(y.serverCpuUs / x.serverCpuUs).toFixed(2)}x less)`
            : '';
        console.log(`${a}  vs  ${b}: p50 ${(x.p50 / y.p50).toFixed(2)}x (${faster(x.p50 / y.p50)}), `
            + `p99 ${(x.p99 / y.p99).toFixed(2)}x, req/s ${(x.rps / y.rps).toFixed(2)}x${cpu}`);
    };
    console.log('\nRatios (TraceDesk / reference; latency below 1 and req/s above 1 favour TraceDesk):');
    ratio('tracedesk http ping', 'reference http ping');
    ratio('tracedesk http tools/list', 'reference http tools/list');
    ratio('tracedesk http get_result', 'reference http tools/call echo');
    ratio('tracedesk socket tools/list', 'reference stdio tools/list');
    ratio('tracedesk socket get_result', 'reference stdio tools/call echo');
    for (const kind of ['warm', 'fresh']) {
        const x = sdkResults.tracedesk[kind], y = sdkResults.reference[kind];
        console.log(`sdk tracedesk listTools ${kind}  vs  sdk reference listTools ${kind}: p50 `
            + `${(x.p50 / y.p50).toFixed(2)}x (${faster(x.p50 / y.p50)}), p99 ${(x.p99 / y.p99).toFixed(2)}x`);
    }
    cleanup();
}

main().catch((e) => { process.stderr.write(`benchmark failed: ${e.stack || e}\n`); cleanup(); process.exit(1); });
