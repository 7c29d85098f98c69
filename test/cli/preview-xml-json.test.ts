import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { runCli } from '../support/run-cli.js';

interface PreviewJson {
  records: { row: number; record: Record<string, unknown> }[];
  rejected: { row: number; errors: { field: string; code: string; message: string }[] }[];
  requests: { method: string; url: string; body: Record<string, Record<string, unknown>[]> }[];
  detected: { format: string; encoding: string; record?: string; root?: string; namespaces?: Record<string, string>; columns: string[] };
  summary: { rowsRead: number; fileRejected: string | null };
}

async function previewJson(profile: string, file: string): Promise<{ json: PreviewJson; raw: string }> {
  const r = await runCli(['preview', profile, file, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return { json: JSON.parse(r.stdout) as PreviewJson, raw: r.stdout };
}

const tmp = mkdtempSync(join(tmpdir(), 'ferry-preview-xj-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('ferry check and preview with XML and JSON profiles', () => {
  it('accepts the example profiles', async () => {
    const r = await runCli(['check']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /ubl-invoices|shop-orders/);
  });

  it('maps the UBL invoice sample: prefixed and plain paths, attributes, leading zeros, repeated lines', async () => {
    const { json, raw } = await previewJson('ubl-invoices', 'samples/invoices-ubl.xml');
    assert.equal(json.detected.format, 'xml');
    assert.equal(json.detected.record, '/InvoiceExport/Invoice');
    assert.equal(json.detected.root, 'exp:InvoiceExport');
    assert.equal(json.detected.namespaces?.cac, 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2');
    assert.ok(json.detected.columns.includes('InvoiceLine/InvoicedQuantity/@unitCode'));
    assert.equal(json.rejected.length, 0);
    assert.deepEqual(json.records.map((r) => r.row), [1, 2, 3, 4]);
    assert.deepEqual(json.records[0]?.record, {
      invoiceNo: 'INV-2026-000017', issueDate: '2026-11-02', dueDate: '2026-12-02', typeCode: 'invoice', currency: 'EUR',
      buyerReference: '0004711', supplierName: 'Mühlenwerke Größ & Söhne GmbH', supplierVatId: 'DE123456789',
      customerGln: '04012345000017', customerGlnScheme: '0088', customerName: 'Bäckerei Schäfer KG', city: 'Linz', country: 'AT',
      net: 307.61, tax: 61.52, payable: 369.13, payableCurrency: 'EUR', note: 'Lieferung frei Haus & verzollt',
      itemIds: ['000123', '000124', '004711'], quantities: ['250', '120.5', '12.5'], units: ['KGM', 'KGM', 'KGM'],
    });
    assert.equal(json.records[1]?.record.note, 'Rückfrage bei Frau Groß <Einkauf>', 'CDATA is text');
    assert.equal(json.records[1]?.record.itemIds, '000125', 'a single line gives a single value');
    assert.match(raw, /"tax": 0\.00/, 'scale 2 keeps the zeros in the request body');
    assert.equal(json.requests.length, 1);
    assert.equal(json.requests[0]?.url, 'http://127.0.0.1:8471/v1/invoices:batch');
    assert.equal(json.requests[0]?.body.invoices?.length, 4);
  });

  it('maps the JSON order sample: nested paths, arrays, exact 20-digit numbers', async () => {
    const { json, raw } = await previewJson('shop-orders-json', 'samples/orders.json');
    assert.equal(json.detected.format, 'json');
    assert.equal(json.detected.record, '/data/orders');
    assert.equal(json.records.length, 5);
    const first = json.records[0]?.record;
    assert.equal(first?.customerId, '000731');
    assert.equal(first?.zip, '01067');
    assert.deepEqual(first?.skus, ['000101', '004711']);
    assert.equal(first?.firstSku, '000101');
    assert.equal(first?.status, 'PAID');
    assert.equal(first?.placedAt, '2026-11-22T18:04:11+01:00');
    assert.equal(first?.giftWrap, false);
    assert.match(raw, /"paymentRef": 12345678901234567890\b/, 'every digit survives into the body');
    assert.match(raw, /"total": 116\.10/);
    assert.equal(json.records[2]?.record.paymentRef, undefined, 'null is absent');
  });

  it('maps the NDJSON order sample the same way, and rejects a bad line on its own', async () => {
    const { json } = await previewJson('shop-orders-ndjson', 'samples/orders.ndjson');
    assert.equal(json.detected.format, 'ndjson');
    assert.deepEqual(json.records.map((r) => r.record.orderNo), ['WEB-100045', 'WEB-100046', 'WEB-100047', 'WEB-100048', 'WEB-100049']);
    const file = join(tmp, 'orders-bad.ndjson');
    writeFileSync(file, '{"orderNo": "WEB-1", "placedAt": "2026-11-22T18:04:11+01:00", "status": "paid", "customer": {"id": "0001"}, "total": 1}\n{"orderNo": "WEB-2", oops}\n');
    const bad = await previewJson('shop-orders-ndjson', file);
    assert.deepEqual(bad.json.records.map((r) => r.row), [1]);
    assert.equal(bad.json.rejected[0]?.row, 2);
    assert.equal(bad.json.rejected[0]?.errors[0]?.code, 'E_JSON_MALFORMED');
    assert.match(bad.json.rejected[0]?.errors[0]?.message ?? '', /is not valid JSON at column 22/);
  });

  it('reports a DTD and a malformed document as errors of the whole file', async () => {
    const dtd = join(tmp, 'laughs.xml');
    writeFileSync(dtd, '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">]><InvoiceExport><Invoice>&a;</Invoice></InvoiceExport>');
    const refused = await runCli(['preview', 'ubl-invoices', dtd]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /E_XML_DTD: laughs\.xml has a document type declaration/);
    const broken = join(tmp, 'broken.json');
    writeFileSync(broken, '{"data": {"orders": [\n  {"orderNo": "WEB-1"},\n  {"orderNo": "WEB-2"\n]}}');
    const malformed = await runCli(['preview', 'shop-orders-json', broken]);
    assert.equal(malformed.code, 1);
    assert.match(malformed.stderr, /E_JSON_MALFORMED: broken\.json is not valid JSON at line 4, column 1: unexpected "]"/);
  });
});
