import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { runCli } from '../support/run-cli.js';

interface PreviewJson {
  records: { row: number; record: Record<string, unknown> }[];
  rejected: { row: number; errors: { field: string; code: string; message: string }[] }[];
  requests: { method: string; url: string; body: { items: Record<string, unknown>[] } }[];
  detected: { encoding: string; delimiter: string; columns: string[] };
  summary: { rowsRead: number; fileRejected: string | null };
}

async function previewJson(profile: string, file: string, extra: string[] = []): Promise<{ json: PreviewJson; raw: string }> {
  const r = await runCli(['preview', profile, file, '--json', ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return { json: JSON.parse(r.stdout) as PreviewJson, raw: r.stdout };
}

describe('ferry preview', () => {
  it('maps the windows-1252 order export exactly, with detections and request bodies', async () => {
    const { json, raw } = await previewJson('erp-orders', 'samples/orders.csv');
    assert.equal(json.detected.encoding, 'windows-1252');
    assert.equal(json.detected.delimiter, ';');
    assert.deepEqual(json.detected.columns, ['Order No', 'Customer', 'SKU', 'Qty', 'Price', 'Date', 'Status', 'Warehouse', 'Comment']);
    assert.equal(json.records.length, 25);
    assert.equal(json.rejected.length, 0);
    const first = json.records[0];
    assert.equal(first?.row, 2);
    assert.deepEqual(first?.record, {
      orderId: 'ORD-10001', customer: 'Müller & Söhne GmbH', sku: 'SKU-000123', qty: 12, price: 1234.56, gross: 18518.4,
      orderedAt: '2026-01-05', status: 'open', channel: 'erp', warehouse: 'OSL-1', comment: 'Lieferung bis 10 Uhr',
    });
    // exact decimal text in the body: scale 2 keeps the trailing zero, no binary drift
    assert.match(raw, /"gross": 18518\.40/);
    assert.equal(json.requests.length, 1);
    assert.equal(json.requests[0]?.method, 'POST');
    assert.equal(json.requests[0]?.body.items.length, 25);
    assert.ok(json.records.some((r) => typeof r.record.comment === 'string' && r.record.comment.includes('€')), 'the euro sign (0x80 in windows-1252) survives');
  });

  it('lists every bad row with its row number, field, code and a readable message', async () => {
    const { json } = await previewJson('erp-orders', 'samples/orders-bad.csv');
    const byRow = new Map(json.rejected.map((r) => [r.row, r.errors[0]]));
    const expectRow = (row: number, field: string, code: string, text: RegExp): void => {
      const e = byRow.get(row);
      assert.ok(e, `row ${row} should be rejected; rejected rows: ${[...byRow.keys()].join(', ')}`);
      assert.equal(e.field, field, `row ${row}`);
      assert.equal(e.code, code, `row ${row}`);
      assert.match(e.message, text);
    };
    expectRow(3, 'orderId', 'required', /Order No is empty/);
    expectRow(4, 'qty', 'min', /Qty is 0, the minimum is 1/);
    expectRow(6, 'qty', 'type', /Qty is "abc", not a whole number/);
    expectRow(7, 'price', 'type', /Price is "12,3,4", not a decimal number/);
    expectRow(9, 'orderedAt', 'type', /Date is "31\.02\.2026", not a date in the format dd\.MM\.yyyy/);
    expectRow(10, 'status', 'map', /Status is "X", which is not in the map; allowed: O, C/);
    expectRow(11, 'warehouse', 'lookup', /Warehouse is "WH9", which is not in lookup warehouses/);
    expectRow(13, 'orderId', 'duplicate', /ORD-20001 already appeared on row 2/);
    expectRow(14, 'row', 'E_CSV_COLUMNS', /has 8 fields, the header has 9/);
    expectRow(15, 'row', 'E_CSV_QUOTE', /quote character inside a field/);
    expectRow(16, 'sku', 'pattern', /SKU is "123-ABC", which does not match the pattern/);
    assert.equal(json.rejected.length, 11);
    assert.deepEqual(json.records.map((r) => r.row), [2, 5, 8, 12, 17]);
    assert.match(String(json.summary.fileRejected), /11 of 16 rows rejected; the limit is 50% of the rows \(maxRejected\)/);
  });

  it('keeps leading zeros and long digit strings, and reads UTF-8 with a BOM', async () => {
    const { json } = await previewJson('webshop-products', 'samples/products.csv');
    assert.equal(json.detected.encoding, 'utf-8');
    assert.equal(json.detected.delimiter, ',');
    assert.equal(json.detected.columns[0], 'Article No', 'no BOM in the first column name');
    const first = json.records[0]?.record;
    assert.equal(first?.articleNo, '000101');
    assert.equal(first?.ean, '0401234500012');
    assert.equal(first?.name, 'Café Crème T-Shirt für Damen, Bio-Baumwolle');
    assert.equal(first?.active, true);
    assert.equal(first?.weightKg, 0.15);
  });

  it('reads quoted multi-line fields with the row number where each record starts', async () => {
    const { json } = await previewJson('field-service-jobs', 'samples/work-orders.csv');
    assert.deepEqual(json.records.map((r) => r.row), [2, 4, 8, 9, 13, 14, 17, 18]);
    const second = json.records[1]?.record;
    assert.equal(second?.siteAddress, 'Unit 4, Mill Lane\r\nLeeds\r\nLS9 8AB');
    assert.match(String(second?.description), /caretaker says "it clicks but nothing happens"/);
    assert.equal(json.records[0]?.record.scheduledAt, '2026-11-23T08:30:00+01:00');
  });

  it('reads UTF-16LE tab-separated text from Excel', async () => {
    const { json } = await previewJson('stock-levels', 'samples/stock-utf16.txt');
    assert.equal(json.detected.encoding, 'utf-16le');
    assert.equal(json.records.length, 10);
    assert.match(String(json.records[0]?.record.description), /Łożysko/);
  });

  it('stops after --rows and prints readable tables without --json', async () => {
    const r = await runCli(['preview', 'erp-orders', 'samples/orders-bad.csv', '--rows', '5']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /detected: csv, windows-1252, delimiter ";", CRLF/);
    assert.match(r.stdout, /5 rows read \(stopped by --rows\): 2 records, 3 rejected/);
    assert.match(r.stdout, /Rejected rows:/);
    assert.match(r.stdout, /\n\s+3\s+orderId\s+required\s+Order No is empty/);
  });

  it('exits 2 for an unknown profile and 1 for a file that is not text', async () => {
    const unknown = await runCli(['preview', 'no-such-profile', 'samples/orders.csv']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no profile "no-such-profile"/);
    const dir = mkdtempSync(join(tmpdir(), 'ferry-preview-'));
    try {
      const file = join(dir, 'orders.csv');
      writeFileSync(file, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00]));
      const binary = await runCli(['preview', 'erp-orders', file]);
      assert.equal(binary.code, 1);
      assert.match(binary.stderr, /E_FORMAT_MISMATCH: orders\.csv is a ZIP archive .*set format\.type: xlsx/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
