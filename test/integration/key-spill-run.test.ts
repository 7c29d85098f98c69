import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { assertInvariants } from '../support/invariants.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { runCli } from '../support/run-cli.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

interface RunJson {
  status: string;
  batches: { status: string; rows: { total: number; delivered: number; rejected: number; failed: number; skipped: number } }[];
}

// The duplicate-key check keeps FERRY_KEY_MEMORY keys in memory and spills the rest to a scratch
// file in the spool folder; here 100 keys, so that a 999-row file spills nine times.
describe('ferry run with a key check that outgrows memory', () => {
  let target: HttpTarget;
  let ws: Workspace;
  before(async () => {
    target = await startHttpTarget();
    ws = createWorkspace();
    ws.writeProfile('orders', ordersProfile(ws, target.url, { batchSize: 500 }));
  });
  after(async () => {
    await target.close();
    ws.remove();
  });

  it('rejects a key repeated after its first row was spilled, names that row, and leaves no scratch file', async () => {
    const file = join(ws.inbox, 'big-orders.csv');
    writeOrdersCsv(file, 999);
    // rows 1001 and 1002 repeat ORD-00007 (line 8, spilled long ago) and ORD-00998 (line 999, still in memory)
    const again = readFileSync(file, 'latin1').split('\r\n');
    appendFileSync(file, Buffer.from(`${again[7] ?? ''}\r\n${again[998] ?? ''}\r\n`, 'latin1'));
    const r = await runCli(['run', 'orders', '--json'], { env: { ...ws.env, FERRY_KEY_MEMORY: '100' } });
    assert.equal(r.code, 3, r.stderr);
    const run = JSON.parse(r.stdout) as RunJson;
    assert.deepEqual(run.batches[0]?.rows, { total: 1001, delivered: 999, rejected: 2, failed: 0, skipped: 0 });
    assert.equal(target.acceptedRecords().length, 999);
    const lines = readFileSync(join(ws.results, 'big-orders.result.csv'), 'latin1').trim().split('\r\n');
    assert.match(lines.find((l) => l.startsWith('1001;')) ?? '', /^1001;rejected;.*ORD-00007 already appeared on row 8/);
    assert.match(lines.find((l) => l.startsWith('1002;')) ?? '', /^1002;rejected;.*ORD-00998 already appeared on row 999/);
    assertInvariants({ ledger: join(ws.data, 'ferry.db'), requests: target.requests, tempFree: [ws.inbox, ws.results], dataDir: ws.data });
  });
});
