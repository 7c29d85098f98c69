import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

// Compiled next to this test: <out>/test/unit/scripts -> <out>/scripts/demo-target.js
const demoScript = fileURLToPath(new URL('../../../scripts/demo-target.js', import.meta.url));

test('the demo Orders API takes batches, answers ids, logs one line per request and stops on SIGTERM', async (t) => {
  const child = spawn(process.execPath, [demoScript], {
    env: { ...process.env, DEMO_TARGET_PORT: '0', DEMO_API_TOKEN: 'demo-token' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));

  // The child's stdout is a pipe: a line may arrive after the HTTP answer it belongs to.
  const waitForOutput = (pattern: RegExp): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const match = pattern.exec(output);
        if (match === null) return false;
        clearTimeout(timer);
        child.stdout.off('data', check);
        resolve(match);
        return true;
      };
      const timer = setTimeout(() => {
        child.stdout.off('data', check);
        reject(new Error(`the demo did not print ${String(pattern)}; it printed: ${output}`));
      }, 5000);
      if (!check()) child.stdout.on('data', check);
    });

  const url = (await waitForOutput(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1] ?? '';
  assert.match(output, /bearer token required/);

  const unauthorized = await fetch(`${url}/v1/orders`, { method: 'POST', body: '[{"orderId":"A"}]' });
  assert.equal(unauthorized.status, 401);

  const res = await fetch(`${url}/v1/orders:batch`, {
    method: 'POST',
    headers: { authorization: 'Bearer demo-token', 'idempotency-key': 'batch-7f3a', 'content-type': 'application/json' },
    body: JSON.stringify({ items: [{ orderId: 'ORD-1', note: 'x'.repeat(300) }, { orderId: 'ORD-2' }] }),
  });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { results: { id: string }[] };
  assert.equal(body.results.length, 2);
  assert.ok(body.results.every((r) => typeof r.id === 'string' && r.id.length > 0));

  const [line] = await waitForOutput(/^.*POST \/v1\/orders:batch.*$/m);
  assert.match(line, /^\d\d:\d\d:\d\d {2}POST \/v1\/orders:batch {2}2 records {2}key=batch-7f3a {2}first=\{"orderId":"ORD-1"/);
  assert.ok(line.length < 220, 'the first record is shortened');

  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0);
});
