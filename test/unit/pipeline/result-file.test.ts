import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { InputError } from '../../../src/errors.js';
import type { SourceRow } from '../../../src/formats/types.js';
import { openXlsxReader } from '../../../src/formats/xlsx/xlsx-reader.js';
import { writeResultFile, type ResultFileOptions } from '../../../src/pipeline/result-file.js';
import type { ChunkRecord } from '../../../src/store/types.js';
import { tempFiles, type TempFiles } from '../../support/csv-files.js';
import { parseXml } from '../../support/writer-output.js';

let files: TempFiles;
let spoolDir: string;
before(() => {
  files = tempFiles();
  spoolDir = join(files.dir, 'spool');
  mkdirSync(spoolDir);
  // rows 2, 3, 5, 6 mapped to records; row 4 rejected; keys as the spool keeps them
  writeFileSync(join(spoolDir, 'records.idx'), '2\tORD-1\n3\t=HYPERLINK("http://x")\n5\tORD;3\n6\t-2+3\n');
  writeFileSync(join(spoolDir, 'others.tsv'), `4\tR\t${JSON.stringify([{ field: 'qty', message: 'not a number: "@SUM(1)"', code: 'E_TYPE' }])}\n`);
  writeFileSync(join(spoolDir, 'records.jsonl'), '');
  writeFileSync(join(spoolDir, 'summary.json'), JSON.stringify({ rows: 5, records: 4, rejected: 1, skipped: 0, ordered: true }));
});
after(() => files.remove());

const CHUNKS: ChunkRecord[] = [
  { seq: 0, key: 'k0', count: 2, ids: ['T-1', null], errors: [null, '+HTTP 422: bad value'] },
  { seq: 1, key: 'k1', count: 2, ids: ['T-3', 'T-4'], errors: [null, null] },
];

function options(name: string, extra: Partial<ResultFileOptions> = {}): ResultFileOptions {
  return {
    spoolDir, chunk: async (seq) => CHUNKS[seq], batchSize: 2, undeliveredReason: 'not delivered',
    path: join(files.dir, 'out', name), delimiter: ';', encoding: 'windows-1252', ...extra,
  };
}

const EXPECTED = [
  ['2', 'delivered', 'ORD-1', 'T-1', ''],
  ['3', 'failed', '=HYPERLINK("http://x")', '', '+HTTP 422: bad value'],
  ['4', 'rejected', '', '', 'qty: not a number: "@SUM(1)" [E_TYPE]'],
  ['5', 'delivered', 'ORD;3', 'T-3', ''],
  ['6', 'delivered', '-2+3', 'T-4', ''],
];

describe('writeResultFile', () => {
  it('writes CSV with the header, CRLF, the delimiter and encoding, and neutralised formulas', async () => {
    const counts = await writeResultFile(options('orders.result.csv'));
    assert.deepEqual(counts, { delivered: 3, failed: 1, rejected: 1, skipped: 0 });
    assert.equal(readFileSync(join(files.dir, 'out', 'orders.result.csv'), 'latin1'), [
      'row;status;key;targetId;error',
      '2;delivered;ORD-1;T-1;',
      `3;failed;"'=HYPERLINK(""http://x"")";;'+HTTP 422: bad value`,
      '4;rejected;;;"qty: not a number: ""@SUM(1)"" [E_TYPE]"',
      '5;delivered;"ORD;3";T-3;',
      "6;delivered;'-2+3;T-4;",
      '',
    ].join('\r\n'));
    assert.deepEqual(readdirSync(join(files.dir, 'out')).filter((n) => n.endsWith('.part')), [], 'no temporary file is left');
  });

  it('writes XLSX with the row number as a number and the texts unchanged', async () => {
    await writeResultFile(options('orders.result.xlsx', { format: 'xlsx' }));
    const reader = await openXlsxReader({ path: join(files.dir, 'out', 'orders.result.xlsx'), name: 'orders.result.xlsx' }, {});
    const rows: SourceRow[] = [];
    for await (const batch of reader.batches()) rows.push(...batch);
    assert.equal(reader.detected.sheet, 'Results');
    assert.deepEqual(reader.columns, ['row', 'status', 'key', 'targetId', 'error']);
    // the reader leaves out empty cells at the end of a row
    const texts = (r: SourceRow): string[] => [0, 1, 2, 3, 4].map((i) => String(r.cells[i] ?? ''));
    assert.deepEqual(rows.map(texts), EXPECTED);
    assert.equal(typeof rows[0]?.cells[0], 'number');
  });

  it('writes XML and JSON', async () => {
    await writeResultFile(options('orders.result.xml', { format: 'xml' }));
    const root = parseXml(readFileSync(join(files.dir, 'out', 'orders.result.xml'), 'utf8'));
    assert.equal(root.name, 'results');
    assert.deepEqual(root.children.map((r) => r.children.map((c) => c.text)), EXPECTED);
    await writeResultFile(options('orders.result.json', { format: 'json' }));
    const items = JSON.parse(readFileSync(join(files.dir, 'out', 'orders.result.json'), 'utf8')) as Record<string, unknown>[];
    assert.deepEqual(items[1], { row: 3, status: 'failed', key: '=HYPERLINK("http://x")', targetId: null, error: '+HTTP 422: bad value' });
    assert.deepEqual(items[2], { row: 4, status: 'rejected', key: null, targetId: null, error: 'qty: not a number: "@SUM(1)" [E_TYPE]' });
  });

  it('leaves no file behind when the result cannot be written', async () => {
    await assert.rejects(writeResultFile(options('bad.result.csv', { encoding: 'no-such-encoding' })), (err: unknown) => err instanceof InputError && err.code === 'E_ENCODING');
    assert.deepEqual(readdirSync(join(files.dir, 'out')).filter((n) => n.startsWith('.bad') || n.startsWith('bad')), []);
  });

  it('gives each row of a grouped record its line, in row order, with skipped rows and rows split into several records counted once', async () => {
    const dir = join(files.dir, 'grouped-spool');
    mkdirSync(dir);
    // unsorted grouping: group A (rows 2, 5), group B (rows 3, 7, 7: row 7 split in two), row 4
    // skipped by the filter, row 6 rejected; records come in group order, not row order
    writeFileSync(join(dir, 'records.idx'), '2,5\tA\n3,7,7\tB\n');
    writeFileSync(join(dir, 'others.tsv'), `4\tS\tleft out by the filter\n6\tR\t${JSON.stringify([{ field: 'sku', message: 'is required', code: 'required' }])}\n`);
    writeFileSync(join(dir, 'records.jsonl'), '');
    writeFileSync(join(dir, 'summary.json'), JSON.stringify({ rows: 6, records: 2, rejected: 1, skipped: 1, ordered: false }));
    const counts = await writeResultFile(options('grouped.result.csv', {
      spoolDir: dir, batchSize: 1,
      chunk: async (seq) => (seq === 0 ? { seq: 0, key: 'k0', count: 1, ids: ['P-1'], errors: [null] } : { seq: 1, key: 'k1', count: 1, ids: [null], errors: ['HTTP 422: no variants'] }),
    }));
    assert.deepEqual(counts, { delivered: 2, failed: 2, rejected: 1, skipped: 1 });
    assert.equal(readFileSync(join(files.dir, 'out', 'grouped.result.csv'), 'latin1'), [
      'row;status;key;targetId;error',
      '2;delivered;A;P-1;',
      '3;failed;B;;HTTP 422: no variants',
      '4;skipped;;;left out by the filter',
      '5;delivered;A;P-1;',
      '6;rejected;;;sku: is required [required]',
      '7;failed;B;;HTTP 422: no variants',
      '',
    ].join('\r\n'));
  });
});
