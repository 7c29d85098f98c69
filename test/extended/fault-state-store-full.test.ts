/**
 * F29 of ../shared/research/reliability-and-security.md §6.1: the state DB cannot grow in the
 * middle of a delivery. The run is started under `ulimit -f` a little above the ledger's size, so
 * the WAL's next pages are refused by the kernel (EFBIG, which SQLite reports as a write error,
 * as it would ENOSPC on a full disk). ferry must fail closed: nothing is pushed that the ledger
 * does not know about beyond the one chunk in flight, and a run with room finishes every row once,
 * resending only under the same key and body.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import Database from 'better-sqlite3';

import { ledgerBatches } from '../support/fault-ledger.js';
import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { assertInvariants } from '../support/invariants.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { runCli } from '../support/run-cli.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

function committedChunkKeys(ledger: string): Set<string> {
  const db = new Database(ledger, { readonly: true });
  try {
    return new Set((db.prepare('SELECT key FROM chunks').all() as { key: string }[]).map((r) => r.key));
  } finally {
    db.close();
  }
}

describe('F29: the state DB fills up during a delivery', () => {
  let target: HttpTarget;
  let ws: Workspace;
  before(async () => {
    target = await startHttpTarget();
    ws = createWorkspace('ferry-fault-');
    ws.writeProfile('orders', ordersProfile(ws, target.url, { batchSize: 5 }));
  });
  after(async () => {
    await target.close();
    ws.remove();
  });

  it('fails closed (no push without a ledger row beyond the chunk in flight) and loses nothing once there is room', async () => {
    writeOrdersCsv(join(ws.inbox, 'first.csv'), 5, 'ROOM');
    const warm = await runCli(['run', 'orders', '--json'], { env: ws.env });
    assert.equal(warm.code, 0, warm.stderr);
    const ledger = join(ws.data, 'ferry.db');
    const dbKiB = Math.ceil(statSync(ledger).size / 1024);

    writeOrdersCsv(join(ws.inbox, 'second.csv'), 900, 'FULL');
    const start = target.requests.length;
    // room for the staged copy and the spool (each well under 200 KiB), not for the WAL of 180 chunk commits
    const full = await runCli(['run', 'orders', '--json'], { env: { ...ws.env, FERRY_LOG_LEVEL: 'error' }, fileLimitKiB: dbKiB + 200, timeoutMs: 60_000 });
    assert.equal(full.signal, null, `the process handled the full store itself: ${full.stderr}`);
    assert.notEqual(full.code, 0, 'a run that could not keep its ledger does not report success');
    assert.match(full.stderr, /SQLITE_(FULL|IOERR)/, 'it was the ledger that could not grow');
    const unfinished = ledgerBatches(ledger).filter((b) => b.file_name === 'second.csv');
    assert.ok(unfinished.every((b) => b.state !== 'done' || b.status !== 'completed'), 'the batch is not reported complete');
    const sent = new Set(target.requests.slice(start).map((q) => q.idempotencyKey ?? ''));
    const known = committedChunkKeys(ledger);
    const unknown = [...sent].filter((k) => !known.has(k));
    assert.ok(unknown.length <= 1, `pushed without a ledger row: ${unknown.length} chunks (at most the one in flight)`);

    const room = await runCli(['run', 'orders', '--json'], { env: ws.env, timeoutMs: 60_000 });
    assert.equal(room.code, 0, room.stderr);
    const requests = target.requests.slice(start);
    const ids = new Set(requests.flatMap((q) => (q.json as { items: { orderId: string }[] }).items.map((i) => i.orderId)));
    assert.equal(ids.size, 900, 'every row delivered once the store has room');
    const summary = assertInvariants({ ledger, requests, tempFree: [ws.inbox, ws.results], dataDir: ws.data });
    assert.deepEqual(summary.byStatus, { completed: 2 });
  });
});
