/**
 * Fault injection on a local-folder profile through `ferry run` (test plan F04, F17, F28, F36 of
 * ../shared/research/reliability-and-security.md §6.1). Each test ends with the shared oracle.
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { ledgerBatches } from '../support/fault-ledger.js';
import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { assertInvariants } from '../support/invariants.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { runCli } from '../support/run-cli.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

interface RunJson {
  status: string;
  batches: { file: string; status: string; rows: { total: number; delivered: number }; error: string | null }[];
}

const parse = (stdout: string): RunJson => JSON.parse(stdout) as RunJson;

function orderIds(target: HttpTarget, from: number): Set<string> {
  return new Set(target.requests.slice(from).flatMap((q) => (q.json as { items: { orderId: string }[] }).items.map((i) => i.orderId)));
}

describe('fault injection: local folder, ferry run', () => {
  let target: HttpTarget;
  let ws: Workspace;
  before(async () => {
    target = await startHttpTarget();
  });
  after(async () => {
    await target.close();
  });
  const fresh = (batchSize = 10): Workspace => {
    ws = createWorkspace('ferry-fault-');
    ws.writeProfile('orders', ordersProfile(ws, target.url, { batchSize }));
    return ws;
  };
  const check = (from: number): ReturnType<typeof assertInvariants> =>
    assertInvariants({ ledger: join(ws.data, 'ferry.db'), requests: target.requests.slice(from), tempFree: [ws.inbox, ws.results], dataDir: ws.data });

  it('F04: a zero-length file fails once with E_EMPTY_FILE, moves to failed/, and is not retried; its neighbour is delivered', async () => {
    fresh();
    try {
      writeFileSync(join(ws.inbox, 'empty.csv'), '');
      writeFileSync(join(ws.inbox, 'starting.csv'), '');
      // an empty file is taken only once it has stayed empty a while (EMPTY_MIN_AGE_MS): one
      // that has not is an export still starting, and waits
      const longAgo = new Date(Date.now() - 60_000);
      utimesSync(join(ws.inbox, 'empty.csv'), longAgo, longAgo);
      // "just now" for the whole run, however slowly the CLI starts on a loaded machine
      const justNow = new Date(Date.now() + 30_000);
      utimesSync(join(ws.inbox, 'starting.csv'), justNow, justNow);
      writeOrdersCsv(join(ws.inbox, 'good.csv'), 5, 'NEXT');
      const start = target.requests.length;
      const first = await runCli(['run', 'orders', '--json'], { env: ws.env });
      const run = parse(first.stdout);
      assert.equal(run.batches.find((b) => b.file === 'starting.csv'), undefined, 'a file that just appeared empty waits');
      rmSync(join(ws.inbox, 'starting.csv'));
      const empty = run.batches.find((b) => b.file === 'empty.csv');
      assert.equal(empty?.status, 'failed', first.stdout);
      assert.match(String(empty?.error), /E_EMPTY_FILE|empty/);
      assert.equal(run.batches.find((b) => b.file === 'good.csv')?.rows.delivered, 5);
      assert.ok(existsSync(join(ws.inbox, 'failed', 'empty.csv')), 'the empty file is moved to failed/');

      const sent = target.requests.length;
      const again = await runCli(['run', 'orders', '--json'], { env: ws.env });
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(parse(again.stdout).batches, [], 'no retry loop: nothing is taken again');
      assert.equal(target.requests.length, sent);
      const batches = ledgerBatches(join(ws.data, 'ferry.db'));
      assert.deepEqual(batches.filter((b) => b.file_name === 'empty.csv').map((b) => b.error_code), ['E_EMPTY_FILE'], 'recorded once, with its code');
      const summary = check(start);
      assert.deepEqual(summary.byStatus, { completed: 1, failed: 1 });
    } finally {
      ws.remove();
    }
  });

  it('F36: a poison file (binary, unparseable) fails at once with a stable code and goes to failed/; the other files of the poll are delivered', async () => {
    fresh();
    try {
      writeOrdersCsv(join(ws.inbox, 'a.csv'), 4, 'PA');
      const garbage = Buffer.alloc(4096);
      for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 131 + 7) % 256;
      writeFileSync(join(ws.inbox, 'poison.csv'), garbage);
      writeOrdersCsv(join(ws.inbox, 'z.csv'), 6, 'PZ');
      const start = target.requests.length;
      const first = await runCli(['run', 'orders', '--json'], { env: ws.env });
      const run = parse(first.stdout);
      const poison = run.batches.find((b) => b.file === 'poison.csv');
      assert.equal(poison?.status, 'failed', first.stdout);
      assert.equal(run.batches.find((b) => b.file === 'a.csv')?.rows.delivered, 4);
      assert.equal(run.batches.find((b) => b.file === 'z.csv')?.rows.delivered, 6);
      assert.ok(existsSync(join(ws.inbox, 'failed', 'poison.csv')), 'quarantined in failed/');
      const again = await runCli(['run', 'orders', '--json'], { env: ws.env });
      assert.deepEqual(parse(again.stdout).batches, [], 'the poison file is not tried again');
      const code = ledgerBatches(join(ws.data, 'ferry.db')).find((b) => b.file_name === 'poison.csv')?.error_code;
      assert.match(String(code), /^E_(NOT_TEXT|ENCODING|FORMAT_MISMATCH|CSV_[A-Z]+)$/);
      assert.equal(orderIds(target, start).size, 10);
      check(start);
    } finally {
      ws.remove();
    }
  });

  it('F36 after a crash: a poison file met only when its batch is resumed is settled as failed, not resumed at every start', async () => {
    fresh();
    try {
      writeFileSync(join(ws.inbox, 'poison.csv'), Buffer.from([0, 1, 2, 255, 254, 0, 0, 7]).toString('latin1').repeat(64), 'latin1');
      const killed = await runCli(['run', 'orders', '--json'], { env: { ...ws.env, FERRY_CRASHPOINT: 'after-stage' } });
      assert.equal(killed.signal, 'SIGKILL', killed.stderr);
      const resumed = await runCli(['run', 'orders', '--json'], { env: ws.env });
      assert.deepEqual(parse(resumed.stdout).batches.map((b) => [b.file, b.status]), [['poison.csv', 'failed']], resumed.stdout);
      const again = await runCli(['run', 'orders', '--json'], { env: ws.env });
      assert.deepEqual(parse(again.stdout).batches, [], 'not resumed again');
      assert.ok(existsSync(join(ws.inbox, 'failed', 'poison.csv')));
      check(target.requests.length);
    } finally {
      ws.remove();
    }
  });

  it('F17: a SIGKILL among 20 small files at a fixed crash point leaves an intact ledger; the restart finishes every file once', async () => {
    // the crash points and their counts are drawn once (seed 17) and fixed here, so a failure reproduces
    for (const point of ['after-chunk:7', 'after-stage:13']) {
      fresh(2);
      try {
        for (let i = 1; i <= 20; i++) writeOrdersCsv(join(ws.inbox, `f${String(i).padStart(2, '0')}.csv`), 3, `B${String(i).padStart(2, '0')}`);
        const start = target.requests.length;
        const killed = await runCli(['run', 'orders', '--json'], { env: { ...ws.env, FERRY_CRASHPOINT: point, FERRY_FILE_CONCURRENCY: '4' } });
        assert.equal(killed.signal, 'SIGKILL', `killed at ${point}: ${killed.stderr}`);
        const resumed = await runCli(['run', 'orders', '--json'], { env: ws.env });
        assert.equal(resumed.code, 0, resumed.stderr);
        const again = await runCli(['run', 'orders', '--json'], { env: ws.env });
        assert.equal(again.code, 0, again.stderr);
        assert.equal(orderIds(target, start).size, 60, `every row delivered after a kill at ${point}`);
        const summary = check(start);
        assert.deepEqual(summary.byStatus, { completed: 20 }, `one completed batch per file after a kill at ${point}`);
        assert.equal(ws.files(ws.results).length, 20);
      } finally {
        ws.remove();
      }
    }
  });

  it('F28: the disk fills while staging: the partial copy is removed, nothing is sent, the source stays; once there is room the file is processed once', async () => {
    fresh(1000);
    try {
      // about 1 MB of valid rows (writeOrdersCsv's prices stop being valid past row 999)
      const rows = Array.from({ length: 20_000 }, (_, i) => `FULL-${String(i + 1).padStart(5, '0')};Kunde;SKU-000001;1;1,00;01.03.2026;O;WH1;`);
      writeFileSync(join(ws.inbox, 'big.csv'), `Order No;Customer;SKU;Qty;Price;Date;Status;Warehouse;Comment\r\n${rows.join('\r\n')}\r\n`);
      const start = target.requests.length;
      // 512 KiB leaves room for the ledger; it bites the 1 MB staged copy
      const full = await runCli(['run', 'orders', '--json'], { env: { ...ws.env, FERRY_LOG_LEVEL: 'error' }, fileLimitKiB: 512 });
      assert.equal(full.signal, null, full.stderr);
      assert.equal(target.requests.length, start, 'nothing is pushed from a file that could not be staged');
      assert.ok(existsSync(join(ws.inbox, 'big.csv')), 'the source file is untouched');
      assert.deepEqual(ws.files(join(ws.data, 'staging')), [], 'the partial staged copy is removed');
      const stopped = ledgerBatches(join(ws.data, 'ferry.db')).filter((b) => b.file_name === 'big.csv');
      assert.equal(stopped.length, 1);
      assert.notEqual(stopped[0]?.state, 'done', 'the batch waits to be resumed, it is not settled as failed');
      assert.equal(stopped[0]?.error_code, 'E_DISK_FULL', full.stderr);

      const room = await runCli(['run', 'orders', '--json'], { env: ws.env });
      assert.equal(room.code, 0, room.stderr);
      assert.equal(orderIds(target, start).size, 20_000);
      const summary = check(start);
      assert.deepEqual(summary.byStatus, { completed: 1 });
      assert.ok(existsSync(join(ws.inbox, 'processed', 'big.csv')));
    } finally {
      ws.remove();
    }
  });
});
