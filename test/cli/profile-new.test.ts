import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { runCli } from '../support/run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'ferry-new-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('ferry profile new --from <sample>', () => {
  it('writes a starter profile with the detected encoding, delimiter, types, decimal comma and date pattern', async () => {
    const profiles = join(tmp, 'p1');
    const r = await runCli(['profile', 'new', '--from', 'samples/orders.csv', '--id', 'erp', '--profiles', profiles]);
    assert.equal(r.code, 0, r.stderr);
    const yaml = readFileSync(join(profiles, 'erp.yaml'), 'utf8');
    assert.match(yaml, /encoding: windows-1252/);
    assert.match(yaml, /delimiter: ";"/);
    assert.match(yaml, /sku: \{ from: "SKU"/);
    assert.match(yaml, /qty: \{ from: "Qty", type: integer/);
    assert.match(yaml, /price: \{ from: "Price", type: decimal, decimalSeparator: ",", thousandsSeparator: "\."/);
    assert.match(yaml, /date: \{ from: "Date", type: date, format: "dd\.MM\.yyyy"/);
    const preview = await runCli(['preview', 'erp', 'samples/orders.csv', '--json', '--profiles', profiles]);
    assert.equal(preview.code, 0, preview.stderr);
    const out = JSON.parse(preview.stdout) as { records: unknown[]; rejected: unknown[] };
    assert.equal(out.records.length, 25, 'the starter profile maps the sample it came from');
    assert.equal(out.rejected.length, 0);
  });

  it('marks identifiers with leading zeros as text and reports them in preview', async () => {
    const profiles = join(tmp, 'p2');
    const r = await runCli(['profile', 'new', '--from', 'samples/products.csv', '--profiles', profiles]);
    assert.equal(r.code, 0, r.stderr);
    const yaml = readFileSync(join(profiles, 'products.yaml'), 'utf8');
    assert.match(yaml, /articleNo: \{ from: "Article No", trim: true, required: true \}\s+# leading zeros: kept as text/);
    assert.match(yaml, /ean: \{ from: "EAN"/);
    const preview = await runCli(['preview', 'products', 'samples/products.csv', '--profiles', profiles]);
    assert.match(preview.stdout, /looks like: Article No: identifier with leading zeros; EAN: identifier with leading zeros/);
  });

  it('refuses to overwrite an existing profile without --force', async () => {
    const profiles = join(tmp, 'p3');
    assert.equal((await runCli(['profile', 'new', '--from', 'samples/orders.csv', '--profiles', profiles])).code, 0);
    const again = await runCli(['profile', 'new', '--from', 'samples/orders.csv', '--profiles', profiles]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /exists already/);
  });
});
