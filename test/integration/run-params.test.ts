import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { runCli } from '../support/run-cli.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

function withParams(yaml: string): string {
  return yaml
    .replace('fields:\n', 'params:\n  from: { type: date, required: true }\n  channel: { default: erp }\n  minQty: { type: integer, default: 1 }\nfilter: "number(row[\'Qty\']) >= param.minQty"\nfields:\n')
    .replace('key: [orderId]', '  channel:   { expr: "param.channel" }\n  since:     { expr: "param.from", type: date }\nkey: [orderId]')
    .replace('name: "{stem}.result.csv"', 'name: "{stem}-{param.channel}.result.csv"');
}

describe('ferry run with parameters', () => {
  let target: HttpTarget;
  let ws: Workspace;
  before(async () => {
    target = await startHttpTarget();
    ws = createWorkspace();
    ws.writeProfile('orders', withParams(ordersProfile(ws, target.url)));
  });
  after(async () => {
    await target.close();
    ws.remove();
  });

  it('refuses a run with wrong or missing parameters, naming each problem, before anything is read', async () => {
    writeOrdersCsv(join(ws.inbox, 'p.csv'), 4, 'P');
    const r = await runCli(['run', 'orders', '--param', 'minQty=two', '--param', 'color=red'], { env: ws.env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown parameter color; declared: from, channel, minQty/);
    assert.match(r.stderr, /parameter from is required/);
    assert.match(r.stderr, /parameter minQty must be a whole number, got "two"/);
    assert.equal(target.requests.length, 0);
  });

  it('passes parameters to expressions, the filter and the result file name, and keeps them with the run', async () => {
    const r = await runCli(['run', 'orders', '--param', 'from=2026-01-01', '--param', 'channel=shop', '--param', 'minQty=3', '--json'], { env: ws.env });
    assert.ok(r.code === 0 || r.code === 3, r.stderr);
    const run = JSON.parse(r.stdout) as { params: Record<string, string>; batches: { rows: { total: number; skipped: number; delivered: number } }[] };
    assert.deepEqual(run.params, { from: '2026-01-01', channel: 'shop', minQty: '3' });
    const records = target.acceptedRecords() as { qty: number; channel: string; since: string }[];
    assert.ok(records.length > 0);
    assert.ok(records.every((x) => x.qty >= 3 && x.channel === 'shop' && x.since === '2026-01-01'), JSON.stringify(records));
    const b = run.batches[0];
    assert.equal((b?.rows.delivered ?? 0) + (b?.rows.skipped ?? 0), 4);
    assert.ok(existsSync(join(ws.results, 'p-shop.result.csv')));
    const status = JSON.parse((await runCli(['status', '--json'], { env: ws.env })).stdout) as { runs: { params: Record<string, string> }[] };
    assert.deepEqual(status.runs[0]?.params, { from: '2026-01-01', channel: 'shop', minQty: '3' });
  });

  it('reprocesses with the parameters of the original run: same records, same keys', async () => {
    const status = JSON.parse((await runCli(['status', '--json'], { env: ws.env })).stdout) as { batches: { id: string; file: string }[] };
    const batch = status.batches.find((b) => b.file === 'p.csv');
    assert.ok(batch);
    const keys = target.requests.map((q) => q.idempotencyKey);
    const n = target.requests.length;
    const r = await runCli(['reprocess', batch.id], { env: ws.env });
    assert.ok(r.code === 0 || r.code === 3, r.stderr);
    assert.deepEqual(target.requests.slice(n).map((q) => q.idempotencyKey), keys);
    assert.ok(readFileSync(join(ws.results, 'p-shop.result.csv'), 'latin1').includes('delivered'));
  });
});
