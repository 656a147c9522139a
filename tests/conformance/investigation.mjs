// SPDX-License-Identifier: GPL-2.0-or-later
// A whole investigation through TraceDesk's MCP endpoint, driven by the reference TypeScript SDK
// client (which also checks every structuredContent against the tool's outputSchema):
//   node investigation.mjs --stdio /path/to/tracedesk [--bridge-arg ARG]... [--expect-denied]
//   node investigation.mjs --http http://127.0.0.1:PORT/mcp [--token TOKEN] [--expect-denied]
// The server must run headless with --approval-policy allow-all, or with deny when
// --expect-denied is given (then only the denial is checked). Prints "N passed, N failed" and
// exits non-zero on any failed expectation.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { check, parseArgs, tally } from './investigationsupport.mjs';

// Calls a tool; a thrown protocol error (including an outputSchema mismatch the SDK found) is
// recorded as a failure and answered as null.
async function tool(client, name, args = {}) {
    try {
        const result = await client.callTool({ name, arguments: args }, undefined, { timeout: 60000 });
        if (result.isError)
            check(false, `${name} answered without isError`, result.content?.[0]?.text);
        const text = result.content?.find((c) => c.type === 'text')?.text;
        check(text !== undefined && JSON.stringify(JSON.parse(text)) === JSON.stringify(result.structuredContent),
            `${name}: text content repeats structuredContent`);
        return result.structuredContent;
    } catch (error) {
        check(false, `${name} call`, String(error?.message ?? error));
        return null;
    }
}

// Follows a run with get_result long-polls until it is terminal.
async function follow(client, executionId, deadlineMs) {
    let offset = 0;
    const deadline = Date.now() + deadlineMs;
    let result = null;
    while (Date.now() < deadline) {
        result = await tool(client, 'get_result', { execution_id: executionId, offset, wait_seconds: 10 });
        if (!result || result.terminal)
            return result;
        offset = result.next_offset;
    }
    return result;
}

async function connect(options) {
    const client = new Client({ name: 'tracedesk-investigation', version: '1.0.0' });
    let transport;
    if (options.stdio) {
        transport = new StdioClientTransport({
            command: options.stdio,
            args: ['--mcp-stdio', ...options.bridgeArgs],
            // The SDK passes only a few variables by default; the bridge needs XDG_RUNTIME_DIR
            // and friends to find the instance it relays to.
            env: { ...process.env },
            stderr: 'inherit',
        });
    } else {
        const headers = options.token ? { Authorization: `Bearer ${options.token}` } : {};
        transport = new StreamableHTTPClientTransport(new URL(options.http), { requestInit: { headers } });
    }
    await client.connect(transport);
    return client;
}

async function investigate(client) {
    const version = client.getServerVersion();
    check(version?.name?.length > 0, 'initialize: the server names itself', version);
    check(client.getServerCapabilities()?.tools !== undefined, 'initialize: tools capability');

    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    for (const name of ['list_probes', 'describe_probe', 'bpf_info', 'list_helpers', 'validate_program',
        'exec_program', 'get_result', 'stop_execution', 'list_executions'])
        check(names.includes(name), `tools/list has ${name}`);

    const probes = await tool(client, 'list_probes', { pattern: 'sys_enter_openat' });
    check(probes?.probes?.includes('tracepoint:syscalls:sys_enter_openat'),
        'list_probes finds tracepoint:syscalls:sys_enter_openat', probes);

    const described = await tool(client, 'describe_probe', { probe: 'tracepoint:syscalls:sys_enter_openat' });
    check(described?.arguments?.some((a) => a.name === 'filename'), 'describe_probe shows the filename argument',
        described);

    const program = 'tracepoint:raw_syscalls:sys_enter { @syscalls[comm] = count(); @stacks[kstack(4)] = count(); } '
        + 'interval:ms:500 { exit(); }';
    const validated = await tool(client, 'validate_program', { program });
    check(validated?.valid === true, 'validate_program accepts the syscall count', validated);
    check(typeof validated?.risk === 'string', 'validate_program reports a risk level', validated);

    const bad = await client.callTool({ name: 'get_result', arguments: { execution_id: 'no-such-run' } });
    check(bad.isError === true && /Unknown execution_id/.test(bad.content?.[0]?.text), 'bad arguments come back as isError', bad);

    const queued = await tool(client, 'exec_program',
        { program, timeout_seconds: 30, reason: 'Count system calls by process for half a second' });
    check(typeof queued?.execution_id === 'string', 'exec_program returns an execution_id at once', queued);
    if (queued?.execution_id) {
        const done = await follow(client, queued.execution_id, 90000);
        check(done?.state === 'finished', 'the syscall count finished', done && { state: done.state, message: done.message });
        const map = done?.maps?.['@syscalls'];
        check(map?.kind === 'map' && Array.isArray(map.entries) && map.entries.length > 0
            && typeof map.entries[0].value === 'number', 'its map arrives as structured data', map);
        check(done?.decision?.decision === 'approved_by_policy', 'the decision says who approved', done?.decision);
        check(map?.entries?.[0]?.key_parts?.[0]?.type === 'string', 'its keys arrive as typed parts', map?.entries?.[0]);
        const stacks = done?.maps?.['@stacks'];
        const top = stacks?.top_stacks?.[0];
        check(Array.isArray(stacks?.entries) && stacks.entries[0]?.key_parts?.[0]?.type === 'stack'
            && top?.stack?.space === 'kernel' && Array.isArray(top.stack.frames) && top.share > 0 && top.share <= 1,
            'a kstack map arrives as frame lists with top_stacks', stacks && { entry: stacks.entries?.[0], top });
    }

    // A long run, stopped like the person's Stop button: its maps must still arrive.
    const longProgram = 'tracepoint:raw_syscalls:sys_enter { @calls[comm] = count(); } '
        + 'interval:ms:200 { @ticks = count(); print(@ticks); }';
    const long = await tool(client, 'exec_program',
        { program: longProgram, timeout_seconds: 60, reason: 'Long run that is stopped early' });
    if (long?.execution_id) {
        // Running starts with the process; compiling and attaching follow, and on a loaded
        // machine they take seconds. Wait until the probes are attached, then trace for a second
        // so the interval probe has fired. get_result does not wake on attachment (it prints no
        // line), so poll every second.
        let state = null;
        const deadline = Date.now() + 45000;
        let offset = 0;
        while (Date.now() < deadline) {
            state = await tool(client, 'get_result', { execution_id: long.execution_id, offset, wait_seconds: 1 });
            if (!state || state.terminal || (state.state === 'running' && state.attached_probes > 0))
                break;
            offset = state.next_offset;
        }
        if (state?.state === 'running' && state.attached_probes > 0) {
            await new Promise((resolve) => setTimeout(resolve, 1000));
            state = await tool(client, 'get_result', { execution_id: long.execution_id, offset: state.next_offset });
        }
        check(state?.state === 'running' && state.attached_probes > 0, 'the long run is running with its probes attached',
            state && { state: state.state, attached_probes: state.attached_probes, message: state.message });
        const stopped = await tool(client, 'stop_execution', { execution_id: long.execution_id });
        check(stopped !== null, 'stop_execution accepted', stopped);
        const final = stopped?.terminal ? await tool(client, 'get_result', { execution_id: long.execution_id })
            : await follow(client, long.execution_id, 30000);
        check(final?.state === 'stopped', 'the long run ended as stopped', final && { state: final.state, message: final.message });
        check(final?.maps?.['@ticks'] !== undefined && final?.maps?.['@calls']?.entries?.length > 0,
            'the stopped run still delivered its maps', final?.maps && Object.keys(final.maps));
        // Each print() is a snapshot: a map with its time, which the SDK validated against the
        // outputSchema (the map schema in allOf with "ms").
        const snapshot = final?.series?.['@ticks']?.snapshots?.[0];
        check(typeof snapshot?.ms === 'number' && snapshot.kind === 'map' && typeof snapshot.value === 'number',
            'its printed map arrives as a series of timed snapshots', final?.series?.['@ticks']);
    } else {
        check(false, 'exec_program of the long run', long);
    }

    const listed = await tool(client, 'list_executions', { limit: 10 });
    check(listed?.executions?.length >= 2, 'list_executions shows the runs', listed);
}

async function expectDenied(client) {
    const program = 'tracepoint:syscalls:sys_enter_openat { @opens[comm] = count(); }';
    const queued = await tool(client, 'exec_program', { program, timeout_seconds: 5, reason: 'should be denied' });
    check(typeof queued?.execution_id === 'string', 'exec_program queues the request', queued);
    if (!queued?.execution_id)
        return;
    const done = await follow(client, queued.execution_id, 60000);
    check(done?.state === 'denied', 'the run is reported as denied', done && { state: done.state, message: done.message });
    check(/denied/i.test(done?.message ?? '') && /do not retry/i.test(done?.message ?? ''),
        'the message says plainly that it was denied and not to retry', done?.message);
    check(done?.output?.returned === 0 && Object.keys(done?.maps ?? {}).length === 0, 'nothing ran', done?.output);
}

async function main() {
    let options;
    try {
        options = parseArgs(process.argv.slice(2));
    } catch (error) {
        console.error(`investigation.mjs: ${error.message}`);
        process.exit(2);
    }
    const timer = setTimeout(() => {
        console.error(`investigation.mjs: gave up after ${options.timeoutMs} ms`);
        console.log(`${tally.passed} passed, ${tally.failed + 1} failed`);
        process.exit(1);
    }, options.timeoutMs);

    let client;
    try {
        client = await connect(options);
        check(true, `connected over ${options.stdio ? 'the stdio bridge' : 'HTTP'}`);
        if (options.expectDenied)
            await expectDenied(client);
        else
            await investigate(client);
    } catch (error) {
        check(false, 'investigation ran to the end', String(error?.stack ?? error));
    } finally {
        try {
            await client?.close();
        } catch {
            // closing a broken transport is not a further failure
        }
        clearTimeout(timer);
    }
    console.log(`${tally.passed} passed, ${tally.failed} failed`);
    process.exit(tally.failed === 0 && tally.passed > 0 ? 0 : 1);
}

main();
