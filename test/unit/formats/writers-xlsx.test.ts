import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import ExcelJS from 'exceljs';

import { openXlsxReader } from '../../../src/formats/xlsx/xlsx-reader.js';
import type { SourceRow } from '../../../src/formats/types.js';
import { Decimal } from '../../../src/mapping/decimal.js';
import { tempFiles, type TempFiles } from '../../support/csv-files.js';
import { descendants, parseXml, unzip, writeTable, type XmlElement } from '../../support/writer-output.js';

let files: TempFiles;
before(() => {
  files = tempFiles();
});
after(() => files.remove());

const decimal = (text: string): Decimal => Decimal.parse(text) ?? assert.fail(`bad decimal ${text}`);
const day = (y: number, m: number, d: number): Date => new Date(Date.UTC(y, m - 1, d));

async function readBack(bytes: Buffer, name: string): Promise<{ columns: readonly string[]; rows: SourceRow[]; sheet: string | undefined }> {
  const reader = await openXlsxReader(files.write(name, bytes), {});
  const rows: SourceRow[] = [];
  for await (const batch of reader.batches()) rows.push(...batch);
  return { columns: reader.columns, rows, sheet: reader.detected.sheet };
}

async function exceljsWorkbook(bytes: Buffer, name: string): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(files.write(name, bytes).path);
  return workbook;
}

async function sheetXml(bytes: Buffer): Promise<XmlElement> {
  const entries = await unzip(bytes);
  const sheet = entries.get('xl/worksheets/sheet1.xml');
  assert.ok(sheet !== undefined, 'the workbook has sheet1.xml');
  return parseXml(sheet.toString('utf8'));
}

function cellAt(sheet: XmlElement, ref: string): XmlElement {
  return descendants(sheet, 'c').find((c) => c.attributes.r === ref) ?? assert.fail(`no cell ${ref}`);
}

const COLUMNS = ['text', 'number', 'decimal', 'date', 'datetime', 'flag', 'empty'];
const ROWS = [
  ['Müller & <Söhne> "quoted"', 42, decimal('1234.56'), day(2024, 2, 29), new Date(Date.UTC(2024, 1, 29, 13, 5, 7)), true, null],
  ['00123', -0.5, decimal('-5'), day(1900, 3, 1), new Date(Date.UTC(1999, 11, 31, 23, 59, 59)), false, ''],
  ['  spaced  ', 1e21, decimal('0.001'), day(1900, 1, 1), day(1970, 1, 1), true, undefined],
] as const;

describe('XLSX writer', () => {
  it('writes typed cells that ferry reads back as the same values', async () => {
    const bytes = await writeTable('xlsx', { columns: COLUMNS, sheetName: 'Results' }, ROWS);
    const { columns, rows, sheet } = await readBack(bytes, 'typed.xlsx');
    assert.equal(sheet, 'Results');
    assert.deepEqual(columns, COLUMNS);
    assert.deepEqual(rows.map((r) => r.row), [2, 3, 4]);
    assert.deepEqual(rows.map((r) => r.cells.slice(0, 6)), ROWS.map((r) => [r[0], r[1], r[2].toNumber(), r[3], r[4], r[5]]));
    for (const r of rows) assert.equal(r.cells[6], undefined);
  });

  it('writes a workbook exceljs reads: types, date formats, bold header', async () => {
    const bytes = await writeTable('xlsx', { columns: COLUMNS, sheetName: 'Results: 2024/11 [final]?', dateFormat: 'dd.mm.yyyy' }, ROWS);
    const workbook = await exceljsWorkbook(bytes, 'exceljs.xlsx');
    const sheet = workbook.worksheets[0] ?? assert.fail('no sheet');
    assert.equal(sheet.name, 'Results_ 2024_11 _final__');
    assert.equal(sheet.getCell('A1').value, 'text');
    assert.equal(sheet.getCell('A1').font.bold, true);
    assert.equal(sheet.getCell('A2').value, 'Müller & <Söhne> "quoted"');
    assert.equal(sheet.getCell('A3').value, '00123');
    assert.equal(sheet.getCell('A4').value, '  spaced  ');
    assert.equal(sheet.getCell('B2').value, 42);
    assert.equal(sheet.getCell('C2').value, 1234.56);
    assert.deepEqual(sheet.getCell('D2').value, day(2024, 2, 29));
    assert.equal(sheet.getCell('D2').numFmt, 'dd.mm.yyyy');
    assert.deepEqual(sheet.getCell('E2').value, new Date(Date.UTC(2024, 1, 29, 13, 5, 7)));
    assert.equal(sheet.getCell('E2').numFmt, 'yyyy-mm-dd hh:mm:ss');
    assert.equal(sheet.getCell('F2').value, true);
    assert.equal(sheet.getCell('F3').value, false);
    assert.equal(sheet.getCell('G2').value, null);
  });

  it('counts days like Excel, with its 29 February 1900, and writes dates before 1900 as text', async () => {
    const bytes = await writeTable('xlsx', { columns: ['d'] }, [[day(1900, 1, 1)], [day(1900, 2, 28)], [day(1900, 3, 1)], [day(2024, 2, 29)], [day(1899, 12, 31)], [new Date(Number.NaN)]]);
    const sheet = await sheetXml(bytes);
    const value = (ref: string): string => descendants(cellAt(sheet, ref), 'v')[0]?.text ?? '';
    assert.deepEqual(['A2', 'A3', 'A4', 'A5'].map(value), ['1', '59', '61', '45351']);
    assert.equal(cellAt(sheet, 'A6').attributes.t, 'inlineStr');
    assert.equal(descendants(cellAt(sheet, 'A6'), 't')[0]?.text, '1899-12-31');
    assert.ok(!descendants(sheet, 'c').some((c) => c.attributes.r === 'A7'), 'an invalid date is an empty cell');
  });

  it('never writes a formula: injection values are inline strings with a quote prefix, numbers stay numbers (B12)', async () => {
    const inputs = ['=HYPERLINK("http://x")', "+cmd|'/c calc'!A0", '@SUM(1)', '-2+3', '\t=1', '=1+1'];
    const bytes = await writeTable('xlsx', { columns: ['value', 'number', 'decimal'] }, inputs.map((v) => [v, -5, decimal('-5')]));
    const entries = await unzip(bytes);
    const sheet = await sheetXml(bytes);
    assert.equal(descendants(sheet, 'f').length, 0, 'no <f> element');
    assert.ok(!/<f[\s>]/.test(entries.get('xl/worksheets/sheet1.xml')?.toString('utf8') ?? ''));
    const styles = parseXml(entries.get('xl/styles.xml')?.toString('utf8') ?? '');
    const xfs = descendants(descendants(styles, 'cellXfs')[0] ?? assert.fail('no cellXfs'), 'xf');
    inputs.forEach((input, i) => {
      const row = i + 2;
      const cell = cellAt(sheet, `A${row}`);
      assert.equal(cell.attributes.t, 'inlineStr', input);
      assert.equal(descendants(cell, 't')[0]?.text, input, 'the text itself is unchanged');
      assert.equal(xfs[Number(cell.attributes.s)]?.attributes.quotePrefix, '1', `${input} has a quote prefix style`);
      for (const ref of [`B${row}`, `C${row}`]) {
        const number = cellAt(sheet, ref);
        assert.equal(number.attributes.t, undefined, `${ref} is a number cell`);
        assert.equal(descendants(number, 'v')[0]?.text, '-5');
      }
    });
    const { rows } = await readBack(bytes, 'b12.xlsx');
    assert.deepEqual(rows.map((r) => r.cells), inputs.map((v) => [v, -5, -5]));
  });

  it('keeps CR and replaces characters XML cannot carry; cuts text at Excel’s 32,767 characters', async () => {
    const long = 'x'.repeat(40_000);
    const bytes = await writeTable('xlsx', { columns: ['a'] }, [['line\r\nnext\u0000\u0007end\uFFFF'], [long]]);
    const { rows } = await readBack(bytes, 'control.xlsx');
    assert.equal(rows[0]?.cells[0], 'line\r\nnext\uFFFD\uFFFDend\uFFFD');
    assert.equal(rows[1]?.cells[0], 'x'.repeat(32_767));
  });

  it('writes a header-only workbook when there are no rows', async () => {
    const bytes = await writeTable('xlsx', { columns: ['row', 'status'] }, []);
    const { columns, rows } = await readBack(bytes, 'empty.xlsx');
    assert.deepEqual(columns, ['row', 'status']);
    assert.deepEqual(rows, []);
    const workbook = await exceljsWorkbook(bytes, 'empty-exceljs.xlsx');
    assert.equal(workbook.worksheets[0]?.getCell('B1').value, 'status');
  });
});
