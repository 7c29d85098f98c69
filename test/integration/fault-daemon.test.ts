/**
 * Fault injection on the running daemon with a local folder (test plan F01, F18 and F24 of
 * ../shared/research/reliability-and-security.md §6.1). Each test ends with the shared oracle.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';

import { DaemonProcess, until } from '../support/daemon-process.js';
import { ledgerBatches } from '../support/fault-ledger.js';
import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { assertInvariants } from '../support/invariants.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

const HEADER = 'Order No;Customer;SKU;Qty;Price;Date;Status;Warehouse;Comment\r\n';
const row = (prefix: string, i: number): string => `${prefix}-${String(i).padStart(5, '0')};Kunde;SKU-000001;1;1,00;01.03.2026;O;WH1;\r\n`;

describe('fault injection: the daemon on a local folder', () => {
  let target: HttpTarget;
  let ws: Workspace;
  let daemon: DaemonProcess | undefined;
  before(async () => {
    target = await startHttpTarget();
  });
  after(async () => {
    daemon?.kill();
    await target.close();
  });

  it('F01: a file still being written is taken only once it stood still for minAge, and whole', async () => {
    ws = createWorkspace('ferry-fault-');
    try {
      const profile = ordersProfile(ws, target.url).replace('stable: { minAge: 0s }', 'stable: { minAge: 400ms }').replace('every: 1s', 'every: 200ms');
      ws.writeProfile('orders', profile);
      daemon = new DaemonProcess(ws);
      await daemon.ready();
      const start = target.requests.length;
      const file = join(ws.inbox, 'growing.csv');
      writeFileSync(file, HEADER, 'latin1');
      // a slow writer: one row every 80 ms for about a second, each append well inside minAge
      for (let i = 1; i <= 12; i++) {
        await delay(80);
        appendFileSync(file, row('GROW', i), 'latin1');
      }
      const lastWrite = Date.now();
      await until('the result file', () => existsSync(join(ws.results, 'growing.result.csv')));
      await until('the source to settle', () => existsSync(join(ws.inbox, 'processed', 'growing.csv')));
      await daemon.stop();
      const batches = ledgerBatches(join(ws.data, 'ferry.db'));
      assert.equal(batches.length, 1, 'one batch, not one per partial state of the file');
      assert.equal(batches[0]?.rows_total, 12, 'every row, none cut off');
      assert.ok((batches[0]?.created_at ?? 0) >= lastWrite, 'claimed only after the writer stopped');
      const summary = assertInvariants({ ledger: join(ws.data, 'ferry.db'), requests: target.requests.slice(start), tempFree: [ws.inbox, ws.results], dataDir: ws.data });
      assert.equal(summary.rows.delivered, 12);
    } finally {
      daemon?.kill();
      ws.remove();
    }
  });

  it('F24: a target answering 401 suspends the profile after one request per file; later polls send nothing (no retry storm)', async () => {
    ws = createWorkspace('ferry-fault-');
    try {
      ws.writeProfile('orders', ordersProfile(ws, target.url).replace('every: 1s', 'every: 200ms'));
      writeOrdersCsv(join(ws.inbox, 'one.csv'), 3, 'AUTH');
      const start = target.requests.length;
      target.script(() => ({ status: 401 }));
      daemon = new DaemonProcess(ws, { FERRY_FILE_CONCURRENCY: '1' });
      await until('the profile to be suspended', () => /profile suspended/.test(daemon?.log ?? ''));
      writeOrdersCsv(join(ws.inbox, 'two.csv'), 3, 'LATE');
      // a dozen poll intervals: a suspended profile must not take the new file nor retry the old one
      await delay(2500);
      await daemon.stop();
      const requests = target.requests.slice(start);
      assert.equal(requests.length, 1, 'exactly one request: E_TARGET_AUTH is not retried');
      const batches = ledgerBatches(join(ws.data, 'ferry.db'));
      assert.deepEqual(batches.map((b) => [b.file_name, b.status, b.error_code]), [['one.csv', 'failed', 'E_TARGET_AUTH']]);
      assert.ok(existsSync(join(ws.inbox, 'two.csv')), 'the file that came later waits for the fix');
      assertInvariants({ ledger: join(ws.data, 'ferry.db'), requests, tempFree: [ws.inbox, ws.results], dataDir: ws.data });
    } finally {
      target.script([]);
      daemon?.kill();
      ws.remove();
    }
  });

  it('F18: SIGTERM mid-delivery exits 0 promptly; the restart resumes with the same keys and every row is delivered once', async () => {
    ws = createWorkspace('ferry-fault-');
    try {
      ws.writeProfile('orders', ordersProfile(ws, target.url, { batchSize: 10 }));
      writeOrdersCsv(join(ws.inbox, 'slow.csv'), 50, 'TERM');
      const start = target.requests.length;
      target.script(() => ({ delayMs: 300 }));
      daemon = new DaemonProcess(ws);
      await until('the first chunk to arrive', () => target.requests.length > start + 1);
      const asked = Date.now();
      const exited = new Promise<number | null>((resolve) => daemon?.proc.once('exit', (code) => resolve(code)));
      daemon.proc.kill('SIGTERM');
      const code = await exited;
      const tookMs = Date.now() - asked;
      assert.equal(code, 0, daemon.log);
      assert.ok(tookMs < 10_000, `stopped in ${tookMs} ms, within the documented 10 s`);
      const stopped = ledgerBatches(join(ws.data, 'ferry.db'));
      assert.equal(stopped.length, 1);
      assert.notEqual(stopped[0]?.state, 'done', 'the stop came mid-delivery, so the restart has work to resume');

      target.script([]);
      daemon = new DaemonProcess(ws);
      await until('the resumed batch to settle', () => ledgerBatches(join(ws.data, 'ferry.db')).every((b) => b.state === 'done'));
      await daemon.stop();
      const requests = target.requests.slice(start);
      const ids = new Set(requests.filter((q) => q.status === 200).flatMap((q) => (q.json as { items: { orderId: string }[] }).items.map((i) => i.orderId)));
      assert.equal(ids.size, 50, 'every row delivered');
      const summary = assertInvariants({ ledger: join(ws.data, 'ferry.db'), requests, tempFree: [ws.inbox, ws.results], dataDir: ws.data });
      assert.deepEqual(summary.byStatus, { completed: 1 });
      assert.equal(summary.rows.delivered, 50);
      assert.deepEqual(ws.files(ws.results), ['slow.result.csv']);
    } finally {
      target.script([]);
      daemon?.kill();
      ws.remove();
    }
  });
});
