import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { assertInvariants } from '../support/invariants.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { runCli } from '../support/run-cli.js';
import { createWorkspace, ordersProfile } from '../support/workspace.js';

const FEW_ROWS = 45;
const STREAMED_ROWS = 20_000;
const POINTS = ['after-claim', 'after-stage', 'after-chunk:2', 'before-result-rename', 'after-result', 'before-settle'];
/** `target.stream: true` sends chunks while the file is read: killed while some are out, the restart spools again */
const STREAMED_POINTS = ['after-chunk:2', 'before-result-rename'];
const CASES = [...POINTS.map((point) => ({ point, stream: false })), ...STREAMED_POINTS.map((point) => ({ point, stream: true }))];

describe('SIGKILL at named points, then a restart', () => {
  let target: HttpTarget;
  before(async () => {
    target = await startHttpTarget();
  });
  after(async () => {
    await target.close();
  });

  for (const { point, stream } of CASES) {
    it(`finishes the job after a kill ${point}${stream ? ' (streamed)' : ''}: every row once, identical resends, one result, source settled once`, async () => {
      const ws = createWorkspace();
      try {
        ws.writeProfile('orders', ordersProfile(ws, target.url, { batchSize: 10, stream, concurrency: stream ? 2 : 1 }));
        // streamed: enough rows for several reads, so that chunks go out before the spool is complete
        const ROWS = stream ? STREAMED_ROWS : FEW_ROWS;
        writeOrdersCsv(join(ws.inbox, 'big.csv'), ROWS, point.replace(/[^a-z]/g, '').toUpperCase().slice(0, 8));
        const start = target.requests.length;
        const killed = await runCli(['run', 'orders', '--json'], { env: { ...ws.env, FERRY_CRASHPOINT: point } });
        assert.equal(killed.signal, 'SIGKILL', `the run was killed at ${point}: ${killed.stderr}`);
        if (stream && point.startsWith('after-chunk')) {
          const spools = ws.files(join(ws.data, 'spool'));
          assert.ok(spools.length > 0 && !spools.some((f) => f.endsWith('summary.json')), `killed before the spool was complete: ${spools.join(', ')}`);
        }
        const resumed = await runCli(['run', 'orders', '--json'], { env: ws.env });
        assert.equal(resumed.code, 0, resumed.stderr);
        const again = await runCli(['run', 'orders', '--json'], { env: ws.env });
        assert.equal(again.code, 0, again.stderr);

        const requests = target.requests.slice(start);
        const bodiesByKey = new Map<string, Set<string>>();
        for (const q of requests) {
          const k = q.idempotencyKey ?? '';
          bodiesByKey.set(k, (bodiesByKey.get(k) ?? new Set()).add(q.body.toString('utf8')));
        }
        for (const [k, bodies] of bodiesByKey) assert.equal(bodies.size, 1, `a resend under ${k} carries the same body`);
        assert.equal(bodiesByKey.size, Math.ceil(ROWS / 10), 'one key per chunk');
        const ids = new Set(requests.flatMap((q) => (q.json as { items: { orderId: string }[] }).items.map((i) => i.orderId)));
        assert.equal(ids.size, ROWS, 'every row delivered');

        assert.deepEqual(ws.files(ws.results), ['big.result.csv'], 'one result file, no temp files');
        const lines = readFileSync(join(ws.results, 'big.result.csv'), 'latin1').trim().split('\r\n');
        assert.equal(lines.length, ROWS + 1);
        assert.deepEqual(ws.files(ws.inbox), [join('processed', 'big.csv')], 'the source settled once');
        const leftovers = ws.files(ws.data).filter((f) => f.endsWith('.part') || f.startsWith('staging') || f.startsWith('spool'));
        assert.deepEqual(leftovers, [], 'no temp files left');
        assert.ok(!existsSync(join(ws.data, 'ferry.db.lock')), 'the lock is released');
        const ledger = assertInvariants({ ledger: join(ws.data, 'ferry.db'), requests, tempFree: [ws.inbox, ws.results], dataDir: ws.data });
        assert.deepEqual(ledger.byStatus, { completed: 1 }, 'one batch, completed once');
        assert.equal(ledger.rows.delivered, ROWS);
      } finally {
        ws.remove();
      }
    });
  }
});
