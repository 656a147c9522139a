// SPDX-License-Identifier: GPL-2.0-or-later
// Passes when the given command fails (e.g. a client without the token must be refused).
//   node expectfailure.mjs COMMAND ARGS...
import { spawnSync } from 'node:child_process';

const [cmd, ...args] = process.argv.slice(2);
const result = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60000 });
process.stdout.write(result.stdout ?? '');
process.stderr.write(result.stderr ?? '');
if (result.status === 0) {
    process.stderr.write('expected the command to fail, but it succeeded\n');
    process.exit(1);
}
const text = (result.stdout ?? '') + (result.stderr ?? '');
if (!/401|Unauthorized|unauthori[sz]ed/i.test(text)) {
    process.stderr.write('the command failed, but not with 401 Unauthorized\n');
    process.exit(1);
}
process.stdout.write('refused as expected (401)\n');
