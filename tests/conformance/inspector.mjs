// SPDX-License-Identifier: GPL-2.0-or-later
// Runs the inspector CLI from its own build directory: inspector-cli 1.0.3 finds its package.json
// relative to the working directory, so started from anywhere else it cannot even start.
//   node inspector.mjs ARGS...   (the inspector CLI's own arguments)
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const build = join(dirname(fileURLToPath(import.meta.url)), 'node_modules/@modelcontextprotocol/inspector-cli/build');
const result = spawnSync(process.execPath, [join(build, 'index.js'), ...process.argv.slice(2)], {
    cwd: build, stdio: 'inherit', timeout: 90000,
});
process.exit(result.status ?? 1);
