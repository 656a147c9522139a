// SPDX-License-Identifier: GPL-2.0-or-later
// Runs one scenario of the MCP conformance suite and passes only when every check passed.
//   node conformance.mjs CONFORMANCE_INDEX_JS URL SCENARIO
import { spawnSync } from 'node:child_process';

const [cli, url, scenario] = process.argv.slice(2);
const result = spawnSync(process.execPath, [cli, 'server', '--url', url, '--scenario', scenario], {
    encoding: 'utf8', timeout: 90000, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
});
const output = (result.stdout ?? '') + (result.stderr ?? '');
process.stdout.write(output);
// eslint-disable-next-line no-control-regex
const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
const summary = plain.match(/Passed: (\d+)\/(\d+), (\d+) failed/);
if (result.status !== 0 || !summary || summary[1] !== summary[2] || summary[3] !== '0' || summary[2] === '0') {
    process.stderr.write(`conformance scenario ${scenario}: FAILED (exit ${result.status ?? result.signal})\n`);
    process.exit(1);
}
process.stdout.write(`conformance scenario ${scenario}: ${summary[1]}/${summary[2]} checks passed\n`);
