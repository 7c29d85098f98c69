/**
 * `target.stream: true`: chunks go out while the file is still read. The same records, chunks and
 * result file as reading the whole file first; a file error late in the file fails the batch but
 * accounts for the rows sent before it; the profile loader refuses it next to a reject limit.
 * (Kills in the middle of a streamed batch are in crash.test.ts.)
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { assertInvariants } from '../support/invariants.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { runCli } from '../support/run-cli.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

interface RunBatch { status: string; rows: { total: number; delivered: number; rejected: number }; resultFile: string | null; error: string | null }
interface RunJson { status: string; batches: RunBatch[] }

const ROWS = 5000;

/** Runs `orders` once on `file` in a fresh workspace; returns the run, the bodies sent and the result file. */
async function runOnce(target: HttpTarget, stream: boolean, write: (path: string) => void): Promise<{ ws: Workspace; run: RunJson; code: number; bodies: string[]; result: string }> {
  const ws = createWorkspace();
  ws.writeProfile('orders', ordersProfile(ws, target.url, { batchSize: 100, concurrency: 3, stream }));
  write(join(ws.inbox, 'orders.csv'));
  const start = target.requests.length;
  const r = await runCli(['run', 'orders', '--json'], { env: ws.env, timeoutMs: 60_000 });
  const run = JSON.parse(r.stdout) as RunJson;
  const bodies = target.requests.slice(start).map((q) => q.body.toString('utf8'));
  const resultFile = run.batches[0]?.resultFile ?? '';
  return { ws, run, code: r.code, bodies, result: resultFile === '' ? '' : readFileSync(resultFile, 'latin1') };
}

describe('streamed delivery (target.stream: true)', () => {
  let target: HttpTarget;
  const workspaces: Workspace[] = [];
  before(async () => {
    target = await startHttpTarget();
  });
  after(async () => {
    await target.close();
    for (const ws of workspaces) ws.remove();
  });

  it('sends the same chunks and writes the same result file as reading the whole file first', async () => {
    const write = (path: string): void => writeOrdersCsv(path, ROWS, 'S');
    const whole = await runOnce(target, false, write);
    const streamed = await runOnce(target, true, write);
    workspaces.push(whole.ws, streamed.ws);
    assert.equal(streamed.code, 0);
    assert.deepEqual(streamed.run.batches.map((b) => [b.status, b.rows.delivered]), [['completed', ROWS]]);
    // requests may finish in another order with concurrency 3: the same bodies, as a set
    assert.equal(streamed.bodies.length, ROWS / 100);
    assert.deepEqual([...streamed.bodies].sort(), [...whole.bodies].sort());
    assert.equal(streamed.result, whole.result);
    assert.deepEqual(streamed.ws.files(streamed.ws.inbox), [join('processed', 'orders.csv')]);
    const ledger = assertInvariants({ ledger: join(streamed.ws.data, 'ferry.db'), requests: target.requests, tempFree: [streamed.ws.inbox, streamed.ws.results, streamed.ws.data], dataDir: streamed.ws.data });
    assert.equal(ledger.rows.delivered, ROWS);
  });

  it('fails the batch on a file error late in the file, with every row sent before it in the result file', async () => {
    // 2,500 good rows, then a quote that never closes: the reader finds out only at the end
    const write = (path: string): void => {
      writeOrdersCsv(path, 2500, 'Q');
      writeFileSync(path, Buffer.from('Q-99999;"Müller;SKU-1;1;1,00;01.03.2026;O\r\nQ-99998;Müller;SKU-1;1;1,00;01.03.2026;O\r\n', 'latin1'), { flag: 'a' });
    };
    const whole = await runOnce(target, false, write);
    const streamed = await runOnce(target, true, write);
    workspaces.push(whole.ws, streamed.ws);
    // read first: nothing is sent and there is no result file
    assert.deepEqual(whole.run.batches.map((b) => [b.status, b.rows.delivered]), [['failed', 0]]);
    assert.equal(whole.bodies.length, 0);
    // streamed: the rows before the error went out, and the result file says so row by row
    assert.equal(streamed.code, 1);
    const batch = streamed.run.batches[0];
    assert.equal(batch?.status, 'failed');
    assert.match(batch?.error ?? '', /^E_CSV_QUOTE: the quote opened at line 2502, column 9 is never closed/);
    assert.deepEqual(batch?.rows, { ...batch?.rows, total: 2500, delivered: 2500 });
    assert.equal(streamed.bodies.length, 25);
    const lines = streamed.result.trim().split('\r\n');
    assert.equal(lines.length, 2501, 'a header and one line per row read');
    assert.ok(lines.slice(1).every((l) => /^\d+;delivered;/.test(l)), lines.find((l) => !/^\d+;delivered;/.test(l)));
    assert.deepEqual(streamed.ws.files(streamed.ws.inbox), [join('failed', 'orders.csv')]);
    assertInvariants({ ledger: join(streamed.ws.data, 'ferry.db'), requests: target.requests, tempFree: [streamed.ws.inbox, streamed.ws.results, streamed.ws.data], dataDir: streamed.ws.data });
  });

  it('is refused next to maxRejected or onError: reject-file, at target.stream', async () => {
    const ws = createWorkspace();
    workspaces.push(ws);
    const streamed = ordersProfile(ws, 'http://127.0.0.1:9', { stream: true });
    ws.writeProfile('limit', streamed.replace('target:', 'maxRejected: 5%\ntarget:'));
    ws.writeProfile('strict', streamed.replace('target:', 'onError: reject-file\ntarget:'));
    const r = await runCli(['check'], { env: ws.env });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    const out = r.stdout + r.stderr;
    assert.match(out, /limit\.yaml:\d+ target\.stream: cannot be combined with maxRejected/);
    assert.match(out, /strict\.yaml:\d+ target\.stream: cannot be combined with onError: reject-file/);
  });
});
