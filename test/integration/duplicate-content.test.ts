import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { assertInvariants } from '../support/invariants.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { runCli } from '../support/run-cli.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

interface RunJson {
  batches: { file: string; status: string; error: string | null }[];
}

// Found while building the soak test: two copies of a file staged at the same time (one scan works on several
// files at once) both missed each other and were both delivered.
describe('two copies of one file arriving together', () => {
  let target: HttpTarget;
  let ws: Workspace;
  beforeEach(async () => {
    target = await startHttpTarget();
    ws = createWorkspace();
    ws.writeProfile('orders', ordersProfile(ws, target.url, { batchSize: 10 }));
    writeOrdersCsv(join(ws.inbox, 'a.csv'), 30, 'TWIN');
    copyFileSync(join(ws.inbox, 'a.csv'), join(ws.inbox, 'b.csv'));
  });
  afterEach(async () => {
    await target.close();
    ws.remove();
  });

  it('delivers the content once and skips the other copy, naming the batch that has it', async () => {
    const r = await runCli(['run', 'orders', '--json'], { env: ws.env });
    assert.equal(r.code, 0, r.stderr);
    const statuses = (JSON.parse(r.stdout) as RunJson).batches.map((b) => b.status).sort();
    assert.deepEqual(statuses, ['completed', 'skipped']);
    const skipped = (JSON.parse(r.stdout) as RunJson).batches.find((b) => b.status === 'skipped');
    assert.match(String(skipped?.error), /(being processed|already processed) as batch b_/);
    assert.equal(target.requests.length, 3, 'three chunks, sent once');
    assertInvariants({ ledger: join(ws.data, 'ferry.db'), requests: target.requests, dataDir: ws.data });
  });

  it('still delivers it once when both are resumed together after a kill', async () => {
    const killed = await runCli(['run', 'orders', '--json'], { env: { ...ws.env, FERRY_CRASHPOINT: 'after-stage' } });
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    const resumed = await runCli(['run', 'orders', '--json'], { env: ws.env });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(new Set(target.requests.map((q) => q.idempotencyKey)).size, 3);
    const summary = assertInvariants({ ledger: join(ws.data, 'ferry.db'), requests: target.requests, dataDir: ws.data });
    assert.deepEqual(summary.byStatus, { completed: 1, skipped: 1 });
  });
});
