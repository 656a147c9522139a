// SPDX-License-Identifier: GPL-2.0-or-later
// A whole investigation by a 2026-07-28 (stateless) client: no initialize, no session; every
// request carries its protocol version, client and capabilities in _meta, and over HTTP the
// headers that mirror the body (MCP-Protocol-Version, Mcp-Method, Mcp-Name and Mcp-Param-* for
// the arguments tools/list annotates with x-mcp-header). Plain JSON-RPC, as no SDK speaks this
// version yet:
//   node investigation-stateless.mjs --http http://127.0.0.1:PORT/mcp [--token TOKEN] [--expect-denied]
//   node investigation-stateless.mjs --stdio /path/to/tracedesk [--bridge-arg ARG]... [--expect-denied]
// The run it asks for must still be approved: the server runs with --approval-policy allow-all,
// or deny with --expect-denied. Over stdio each request goes through a new bridge process, so
// the execution id alone carries the run from exec_program to get_result. Prints
// "N passed, N failed".
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { check, parseArgs, tally } from './investigationsupport.mjs';

const VERSION = '2026-07-28';
const META = {
    'io.modelcontextprotocol/protocolVersion': VERSION,
    'io.modelcontextprotocol/clientInfo': { name: 'tracedesk-stateless-investigation', version: '1.0.0' },
    'io.modelcontextprotocol/clientCapabilities': {},
};

let nextId = 1;
// x-mcp-header annotations per tool, from tools/list: {toolName: [[path, headerSuffix]]}.
const paramHeaders = {};

function headerSafe(value) {
    const text = String(value);
    // eslint-disable-next-line no-control-regex
    const plain = /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(text) && !(text.startsWith('=?base64?') && text.endsWith('?='));
    return plain ? text : `=?base64?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

function collectHeaders(schema, path, out) {
    for (const [key, property] of Object.entries(schema?.properties ?? {})) {
        if (typeof property?.['x-mcp-header'] === 'string')
            out.push([[...path, key], property['x-mcp-header']]);
        collectHeaders(property, [...path, key], out);
    }
    return out;
}

async function httpRequest(options, method, params) {
    const id = nextId++;
    const body = { jsonrpc: '2.0', id, method, params: { ...params, _meta: META } };
    const headers = {
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        'MCP-Protocol-Version': VERSION,
        'Mcp-Method': method,
    };
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    if (method === 'tools/call' || method === 'prompts/get') headers['Mcp-Name'] = headerSafe(params.name);
    if (method === 'resources/read') headers['Mcp-Name'] = headerSafe(params.uri);
    if (method === 'tools/call') {
        for (const [path, suffix] of paramHeaders[params.name] ?? []) {
            const value = path.reduce((v, k) => (v === undefined || v === null ? undefined : v[k]), params.arguments);
            if (value !== undefined && value !== null) headers[`Mcp-Param-${suffix}`] = headerSafe(value);
        }
    }
    const response = await fetch(options.http, { method: 'POST', headers, body: JSON.stringify(body) });
    check(!response.headers.has('mcp-session-id'), `${method}: no Mcp-Session-Id on a stateless answer`);
    const type = response.headers.get('content-type') ?? '';
    const text = await response.text();
    let message = null;
    if (type.includes('text/event-stream')) {
        for (const line of text.split(/\r?\n/)) {
            if (!line.startsWith('data:')) continue;
            try {
                const event = JSON.parse(line.slice(5));
                if (event.id === id) message = event;
            } catch {
                // a priming or comment event
            }
        }
    } else {
        message = JSON.parse(text);
    }
    return { status: response.status, message };
}

// stdio: a new bridge process per request, as a client that keeps no connection would do.
async function stdioRequest(options, method, params) {
    const id = nextId++;
    const child = spawn(options.stdio, ['--mcp-stdio', ...options.bridgeArgs],
        { env: { ...process.env }, stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout });
    const answer = new Promise((resolve, reject) => {
        lines.on('line', (line) => {
            try {
                const message = JSON.parse(line);
                if (message.id === id) resolve(message);
            } catch (error) {
                reject(new Error(`not JSON on stdout: ${line.slice(0, 200)} (${error.message})`));
            }
        });
        child.on('exit', (code) => reject(new Error(`the bridge exited (${code}) before answering ${method}`)));
    });
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, _meta: META } })}\n`);
    try {
        return { status: 200, message: await answer };
    } finally {
        child.stdin.end();
        lines.close();
    }
}

async function request(options, method, params = {}) {
    const { status, message } = options.http ? await httpRequest(options, method, params)
        : await stdioRequest(options, method, params);
    if (message?.error) {
        check(false, `${method} answered without a JSON-RPC error`, { status, error: message.error });
        return null;
    }
    const result = message?.result;
    check(status === 200 && result?.resultType === 'complete', `${method}: a complete result`, { status, message });
    check(result?._meta?.['io.modelcontextprotocol/serverInfo']?.name === 'tracedesk',
        `${method}: the result names the server in _meta`, result?._meta);
    return result;
}

async function tool(options, name, args = {}) {
    const result = await request(options, 'tools/call', { name, arguments: args });
    if (!result)
        return null;
    if (result.isError)
        check(false, `${name} answered without isError`, result.content?.[0]?.text);
    const text = result.content?.find((c) => c.type === 'text')?.text;
    check(text !== undefined && JSON.stringify(JSON.parse(text)) === JSON.stringify(result.structuredContent),
        `${name}: text content repeats structuredContent`);
    return result.structuredContent;
}

async function follow(options, executionId, deadlineMs) {
    let offset = 0;
    const deadline = Date.now() + deadlineMs;
    let result = null;
    while (Date.now() < deadline) {
        result = await tool(options, 'get_result', { execution_id: executionId, offset, wait_seconds: 10 });
        if (!result || result.terminal)
            return result;
        offset = result.next_offset;
    }
    return result;
}

async function discover(options) {
    const discovered = await request(options, 'server/discover');
    check(discovered?.supportedVersions?.includes(VERSION), 'server/discover lists 2026-07-28', discovered);
    check(discovered?.capabilities?.tools !== undefined, 'server/discover: tools capability', discovered);

    const listed = await request(options, 'tools/list');
    check(Number.isInteger(listed?.ttlMs) && listed.ttlMs >= 0 && ['public', 'private'].includes(listed?.cacheScope),
        'tools/list carries caching hints', listed && { ttlMs: listed.ttlMs, cacheScope: listed.cacheScope });
    const names = (listed?.tools ?? []).map((t) => t.name);
    for (const name of ['list_probes', 'validate_program', 'exec_program', 'get_result'])
        check(names.includes(name), `tools/list has ${name}`);
    for (const t of listed?.tools ?? [])
        paramHeaders[t.name] = collectHeaders(t.inputSchema, [], []);
    check(paramHeaders.get_result?.some(([path]) => path.join('.') === 'execution_id'),
        'get_result routes on execution_id (x-mcp-header)', paramHeaders.get_result);
}

async function investigate(options) {
    await discover(options);

    const probes = await tool(options, 'list_probes', { pattern: 'sys_enter_openat' });
    check(probes?.probes?.includes('tracepoint:syscalls:sys_enter_openat'),
        'list_probes finds tracepoint:syscalls:sys_enter_openat', probes);

    const program = 'tracepoint:raw_syscalls:sys_enter { @syscalls[comm] = count(); } interval:ms:500 { exit(); }';
    const validated = await tool(options, 'validate_program', { program });
    check(validated?.valid === true, 'validate_program accepts the syscall count', validated);

    const queued = await tool(options, 'exec_program',
        { program, timeout_seconds: 30, reason: 'Count system calls by process for half a second' });
    check(typeof queued?.execution_id === 'string', 'exec_program returns an execution_id at once', queued);
    if (!queued?.execution_id)
        return;
    const done = await follow(options, queued.execution_id, 90000);
    check(done?.state === 'finished', 'the syscall count finished', done && { state: done.state, message: done.message });
    const map = done?.maps?.['@syscalls'];
    check(map?.kind === 'map' && Array.isArray(map.entries) && map.entries.length > 0
        && typeof map.entries[0].value === 'number', 'its map arrives as structured data', map);
    check(done?.decision?.decision === 'approved_by_policy', 'the run was approved before it ran', done?.decision);
}

async function expectDenied(options) {
    await discover(options);
    const program = 'tracepoint:syscalls:sys_enter_openat { @opens[comm] = count(); }';
    const queued = await tool(options, 'exec_program', { program, timeout_seconds: 5, reason: 'should be denied' });
    check(typeof queued?.execution_id === 'string', 'exec_program queues the request', queued);
    if (!queued?.execution_id)
        return;
    const done = await follow(options, queued.execution_id, 60000);
    check(done?.state === 'denied', 'the run is reported as denied', done && { state: done.state, message: done.message });
    check(done?.output?.returned === 0 && Object.keys(done?.maps ?? {}).length === 0, 'nothing ran', done?.output);
}

async function main() {
    let options;
    try {
        options = parseArgs(process.argv.slice(2));
    } catch (error) {
        console.error(`investigation-stateless.mjs: ${error.message}`);
        process.exit(2);
    }
    const timer = setTimeout(() => {
        console.error(`investigation-stateless.mjs: gave up after ${options.timeoutMs} ms`);
        console.log(`${tally.passed} passed, ${tally.failed + 1} failed`);
        process.exit(1);
    }, options.timeoutMs);
    try {
        if (options.expectDenied)
            await expectDenied(options);
        else
            await investigate(options);
    } catch (error) {
        check(false, 'investigation ran to the end', String(error?.stack ?? error));
    }
    clearTimeout(timer);
    console.log(`${tally.passed} passed, ${tally.failed} failed`);
    process.exit(tally.failed === 0 && tally.passed > 0 ? 0 : 1);
}

main();
