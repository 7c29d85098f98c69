import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { openNdjsonReader } from '../../../src/formats/json/ndjson-reader.js';
import type { InputFile, RawValue, RowReader, SourceRow } from '../../../src/formats/types.js';
import { Decimal } from '../../../src/mapping/decimal.js';
import { tempFiles, type TempFiles } from '../../support/csv-files.js';
import { REPO_ROOT } from '../../support/run-cli.js';

let files: TempFiles;
before(() => {
  files = tempFiles();
});
after(() => files.remove());

async function readNdjson(file: InputFile, limits?: { maxDepth: number; maxRecordChars: number }): Promise<{ reader: RowReader; rows: SourceRow[] }> {
  const reader = await openNdjsonReader(file, {}, limits);
  const rows: SourceRow[] = [];
  for await (const batch of reader.batches()) rows.push(...batch);
  return { reader, rows };
}

function values(reader: RowReader, rows: readonly SourceRow[], from: string): RawValue[] {
  const read = reader.resolve?.(from);
  assert.ok(read);
  return rows.map((r) => read(r));
}

describe('openNdjsonReader', () => {
  it('reads one object per line, numbering rows by line and skipping empty lines', async () => {
    const file = files.write('orders.ndjson', '{"id": "0006", "qty": 2}\r\n\r\n   \r\n{"id": "0007", "customer": {"zip": "01067"}}\r\n');
    const { reader, rows } = await readNdjson(file);
    assert.deepEqual(rows.map((r) => r.row), [1, 4]);
    assert.deepEqual(values(reader, rows, 'id'), ['0006', '0007']);
    assert.deepEqual(values(reader, rows, 'customer/zip'), [undefined, '01067']);
    assert.equal(reader.stats.skippedEmpty, 2);
    assert.equal(reader.stats.lines, 4);
    assert.equal(reader.detected.format, 'ndjson');
    assert.deepEqual(reader.columns, ['id', 'qty', 'customer/zip']);
    assert.equal(Object.getPrototypeOf(rows[0]?.record), null);
  });

  it('rejects a bad line on its own row with its line number, and the file goes on', async () => {
    const file = files.write('bad.ndjson', [
      '{"n": 1}',
      '{"n": 2, "text": "unterminated}',
      '{"n": 3,, "x": 1}',
      '[1, 2]',
      '"just text"',
      '{"n": 6}',
      '{"n": 7} {"n": 8}',
      '{"n": 9}',
    ].join('\n'));
    const { reader, rows } = await readNdjson(file);
    assert.deepEqual(rows.map((r) => [r.row, r.problem?.code]), [
      [1, undefined], [2, 'E_JSON_MALFORMED'], [3, 'E_JSON_MALFORMED'], [4, 'E_JSON_NOT_OBJECT'], [5, 'E_JSON_NOT_OBJECT'], [6, undefined], [7, 'E_JSON_MALFORMED'], [8, undefined],
    ]);
    assert.match(rows[1]?.problem?.message ?? '', /is not valid JSON at column \d+: the line ends in the middle of a value/);
    assert.match(rows[2]?.problem?.message ?? '', /is not valid JSON at column 9: unexpected ","/);
    assert.equal(rows[2]?.problem?.column, 9);
    assert.match(rows[6]?.problem?.message ?? '', /after the end of the JSON value/);
    assert.deepEqual(values(reader, rows, 'n'), [1, undefined, undefined, undefined, undefined, 6, undefined, 9]);
  });

  it('keeps numbers exact and keys as plain keys', async () => {
    const file = files.write('exact.ndjson', '{"ref": 12345678901234567890, "price": 19.99, "iban": "DE89370400440532013000"}\n{"__proto__": {"polluted": "yes"}, "ref": 1}\n');
    const { reader, rows } = await readNdjson(file);
    const refs = values(reader, rows, 'ref');
    assert.ok(refs[0] instanceof Decimal);
    assert.equal(String(refs[0]), '12345678901234567890');
    assert.equal(refs[1], 1);
    assert.deepEqual(values(reader, rows, 'price'), [19.99, undefined]);
    assert.deepEqual(values(reader, rows, '__proto__/polluted'), [undefined, 'yes']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('rejects lines that nest too deep or are too long, and reads on', async () => {
    const long = `{"text": "${'x'.repeat(5000)}"}`;
    const file = files.write('limits.ndjson', `{"n": 1}\n${'['.repeat(500)}${']'.repeat(500)}\n${long}\n{"n": 4}\n`);
    const { rows } = await readNdjson(file, { maxDepth: 100, maxRecordChars: 1000 });
    assert.deepEqual(rows.map((r) => [r.row, r.problem?.code]), [[1, undefined], [2, 'E_JSON_MALFORMED'], [3, 'E_JSON_RECORD_TOO_LARGE'], [4, undefined]]);
  });

  it('reads the shop orders sample', async () => {
    const file = { path: join(REPO_ROOT, 'samples', 'orders.ndjson'), name: 'orders.ndjson' };
    const { reader, rows } = await readNdjson(file);
    assert.deepEqual(rows.map((r) => r.row), [1, 2, 3, 4, 5]);
    assert.deepEqual(values(reader, rows, 'orderNo'), ['WEB-100045', 'WEB-100046', 'WEB-100047', 'WEB-100048', 'WEB-100049']);
    assert.equal(String(values(reader, rows, 'paymentRef')[1]), '98765432109876543210');
    assert.deepEqual(values(reader, rows, 'shipTo/zip'), ['01067', '5970', '08001', '01067', 'D02 X285']);
  });
});
