// SPDX-License-Identifier: GPL-2.0-or-later
// What the investigation clients (investigation.mjs with the SDK, investigation-stateless.mjs with
// plain JSON-RPC) share: their command line and the tally of checks they print.

// --stdio TRACEDESK [--bridge-arg ARG]... | --http URL [--token TOKEN], [--expect-denied], [--timeout-ms N]
export function parseArgs(argv) {
    const options = { bridgeArgs: [], expectDenied: false, timeoutMs: 240000 };
    for (let i = 0; i < argv.length; ++i) {
        const arg = argv[i];
        const next = () => {
            if (i + 1 >= argv.length)
                throw new Error(`${arg} needs a value`);
            return argv[++i];
        };
        if (arg === '--stdio') options.stdio = next();
        else if (arg === '--http') options.http = next();
        else if (arg === '--token') options.token = next();
        else if (arg === '--bridge-arg') options.bridgeArgs.push(next());
        else if (arg === '--expect-denied') options.expectDenied = true;
        else if (arg === '--timeout-ms') options.timeoutMs = Number(next());
        else throw new Error(`unknown argument ${arg}`);
    }
    if (!options.stdio === !options.http)
        throw new Error('give exactly one of --stdio TRACEDESK or --http URL');
    return options;
}

export const tally = { passed: 0, failed: 0 };

export function check(condition, what, detail) {
    if (condition) {
        ++tally.passed;
        console.log(`ok   ${what}`);
    } else {
        ++tally.failed;
        console.log(`FAIL ${what}${detail === undefined ? '' : `: ${typeof detail === 'string' ? detail : JSON.stringify(detail).slice(0, 2000)}`}`);
    }
    return condition;
}
