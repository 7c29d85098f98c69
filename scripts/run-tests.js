// Runs every compiled test file with node's test runner. Node 20's `--test` takes no globs, so
// the files are listed here. Tiers by folder: everything except test/extended and test/soak is the
// core tier (npm test); `--tier extended` runs test/extended (npm run test:extended), `--tier soak`
// test/soak (npm run test:soak). Other arguments are substrings of the compiled paths to keep.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', 'dist', 'test');
const args = process.argv.slice(2);
const tierAt = args.indexOf('--tier');
const tier = tierAt === -1 ? 'core' : args[tierAt + 1];
const only = args.filter((_, i) => tierAt === -1 || (i !== tierAt && i !== tierAt + 1));
const TIER_DIRS = ['extended', 'soak'];
const tierOf = (f) => TIER_DIRS.find((t) => f.startsWith(join(root, t) + '/')) ?? 'core';

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return walk(full);
    return name.endsWith('.test.js') ? [full] : [];
  });
}

const files = walk(root)
  .filter((f) => tierOf(f) === tier)
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
if (files.length === 0) {
  console.error(`no ${tier} test files found under dist/test`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env: { ...process.env, FERRY_LOG_LEVEL: process.env.FERRY_LOG_LEVEL ?? 'silent' },
});
process.exit(result.status ?? 1);
