import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { openJsonReader } from '../../../src/formats/json/json-reader.js';
import type { Accessor, RowReader, SourceRow } from '../../../src/formats/types.js';
import { openXmlReader } from '../../../src/formats/xml/xml-reader.js';
import { Decimal } from '../../../src/mapping/decimal.js';
import { tempFiles, type TempFiles } from '../../support/csv-files.js';
import { writeTable } from '../../support/writer-output.js';

let files: TempFiles;
before(() => {
  files = tempFiles();
});
after(() => files.remove());

const COLUMNS = ['row', 'Order No', 'amount', 'date', 'note'];
const ROWS = [
  [2, '00123', Decimal.parse('1234.50'), new Date(Date.UTC(2024, 1, 29)), 'a & b <c> "d"\r\nnext'],
  [3, 'ORD-2', Decimal.parse('-5'), new Date(Date.UTC(2024, 1, 29, 8, 30)), null],
];

/** What a value reads as, in text: absent and empty both as '' */
function asText(read: Accessor): (row: SourceRow) => string {
  return (row) => {
    const v = read(row);
    return v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v);
  };
}

const EXPECTED = [
  ['2', '00123', '1234.50', '2024-02-29', 'a & b <c> "d"\r\nnext'],
  ['3', 'ORD-2', '-5', '2024-02-29T08:30:00.000Z', ''],
];

async function readAll(reader: RowReader): Promise<SourceRow[]> {
  const rows: SourceRow[] = [];
  for await (const batch of reader.batches()) rows.push(...batch);
  return rows;
}

describe('table writers read back by ferry’s own record readers', () => {
  it('XML: every column resolves to the text written, leading zeros kept', async () => {
    const bytes = await writeTable('xml', { columns: COLUMNS, rootElement: 'results', recordElement: 'result' }, ROWS);
    const reader = await openXmlReader(files.write('out.xml', bytes), { record: '/results/result' });
    const rows = await readAll(reader);
    assert.deepEqual(rows.map((r) => r.row), [1, 2]);
    const resolve = reader.resolve ?? assert.fail('the XML reader resolves paths');
    const read = ['row', 'Order_No', 'amount', 'date', 'note'].map((p) => asText(resolve(p)));
    assert.deepEqual(rows.map((r) => read.map((t) => t(r))), EXPECTED);
  });

  it('JSON: every key resolves to the value written, long Decimals exactly', async () => {
    const bytes = await writeTable('json', { columns: COLUMNS }, ROWS);
    const reader = await openJsonReader(files.write('out.json', bytes), {});
    const rows = await readAll(reader);
    assert.deepEqual(rows.map((r) => r.row), [1, 2]);
    const resolve = reader.resolve ?? assert.fail('the JSON reader resolves paths');
    const read = COLUMNS.map((c) => asText(resolve(c)));
    // the reader gives a number where a double holds the value exactly, so 1234.50 reads as 1234.5
    assert.deepEqual(rows.map((r) => read.map((t) => t(r))), EXPECTED.map((row) => row.map((v) => (v === '1234.50' ? '1234.5' : v))));
    const long = await writeTable('json', { columns: ['big'] }, [[Decimal.parse('12345678901234567890.123456789')]]);
    const longReader = await openJsonReader(files.write('long.json', long), {});
    const [first] = await readAll(longReader);
    const big = first === undefined ? undefined : longReader.resolve?.('big')(first);
    assert.ok(big instanceof Decimal, 'a value a double cannot hold reads back as a Decimal');
    assert.equal(big.toString(), '12345678901234567890.123456789');
  });
});
