// `npm start`: the daemon on the embedded SQLite store with the example profiles, next to the
// demo Orders API, so that a newcomer can drop a sample file and watch it go through.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
if (!existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) {
  console.error('ferry is not built yet: run npm install (or npm run build) first');
  process.exit(1);
}
const token = readFileSync(join(root, 'profiles', 'secrets', 'orders-api-token'), 'utf8').trim();
for (const p of ['erp-orders', 'webshop-products', 'field-service-jobs', 'stock-levels']) {
  mkdirSync(join(root, 'data', 'inbox', p), { recursive: true });
}

const demo = spawn(process.execPath, [join(root, 'dist', 'scripts', 'demo-target.js')], {
  cwd: root,
  env: { ...process.env, DEMO_API_TOKEN: token, DEMO_TARGET_PORT: process.env.DEMO_TARGET_PORT ?? '8471' },
  stdio: ['ignore', 'inherit', 'inherit'],
  // own process group: Ctrl-C reaches this script only, which then stops each child once
  detached: true,
});
// a token for this session's console, unless the caller configured their own
const consoleToken = process.env.FERRY_ADMIN_TOKENS === undefined && process.env.FERRY_ADMIN_TOKENS_FILE === undefined ? `demo_${randomBytes(12).toString('base64url')}` : undefined;
const ferry = spawn(process.execPath, [join(root, 'bin', 'ferry.js'), 'start'], {
  cwd: root,
  env: { ...process.env, FERRY_LOG_LEVEL: process.env.FERRY_LOG_LEVEL ?? 'info', ...(consoleToken === undefined ? {} : { FERRY_ADMIN_TOKENS: `demo:admin=${consoleToken}` }) },
  stdio: ['ignore', 'inherit', 'inherit'],
  detached: true,
});

console.log(`
ferry is running with the example profiles (profiles/) on data/ferry.db, and a demo Orders API
on http://127.0.0.1:8471 prints every request it gets. Try, in another terminal:

  cp samples/orders.csv data/inbox/erp-orders/
    → 25 records arrive at the demo API, data/outbox/erp-orders/orders.result.csv appears,
      and the file moves to data/inbox/erp-orders/processed/
  cp samples/orders-bad.csv data/inbox/erp-orders/
    → the file is rejected as a whole (too many bad rows); its result file says why, row by row
  cp samples/products.csv data/inbox/webshop-products/
  npx ferry status

The web console is at http://${process.env.FERRY_LISTEN ?? '127.0.0.1:8470'}/${consoleToken === undefined ? ' (log in with one of your FERRY_ADMIN_TOKENS)' : `; log in with this session's token:
  ${consoleToken}`}

Ctrl-C stops both.
`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  ferry.kill('SIGTERM');
  demo.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
ferry.on('exit', (code) => {
  demo.kill('SIGTERM');
  process.exitCode = code ?? 1;
});
