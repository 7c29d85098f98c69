import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { InputError } from '../../../src/errors.js';
import { openXlsxReader } from '../../../src/formats/xlsx/xlsx-reader.js';
import { XLSX_LIMITS, type XlsxLimits } from '../../../src/formats/xlsx/limits.js';
import type { InputFile } from '../../../src/formats/types.js';
import { seededRandom, tempFiles, type TempFiles } from '../../support/csv-files.js';
import { deflatedRepeat, oleFile, rowXml, sheetXml, workbookBytes, zipArchive, type WorkbookSpec } from '../../support/xlsx-files.js';

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const MB = 1024 * 1024;

let files: TempFiles;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
before(() => {
  files = tempFiles();
  process.on('unhandledRejection', onUnhandled);
});
after(() => {
  process.off('unhandledRejection', onUnhandled);
  files.remove();
  assert.deepEqual(unhandled, [], 'no promise may be left rejected and unhandled');
});

/** Reads every row, tracking the highest heap use seen while reading; the InputError if it fails. */
async function readAll(file: InputFile, limits: Partial<XlsxLimits> = {}): Promise<{ rows: number; problems: Set<string>; heapGrowth: number; error?: InputError }> {
  const start = process.memoryUsage().heapUsed;
  let peak = start;
  let rows = 0;
  const problems = new Set<string>();
  try {
    const reader = await openXlsxReader(file, {}, { ...XLSX_LIMITS, ...limits });
    for await (const batch of reader.batches()) {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
      for (const row of batch) {
        rows++;
        if (row.problem !== undefined) problems.add(row.problem.code);
      }
    }
  } catch (err) {
    assert.ok(err instanceof InputError, `expected an InputError, got ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return { rows, problems, heapGrowth: Math.max(peak, process.memoryUsage().heapUsed) - start, error: err };
  }
  return { rows, problems, heapGrowth: peak - start };
}

async function refused(file: InputFile, code: string, message: RegExp, limits: Partial<XlsxLimits> = {}): Promise<void> {
  const started = performance.now();
  const { error } = await readAll(file, limits);
  assert.ok(error !== undefined, `${file.name} should be refused with ${code}`);
  assert.equal(error.code, code, error.message);
  assert.match(error.message, message);
  assert.ok(performance.now() - started < 5000, `${file.name} took too long to refuse`);
}

const plain: WorkbookSpec = { sheets: [{ name: 'S', rows: rowXml(1, ['A', 'B']) + rowXml(2, ['x', 1]) }] };

describe('openXlsxReader: zip bombs and hostile archives', () => {
  // deflate cannot inflate more than about 1032:1, so 210 MB take at least 0.2 MB
  it('refuses a 0.2 MB workbook whose sheet would inflate to more than 200 MB, before inflating it', async () => {
    const bomb = await deflatedRepeat('xl/worksheets/sheet2.xml', `<worksheet xmlns="${MAIN}"><sheetData>`, ' ', 210 * MB, '</sheetData></worksheet>');
    const bytes = workbookBytes({ ...plain, extra: [bomb] });
    assert.ok(bytes.length < 256 * 1024, `the bomb is ${bytes.length} bytes`);
    const file = files.write('bomb.xlsx', bytes);
    const { error, heapGrowth } = await readAll(file);
    assert.equal(error?.code, 'E_ARCHIVE_LIMIT');
    assert.match(error?.message ?? '', /xl\/worksheets\/sheet2\.xml would inflate to 21\d\.\d MB, more than the 200\.0 MB/);
    assert.ok(heapGrowth < 32 * MB, `heap grew by ${heapGrowth}`);
  });

  it('refuses a part that inflates more than 200:1 as a zip bomb', async () => {
    const bomb = await deflatedRepeat('xl/worksheets/sheet1.xml', `<worksheet xmlns="${MAIN}"><sheetData>`, '<row><c><v>0</v></c></row>', 8 * MB, '</sheetData></worksheet>');
    await refused(files.write('ratio.xlsx', workbookBytes({ ...plain, extra: [{ ...bomb, name: 'xl/worksheets/big.xml' }] })), 'E_ARCHIVE_LIMIT', /looks like a zip bomb: the part xl\/worksheets\/big\.xml inflates from \d+\.\d KB to [89]\.0 MB \(more than 200:1\)/);
  });

  it('holds a part to the size its headers declare, so a lying archive cannot inflate more', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => rowXml(i + 1, [`row ${i}`, i])).join('');
    const lying = zipArchive([
      { name: '_rels/.rels', data: `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>` },
      { name: 'xl/workbook.xml', data: `<workbook xmlns="${MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>` },
      { name: 'xl/_rels/workbook.xml.rels', data: '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>' },
      { name: 'xl/worksheets/sheet1.xml', data: sheetXml(rows), declaredSize: 4000 },
    ]);
    const { error, rows: read } = await readAll(files.write('lying.xlsx', lying));
    assert.equal(error?.code, 'E_XLSX_CORRUPT');
    assert.ok(read < 100, `read ${read} rows of a part declared as 4000 bytes`);
  });

  it('refuses more than 2,000 entries, and more than the total size it allows', async () => {
    const many = Array.from({ length: 2001 }, (_, i) => ({ name: `xl/media/p${i}.bin`, data: 'x', store: true }));
    await refused(files.write('entries.xlsx', workbookBytes({ ...plain, extra: many })), 'E_ARCHIVE_LIMIT', /holds 20\d\d ZIP entries/);
    const big = [0, 1].map((i) => ({ name: `xl/media/b${i}.bin`, data: Buffer.alloc(600 * 1024, i), store: true }));
    await refused(files.write('total.xlsx', workbookBytes({ ...plain, extra: big })), 'E_ARCHIVE_LIMIT', /would inflate to more than 1\.0 MB; it is refused/, { maxTotalBytes: MB });
  });

  it('refuses entry names that climb out, are absolute or use backslashes', async () => {
    for (const name of ['../../evil.xml', 'xl/../../evil.xml', '/etc/evil.xml', 'C:/evil.xml', 'xl\\worksheets\\sheet1.xml']) {
      await refused(files.write('path.xlsx', workbookBytes({ ...plain, extra: [{ name, data: '<x/>' }] })), 'E_ARCHIVE_PATH', /is refused: its ZIP entry/);
    }
  });
});

describe('openXlsxReader: shared strings and dimensions that try to fill memory', () => {
  it('reads a 1 MB shared string referenced by 12,000 cells as 12,000 row problems, without copying it', async () => {
    const huge = 'A'.repeat(1_000_000);
    const rows = rowXml(1, ['Text']) + Array.from({ length: 12_000 }, (_, i) => `<row r="${i + 2}"><c r="A${i + 2}" t="s"><v>0</v></c></row>`).join('');
    const file = files.write('sst-bomb.xlsx', workbookBytes({ sheets: [{ name: 'S', rows }], sharedStrings: [huge] }));
    const { rows: read, problems, heapGrowth, error } = await readAll(file);
    assert.equal(error, undefined);
    assert.equal(read, 12_000);
    assert.deepEqual([...problems], ['E_XLSX_CELL_TOO_LONG']);
    assert.ok(heapGrowth < 64 * MB, `heap grew by ${heapGrowth}`);
  });

  it('refuses a shared-strings table with too many entries or too many characters', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => `s${i}`);
    await refused(files.write('sst-count.xlsx', workbookBytes({ ...plain, sharedStrings: many })), 'E_ARCHIVE_LIMIT', /more than 1000 shared strings/, { maxSharedStrings: 1000 });
    const long = Array.from({ length: 11 }, () => 'x'.repeat(1000));
    await refused(files.write('sst-chars.xlsx', workbookBytes({ ...plain, sharedStrings: long })), 'E_ARCHIVE_LIMIT', /characters of shared strings/, { maxSharedStringChars: 10_000 });
  });

  it('reads a sheet that claims A1:W1048576 by its three rows, allocating nothing for the claim', async () => {
    const file = files.write('dimension.xlsx', workbookBytes({ sheets: [{ name: 'S', rows: rowXml(1, ['A']) + rowXml(2, ['x']) + rowXml(3, ['y']), dimension: 'A1:W1048576' }] }));
    const started = performance.now();
    const reader = await openXlsxReader(file, {});
    assert.equal(reader.estimatedRows, 2);
    const { rows, heapGrowth } = await readAll(file);
    assert.equal(rows, 2);
    assert.ok(heapGrowth < 16 * MB, `heap grew by ${heapGrowth}`);
    assert.ok(performance.now() - started < 2000);
    for await (const batch of reader.batches()) void batch;
  });

  it('refuses a tag that never ends rather than buffering it', async () => {
    const random = seededRandom(7);
    const noise = Array.from({ length: 3 * MB }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join('');
    const xml = `<worksheet xmlns="${MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr" x="${noise}`;
    await refused(files.write('tag.xlsx', workbookBytes({ sheets: [{ name: 'S', xml }] })), 'E_XLSX_CORRUPT', /longer than 1 MB|ends in the middle of a tag/);
  });
});

describe('openXlsxReader: files that are not workbooks, or broken ones', () => {
  it('refuses a truncated workbook and one with damaged data as E_XLSX_CORRUPT', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => rowXml(i + 1, [`text ${i * 7919}`, i * 31])).join('');
    const bytes = workbookBytes({ sheets: [{ name: 'S', rows }] });
    await refused(files.write('truncated.xlsx', bytes.subarray(0, Math.floor(bytes.length * 0.6))), 'E_XLSX_CORRUPT', /damaged or truncated/);
    const damaged = Buffer.from(bytes);
    const sheetAt = damaged.indexOf('xl/worksheets/sheet1.xml') + 200;
    for (let i = 0; i < 64; i++) damaged[sheetAt + i * 7] = (damaged[sheetAt + i * 7] ?? 0) ^ 0x5a;
    await refused(files.write('damaged.xlsx', damaged), 'E_XLSX_CORRUPT', /not a readable workbook/);
  });

  it('refuses an old binary .xls and a password-protected workbook (an OLE container) with their own codes', async () => {
    await refused(files.write('old.xlsx', oleFile([{ name: 'Workbook' }])), 'E_XLS_UNSUPPORTED', /old binary Excel workbook \(\.xls\).*save it as \.xlsx/);
    const encrypted = oleFile([{ name: 'EncryptionInfo' }, { name: 'EncryptedPackage' }, { name: '\u0006DataSpaces', storage: true }]);
    await refused(files.write('secret.xlsx', encrypted), 'E_XLSX_ENCRYPTED', /password-protected/);
  });

  it('refuses HTML, CSV, an OpenDocument file and other ZIP archives named .xlsx as E_FORMAT_MISMATCH', async () => {
    await refused(files.write('html.xlsx', '<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table></body></html>'), 'E_FORMAT_MISMATCH', /an HTML page/);
    await refused(files.write('csv.xlsx', 'Order No;Qty\r\nA-1;5\r\n'), 'E_FORMAT_MISMATCH', /a text file \(a CSV export\?\)/);
    const ods = zipArchive([{ name: 'mimetype', data: 'application/vnd.oasis.opendocument.spreadsheet', store: true }, { name: 'content.xml', data: '<x/>' }]);
    await refused(files.write('ods.xlsx', ods), 'E_FORMAT_MISMATCH', /OpenDocument/);
    await refused(files.write('zip.xlsx', zipArchive([{ name: 'readme.txt', data: 'hi' }])), 'E_FORMAT_MISMATCH', /no workbook part/);
    await refused(files.write('empty.xlsx', ''), 'E_EMPTY_FILE', /is empty/);
  });
});
