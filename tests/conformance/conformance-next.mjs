// SPDX-License-Identifier: GPL-2.0-or-later
// Runs one scenario of the conformance suite's 0.2 line and judges it check by check:
//   node conformance-next.mjs CONFORMANCE_INDEX_JS URL SCENARIO [--spec-version V] [--not-testable CHECK_ID]...
// It passes when every check passed or was skipped as not applicable (a capability TraceDesk does
// not claim). A check named with --not-testable is one that needs the suite's own fixture tool
// (test_missing_capability, test_logging_tool, ...): it must fail with the suite's "Not testable:"
// reason, and nothing else; once it passes, the entry is stale and the run fails, so the list
// in CMakeLists.txt and the README never outlives its reason.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [cli, url, scenario, ...rest] = process.argv.slice(2);
let specVersion;
const notTestable = new Set();
for (let i = 0; i < rest.length; ++i) {
    if (rest[i] === '--spec-version') specVersion = rest[++i];
    else if (rest[i] === '--not-testable') notTestable.add(rest[++i]);
    else throw new Error(`unknown argument ${rest[i]}`);
}

const outDir = mkdtempSync(join(tmpdir(), 'tracedesk-conformance-'));
const args = [cli, 'server', '--url', url, '--scenario', scenario, '-o', outDir];
if (specVersion) args.push('--spec-version', specVersion);
const result = spawnSync(process.execPath, args, {
    encoding: 'utf8', timeout: 90000, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
});
process.stdout.write((result.stdout ?? '') + (result.stderr ?? ''));

function findChecks(dir) {
    for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) {
            const found = findChecks(path);
            if (found) return found;
        } else if (name === 'checks.json') {
            return path;
        }
    }
    return null;
}

const label = `${scenario}${specVersion ? ` at ${specVersion}` : ''}`;
const checksFile = findChecks(outDir);
if (!checksFile) {
    process.stderr.write(`conformance scenario ${label}: FAILED, no checks.json (exit ${result.status ?? result.signal})\n`);
    process.exit(1);
}
const checks = JSON.parse(readFileSync(checksFile, 'utf8'));
rmSync(outDir, { recursive: true, force: true });

const problems = [];
let passed = 0;
let skipped = 0;
let untestable = 0;
// An id can repeat (one check per case); each occurrence is judged.
for (const check of checks) {
    const excused = notTestable.has(check.id);
    if (excused) {
        if (check.status === 'SUCCESS')
            problems.push(`${check.id} passes now: remove it from the not-testable list`);
        else if (!String(check.errorMessage ?? '').startsWith('Not testable:'))
            problems.push(`${check.id} (${check.status}) failed for a real reason: ${check.errorMessage}`);
        else
            ++untestable;
        continue;
    }
    if (check.status === 'SUCCESS') ++passed;
    else if (check.status === 'SKIPPED' || check.status === 'INFO') ++skipped;
    else problems.push(`${check.id} (${check.status}): ${check.errorMessage ?? check.description}`);
}
if (passed === 0) problems.push('no check passed');

if (problems.length > 0) {
    process.stderr.write(`conformance scenario ${label}: FAILED\n  ${problems.join('\n  ')}\n`);
    process.exit(1);
}
process.stdout.write(`conformance scenario ${label}: ${passed} checks passed, ${skipped} not applicable, `
    + `${untestable} not testable without the suite's fixture tools\n`);
