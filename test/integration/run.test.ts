import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { runCli } from '../support/run-cli.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

interface RunJson {
  status: string;
  batches: { id: string; file: string; status: string; rows: { total: number; delivered: number; rejected: number; failed: number; skipped: number }; resultFile: string | null; error: string | null }[];
}

describe('ferry run on a local folder', () => {
  let target: HttpTarget;
  let ws: Workspace;
  before(async () => {
    target = await startHttpTarget();
    ws = createWorkspace();
    ws.writeProfile('orders', ordersProfile(ws, target.url, { batchSize: 10 }));
  });
  after(async () => {
    await target.close();
    ws.remove();
  });

  it('delivers every record in batches, writes the result file and moves the source to processed/', async () => {
    writeOrdersCsv(join(ws.inbox, 'orders-1.csv'), 25);
    const r = await runCli(['run', 'orders', '--json'], { env: ws.env });
    assert.equal(r.code, 0, r.stderr);
    const run = JSON.parse(r.stdout) as RunJson;
    assert.equal(run.status, 'completed');
    assert.equal(run.batches.length, 1);
    assert.deepEqual(run.batches[0]?.rows, { total: 25, delivered: 25, rejected: 0, failed: 0, skipped: 0 });
    assert.equal(target.requests.length, 3, 'batchSize 10 → 3 requests');
    assert.equal(target.acceptedRecords().length, 25);
    const keys = target.requests.map((q) => q.idempotencyKey);
    assert.equal(new Set(keys).size, 3, 'each request has its own idempotency key');
    const first = (target.requests[0]?.json as { items: Record<string, unknown>[] }).items[0];
    assert.deepEqual(first, { orderId: 'ORD-00001', customer: 'Müller & Söhne GmbH', sku: 'SKU-000001', qty: 2, price: 1234.51, orderedAt: '2026-03-02', status: 'closed' });
    const resultFile = join(ws.results, 'orders-1.result.csv');
    assert.equal(run.batches[0]?.resultFile, resultFile);
    const lines = readFileSync(resultFile, 'latin1').trim().split('\r\n');
    assert.equal(lines[0], 'row;status;key;targetId;error');
    assert.equal(lines.length, 26);
    assert.equal(lines[1], '2;delivered;ORD-00001;;');
    assert.ok(existsSync(join(ws.inbox, 'processed', 'orders-1.csv')));
    assert.ok(!existsSync(join(ws.inbox, 'orders-1.csv')));
  });

  it('skips the same content dropped again under another name', async () => {
    const before = target.requests.length;
    writeOrdersCsv(join(ws.inbox, 'orders-copy.csv'), 25);
    const r = await runCli(['run', 'orders', '--json'], { env: ws.env });
    assert.equal(r.code, 0, r.stderr);
    const run = JSON.parse(r.stdout) as RunJson;
    assert.equal(run.batches[0]?.status, 'skipped');
    assert.match(String(run.batches[0]?.error), /already processed as batch b_/);
    assert.equal(target.requests.length, before, 'nothing is sent twice');
  });

  it('reports rejected rows as partial (exit 3) and lists every row in the result file', async () => {
    ws.dropSample('orders-bad.csv');
    const r = await runCli(['run', 'orders', '--json'], { env: ws.env });
    assert.equal(r.code, 3, r.stderr);
    const run = JSON.parse(r.stdout) as RunJson;
    assert.deepEqual(run.batches[0]?.rows, { total: 16, delivered: 6, rejected: 10, failed: 0, skipped: 0 });
    const lines = readFileSync(join(ws.results, 'orders-bad.result.csv'), 'latin1').trim().split('\r\n');
    assert.equal(lines.length, 17, 'one line per source row');
    assert.match(lines.find((l) => l.startsWith('4;')) ?? '', /^4;rejected;;;qty: Qty is 0, the minimum is 1 \[min\]$/);
  });

  it('sends a settled batch again with ferry reprocess, under the same idempotency keys', async () => {
    const status = JSON.parse((await runCli(['status', '--json'], { env: ws.env })).stdout) as { batches: { id: string; file: string; status: string }[] };
    const original = status.batches.find((b) => b.file === 'orders-1.csv');
    assert.ok(original);
    const keysBefore = target.requests.slice(0, 3).map((q) => q.idempotencyKey);
    const n = target.requests.length;
    const r = await runCli(['reprocess', original.id, '--json'], { env: ws.env });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(target.requests.slice(n).map((q) => q.idempotencyKey), keysBefore);
  });

  it('writes the result file while the last chunk is still at the target, with the same lines as afterwards', async () => {
    const part = join(ws.results, '.orders-early.result.csv.part');
    const seenAtLastChunk: boolean[] = [];
    target.script((req) => {
      const items = (req.json as { items: { orderId: string }[] }).items;
      if (items.some((i) => i.orderId === 'EARLY-00025')) seenAtLastChunk.push(existsSync(part));
      // a record error in the first chunk: outcomes with errors are followed as they are committed
      return { perRecord: (_r, i) => (items[i]?.orderId === 'EARLY-00003' ? { error: 'sku unknown' } : undefined) };
    });
    ws.writeProfile('orders-early', ordersProfile(ws, target.url, { batchSize: 10, response: true }));
    try {
      writeOrdersCsv(join(ws.inbox, 'orders-early.csv'), 25, 'EARLY');
      const r = await runCli(['run', 'orders-early', '--json'], { env: ws.env });
      assert.equal(r.code, 3, r.stderr);
      assert.deepEqual(seenAtLastChunk, [true], 'the result file was begun before the last chunk was answered');
      const run = JSON.parse(r.stdout) as RunJson;
      assert.deepEqual(run.batches[0]?.rows, { total: 25, delivered: 24, rejected: 0, failed: 1, skipped: 0 });
      const lines = readFileSync(join(ws.results, 'orders-early.result.csv'), 'latin1').trim().split('\r\n');
      assert.equal(lines.length, 26);
      assert.equal(lines[3], '4;failed;EARLY-00003;;sku unknown [E_TARGET_REJECTED]');
      assert.ok(!existsSync(part), 'no temp file is left');
    } finally {
      target.script([]);
    }
  });

  it('fails the batch (exit 1) when the target stays unavailable, and marks undelivered rows failed', async () => {
    target.script(() => ({ status: 503 }));
    try {
      writeOrdersCsv(join(ws.inbox, 'orders-down.csv'), 5, 'DOWN');
      const r = await runCli(['run', 'orders', '--json'], { env: ws.env });
      assert.equal(r.code, 1, r.stderr);
      const run = JSON.parse(r.stdout) as RunJson;
      assert.equal(run.batches[0]?.status, 'failed');
      assert.match(String(run.batches[0]?.error), /E_TARGET_UNAVAILABLE/);
      assert.ok(existsSync(join(ws.inbox, 'failed', 'orders-down.csv')), 'the source moved to failed/');
      const lines = readFileSync(join(ws.results, 'orders-down.result.csv'), 'latin1').trim().split('\r\n');
      assert.equal(lines.length, 6);
      assert.ok(lines.slice(1).every((l) => /;failed;DOWN-\d+;;"not delivered: the target .* after 3 attempts/.test(l)), lines.join('\n'));
    } finally {
      target.script([]);
    }
  });
});
