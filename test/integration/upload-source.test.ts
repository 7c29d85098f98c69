import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';

import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { DaemonProcess, until } from '../support/daemon-process.js';
import { runCli } from '../support/run-cli.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

const TOKEN = 'upload-token-77d1';

describe('uploads: POST /upload/<profile> for a source.type http profile', () => {
  let target: HttpTarget;
  let ws: Workspace;
  let daemon: DaemonProcess;
  let base = '';
  const csv = (rows: number, prefix: string): Buffer => {
    const path = join(ws.root, `${prefix}.csv`);
    writeOrdersCsv(path, rows, prefix);
    return readFileSync(path);
  };
  const batchOf = async (id: string): Promise<{ id: string; status: string; state: string; rows: { total: number; delivered: number } } | undefined> =>
    (JSON.parse((await runCli(['status', '--json'], { env: ws.env })).stdout) as { batches: { id: string; status: string; state: string; rows: { total: number; delivered: number } }[] }).batches.find((b) => b.id === id);
  const uploads = (): string[] => (existsSync(join(ws.data, 'uploads')) ? readdirSync(join(ws.data, 'uploads')) : []);

  before(async () => {
    target = await startHttpTarget();
    ws = createWorkspace();
    const profile = ordersProfile(ws, target.url)
      .replace(/source:\n(?: {2}.*\n)+/, `source:\n  type: http\n  token: "\${UPLOAD_TOKEN}"\n  maxSize: 2KB\n`)
      .replace('trigger: { watch: true, every: 1s }\n', '');
    ws.writeProfile('orders', profile);
    daemon = new DaemonProcess(ws, { UPLOAD_TOKEN: TOKEN });
    base = await daemon.ready();
  });
  after(async () => {
    daemon.kill();
    await target.close();
    ws.remove();
  });

  it('refuses an upload without the token and keeps nothing of it', async () => {
    const res = await fetch(`${base}/upload/orders?name=x.csv`, { method: 'POST', body: csv(2, 'NOAUTH') });
    assert.equal(res.status, 401);
    assert.equal((await fetch(`${base}/upload/other`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: 'x' })).status, 404);
    assert.deepEqual(uploads(), []);
  });

  it('takes a raw body: 202 with the batch id, then processed like any batch, with a result file', async () => {
    const res = await fetch(`${base}/upload/orders?name=orders-up.csv`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/csv' }, body: csv(3, 'RAW') });
    assert.equal(res.status, 202);
    const body = (await res.json()) as { batch: string; run: string; file: string };
    assert.match(body.batch, /^b_/);
    assert.equal(body.file, 'orders-up.csv');
    await until('the batch to settle', async () => (await batchOf(body.batch))?.state === 'done');
    assert.deepEqual((await batchOf(body.batch))?.rows, { total: 3, delivered: 3, rejected: 0, failed: 0, skipped: 0 });
    assert.ok(existsSync(join(ws.results, 'orders-up.result.csv')));
    assert.deepEqual(uploads(), [], 'the upload copy is removed once archived');
  });

  it('takes the file of a multipart form', async () => {
    const form = new FormData();
    form.append('file', new Blob([csv(2, 'FORM')]), 'form-orders.csv');
    const res = await fetch(`${base}/upload/orders`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: form });
    assert.equal(res.status, 202);
    const body = (await res.json()) as { batch: string; file: string };
    assert.equal(body.file, 'form-orders.csv');
    await until('the batch to settle', async () => (await batchOf(body.batch))?.state === 'done');
    const ids = (target.acceptedRecords() as { orderId: string }[]).map((r) => r.orderId);
    assert.ok(ids.includes('FORM-00002'));
  });

  it('refuses an upload larger than source.maxSize with 413, raw or multipart, leaving no partial file', async () => {
    const big = csv(60, 'BIG');
    assert.ok(big.length > 2000);
    const raw = await fetch(`${base}/upload/orders?name=big.csv`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-length': String(big.length) }, body: big });
    assert.equal(raw.status, 413);
    const form = new FormData();
    form.append('file', new Blob([big]), 'big.csv');
    const multi = await fetch(`${base}/upload/orders`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: form });
    assert.equal(multi.status, 413);
    assert.match(((await multi.json()) as { error: string }).error, /larger than 2000 bytes/);
    await delay(200);
    assert.deepEqual(uploads(), []);
  });
});
