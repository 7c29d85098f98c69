import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { REPO_ROOT, runCli } from '../support/run-cli.js';
import { createWorkspace, type Workspace } from '../support/workspace.js';

interface RunJson {
  status: string;
  batches: { status: string; rows: Record<string, number>; resultFile: string | null }[];
}

function variantsProfile(ws: Workspace, url: string): string {
  return `version: 1
source: { type: local, dir: ${ws.inbox}, include: ["*.csv"], stable: { minAge: 0s } }
format: { type: csv, encoding: auto, delimiter: auto }
filter: "lower(row['Active']) != 'no' and lower(row['Active']) != 'nei' and row['Active'] != '0'"
fields:
  parentSku:  { from: "Parent", required: true }
  name:       { from: "Name", required: true }
  sku:        { from: "Article No", required: true }
  size:       { from: "Size" }
  price:      { from: "Price", type: decimal, scale: 2, required: true }
  grossPrice: { expr: "round(price * (1 + lookup('vat', 'NO') / 100), 2)", type: decimal }
  totalStock: { from: "Stock", type: integer, default: 0 }
lookups:
  vat: { NO: 25, DE: 19 }
group: { by: parentSku, collect: { variants: [sku, size, price, grossPrice] }, aggregate: { totalStock: sum } }
key: parentSku
target:
  type: http
  url: ${url}/v1/products
  batchSize: 2
  body: "{ items: $records }"
  retry: { attempts: 2, maxDelay: 1s, baseDelay: 50ms }
results:
  to: { dir: ${ws.results} }
  name: "{stem}.result.csv"
`;
}

describe('ferry run with filter and group', () => {
  let target: HttpTarget;
  let ws: Workspace;
  before(async () => {
    target = await startHttpTarget();
    ws = createWorkspace();
    ws.writeProfile('variants', variantsProfile(ws, target.url));
  });
  after(async () => {
    await target.close();
    ws.remove();
  });

  it('sends one product per parent, rejects a group with a bad row as a whole, and accounts for every row', async () => {
    // row 14 (article 002302, parent 002300) gets a price that is not a number
    const sample = readFileSync(join(REPO_ROOT, 'samples', 'products.csv'), 'utf8').replace('002302,0842705003821,Trail Runner™ Niño,002300,32,Azul,49.00', '002302,0842705003821,Trail Runner™ Niño,002300,32,Azul,49 EUR');
    writeFileSync(join(ws.inbox, 'products.csv'), sample);
    const r = await runCli(['run', 'variants', '--json'], { env: ws.env });
    assert.equal(r.code, 3, r.stderr);
    const run = JSON.parse(r.stdout) as RunJson;
    assert.deepEqual(run.batches[0]?.rows, { total: 20, delivered: 12, rejected: 3, failed: 0, skipped: 5 });
    const products = target.acceptedRecords() as { parentSku: string; totalStock: number; variants: { sku: string; grossPrice: number }[] }[];
    assert.deepEqual(products.map((p) => p.parentSku), ['000100', '004700', '000777', '000040']);
    assert.equal(target.requests.length, 2, 'batchSize 2 → 2 requests for 4 products');
    const shirt = products[0];
    assert.equal(shirt?.totalStock, 92);
    assert.deepEqual(shirt?.variants.map((v) => v.sku), ['000101', '000102', '000103', '000104', '000105']);
    assert.equal(shirt?.variants[0]?.grossPrice, 24.99);

    const lines = readFileSync(join(ws.results, 'products.result.csv'), 'utf8').trim().split('\r\n');
    assert.equal(lines.length, 21, 'one line per source row');
    const line = (row: number): string => lines.find((l) => l.startsWith(`${row},`)) ?? '';
    assert.equal(line(2), '2,delivered,000100,,');
    assert.equal(line(6), '6,delivered,000100,,');
    assert.equal(line(7), '7,skipped,,,left out by the filter');
    assert.match(line(13), /^13,rejected,,,"parentSku: rejected with its group 002300, because row 14 of the group was rejected \[group\]"$/);
    assert.match(line(14), /^14,rejected,,,"?price: .*49 EUR.* \[type\]"?$/);
    assert.match(line(16), /^16,rejected,,,.*\[group\]"$/);
    assert.equal(line(15), '15,skipped,,,left out by the filter');
  });
});
