import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { runCli } from '../support/run-cli.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

describe('profile versions', () => {
  let target: HttpTarget;
  let ws: Workspace;
  before(async () => {
    target = await startHttpTarget();
    ws = createWorkspace();
  });
  after(async () => {
    await target.close();
    ws.remove();
  });

  it('records the version each batch ran with: the same content keeps its number, an edit gets the next', async () => {
    const profile = ordersProfile(ws, target.url);
    ws.writeProfile('orders', profile);
    writeOrdersCsv(join(ws.inbox, 'a.csv'), 2, 'A');
    const first = JSON.parse((await runCli(['run', 'orders', '--json'], { env: ws.env })).stdout) as { batches: { profileVersion: number }[] };
    assert.equal(first.batches[0]?.profileVersion, 1);
    ws.writeProfile('orders', profile.replace('batchSize: 10', 'batchSize: 5'));
    writeOrdersCsv(join(ws.inbox, 'b.csv'), 2, 'B');
    const second = JSON.parse((await runCli(['run', 'orders', '--json'], { env: ws.env })).stdout) as { batches: { profileVersion: number }[] };
    assert.equal(second.batches[0]?.profileVersion, 2);
    const status = await runCli(['status', '--json'], { env: ws.env });
    const batches = (JSON.parse(status.stdout) as { batches: { file: string; profileVersion: { number: number; hash: string } }[] }).batches;
    assert.equal(batches.find((b) => b.file === 'a.csv')?.profileVersion.number, 1);
    assert.equal(batches.find((b) => b.file === 'b.csv')?.profileVersion.number, 2);
    assert.match((await runCli(['status'], { env: ws.env })).stdout, /orders v2 {2}b\.csv/);
  });

  it('reprocesses with the current version, or with --original-version the one the batch first ran with (same keys)', async () => {
    const status = JSON.parse((await runCli(['status', '--json'], { env: ws.env })).stdout) as { batches: { id: string; file: string }[] };
    const a = status.batches.find((b) => b.file === 'a.csv');
    assert.ok(a);
    const firstKeys = target.requests.filter((q) => JSON.stringify(q.json).includes('"A-')).map((q) => q.idempotencyKey);
    assert.equal(firstKeys.length, 1);

    let n = target.requests.length;
    const current = await runCli(['reprocess', a.id, '--json'], { env: ws.env });
    assert.equal(current.code, 0, current.stderr);
    assert.equal((JSON.parse(current.stdout) as { batches: { profileVersion: number }[] }).batches[0]?.profileVersion, 2);
    assert.notDeepEqual(target.requests.slice(n).map((q) => q.idempotencyKey), firstKeys, 'another profile version sends under other keys');

    n = target.requests.length;
    const original = await runCli(['reprocess', a.id, '--original-version', '--json'], { env: ws.env });
    assert.equal(original.code, 0, original.stderr);
    assert.equal((JSON.parse(original.stdout) as { batches: { profileVersion: number }[] }).batches[0]?.profileVersion, 1);
    assert.deepEqual(target.requests.slice(n).map((q) => q.idempotencyKey), firstKeys, 'the original version sends under the original keys');
  });
});
