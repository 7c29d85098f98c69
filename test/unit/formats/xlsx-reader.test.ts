import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import ExcelJS from 'exceljs';

import { InputError } from '../../../src/errors.js';
import { openReader } from '../../../src/formats/open-reader.js';
import { tempFiles, type TempFiles } from '../../support/csv-files.js';
import { errorsOf, mapperFor, recordOf } from '../../support/mapping-fixture.js';
import { readXlsx, rowsOf, sample } from '../../support/xlsx-files.js';

const day = (iso: string): Date => new Date(iso.length === 10 ? `${iso}T00:00:00Z` : `${iso}Z`);

let files: TempFiles;
before(() => {
  files = tempFiles();
});
after(() => files.remove());

describe('openXlsxReader: a workbook written by openpyxl', () => {
  it('reads the chosen sheet from its header row: dates, times, text with leading zeros, numbers, merged and blank headers', async () => {
    const { reader, rows } = await readXlsx(sample('openpyxl-orders.xlsx'), { sheet: 'Orders', headerRow: 3 });
    assert.deepEqual(reader.columns, ['Order No', 'Article', 'Qty', 'Price', 'Ordered', 'Delivery', 'Delivery (2)', 'H', 'Comment']);
    assert.deepEqual(reader.detected.notes, [
      'column G is part of the merged header cell F3 "Delivery"; it is named "Delivery (2)"',
      'column H has no header; it is named "H"',
    ]);
    assert.deepEqual(rowsOf(rows, 9), [
      [4, ['ORD-1001', '000123', 5, 12.5, day('2026-03-14'), day('2026-03-16T08:30:00'), day('1899-12-31T14:00:00'), 45000, 'first']],
      [5, ['ORD-1002', '004711', 1, 1234.56, day('2026-02-28'), day('2026-03-01T23:59:59'), day('1899-12-31T09:15:00'), 45001, undefined]],
      // 59 and 61 on either side of Excel's fictitious 1900-02-29; 60 in a General cell stays a number
      [7, ['ORD-1003', '0000099', 500, 0.85, day('1900-02-28'), day('1900-03-01T12:00:00'), day('1899-12-31T00:00:01'), 60, 'leap-year edge']],
      [8, ['ORD-1004', '12', 2, -3.25, day('2024-02-29'), day('2026-12-31T00:00:00'), day('1899-12-31T23:59:00'), 0.5, 'Größe ✓ <ok> & "quoted"']],
      [10, ['ORD-1005', '000000', 7, 99, day('2026-01-01'), undefined, undefined, undefined, 'after an empty row']],
    ]);
    // row 6 is absent from the sheet, row 9 holds only blanks and a styled empty cell
    assert.equal(reader.stats.skippedEmpty, 2);
    assert.equal(reader.stats.lines, 10);
  });

  it('says what it found: sheets (hidden ones too), the sheet read, header row, date system', async () => {
    const reader = await openReader(sample('openpyxl-orders.xlsx'), { type: 'xlsx', sheet: 'Orders', headerRow: 3 });
    const { detected } = reader;
    for await (const batch of reader.batches()) void batch;
    assert.equal(detected.format, 'xlsx');
    assert.deepEqual(detected.sheets, ['Orders', 'Prices', 'Internal']);
    assert.equal(detected.sheet, 'Orders');
    assert.equal(detected.headerRow, 3);
    assert.equal(detected.dateSystem, '1900');
    assert.deepEqual(detected.columns, reader.columns);
  });

  it('takes the first sheet and row 1 by default; a title row merged over A1:C1 then names the columns', async () => {
    const { reader } = await readXlsx(sample('openpyxl-orders.xlsx'));
    assert.equal(reader.detected.sheet, 'Orders');
    assert.deepEqual(reader.columns.slice(0, 4), ['Nightly order export', 'Nightly order export (2)', 'Nightly order export (3)', 'D']);
    assert.equal(reader.columns.length, 9);
  });

  it('chooses sheets by position and by name regardless of case, hidden ones included', async () => {
    const prices = await readXlsx(sample('openpyxl-orders.xlsx'), { sheet: 2 });
    // a number in the header is a name; formulas that openpyxl wrote without a cached value are empty
    assert.deepEqual(prices.reader.columns, ['SKU', '2026', 'Unit price', 'Qty', 'Total', 'In stock']);
    assert.deepEqual(rowsOf(prices.rows, 6), [
      [2, ['A-1', 'x', 2.5, 4, undefined, true]],
      [3, ['A-2', 'y', 10, 3, undefined, false]],
    ]);
    for (const sheet of ['internal', 3]) {
      const hidden = await readXlsx(sample('openpyxl-orders.xlsx'), { sheet });
      assert.equal(hidden.reader.detected.sheet, 'Internal');
      assert.deepEqual(hidden.reader.detected.notes, ['the sheet "Internal" is hidden in Excel; it is read all the same']);
      assert.deepEqual(rowsOf(hidden.rows, 2), [[2, ['secret', 42]]]);
    }
  });

  it('refuses a sheet that does not exist, listing the ones that do', async () => {
    for (const sheet of ['Orderz', 4]) {
      await assert.rejects(readXlsx(sample('openpyxl-orders.xlsx'), { sheet }), (err: unknown) => {
        assert.ok(err instanceof InputError);
        assert.equal(err.code, 'E_XLSX_SHEET');
        assert.match(err.message, /"Orders", "Prices", "Internal"/);
        return true;
      });
    }
  });

  it('reads a 1904 workbook (old Mac date system) without shifting its dates by four years', async () => {
    const { reader, rows } = await readXlsx(sample('openpyxl-1904.xlsx'));
    assert.equal(reader.detected.dateSystem, '1904');
    assert.deepEqual(rowsOf(rows, 4), [
      [2, ['D-01', day('2026-03-15'), day('2026-03-15T07:45:00'), 3]],
      [3, ['D-02', day('1904-01-01'), day('1904-01-02T12:00:00'), 1]],
      [4, ['D-03', day('2024-02-29'), day('2024-12-31T23:59:59'), 12]],
    ]);
  });

  it('maps date cells to the right day and keeps article numbers as text', async () => {
    const reader = await openReader(sample('openpyxl-orders.xlsx'), { type: 'xlsx', sheet: 'Orders', headerRow: 3 });
    const map = mapperFor({ order: { from: 'Order No' }, article: { from: 'Article' }, ordered: { from: 'Ordered', type: 'date' }, delivery: { from: 'Delivery', type: 'datetime', timezone: 'UTC' } }, reader.columns);
    const records = [];
    for await (const batch of reader.batches()) for (const row of batch) records.push(recordOf(map(row)));
    assert.deepEqual(records[0], { order: 'ORD-1001', article: '000123', ordered: '2026-03-14', delivery: '2026-03-16T08:30:00+00:00' });
    assert.deepEqual(records[2], { order: 'ORD-1003', article: '0000099', ordered: '1900-02-28', delivery: '1900-03-01T12:00:00+00:00' });
  });
});

describe('openXlsxReader: a workbook written by LibreOffice Calc', () => {
  it('reads formulas as their cached values, rich text as plain text, and a formula error as a row problem', async () => {
    const { reader, rows } = await readXlsx(sample('libreoffice-stock.xlsx'));
    assert.deepEqual(reader.columns, ['Article', 'Description', 'Qty', 'Unit price', 'Value', 'Counted on', 'Counted at', 'Shift start', 'Level', 'Share', 'Per box', 'Active', 'Qty (2)']);
    assert.deepEqual(reader.detected.notes, ['column M repeats the header "Qty"; it is named "Qty (2)"']);
    assert.deepEqual(reader.detected.sheets, ['Stock', 'Summary']);
    // LibreOffice writes booleans as the numbers 1 and 0
    assert.deepEqual(rowsOf(rows, 13), [
      [2, ['000123', 'Schraube M8 verzinkt', 12, 0.35, 4.2, day('2026-03-14'), day('2026-03-14T16:45:00'), day('1899-12-31T06:30:00'), 'ok', 0.125, 3, 1, 4]],
      [3, ['004711', 'Mutter M8\nzweite Zeile', 3, 1234.5, 3703.5, day('2024-02-29'), day('2026-12-31T23:59:00'), day('1899-12-31T22:00:00'), 'low', 0.5, undefined, 0, 0]],
      [5, ['000042', 'Scheibe <A> & Co', 100, 0.01, 1, day('1900-03-01'), undefined, undefined, 'ok', 1, 10, 1, 10]],
    ]);
    assert.equal(rows[0]?.problem, undefined);
    assert.equal(rows[1]?.problem?.code, 'E_XLSX_ERROR_VALUE');
    assert.match(rows[1]?.problem?.message ?? '', /cell K3 holds the Excel error #DIV\/0!/);
    assert.equal(reader.stats.skippedEmpty, 1);
  });

  it('rejects the row with the error through mapping, naming the cell', async () => {
    const reader = await openReader(sample('libreoffice-stock.xlsx'), { type: 'xlsx' });
    const map = mapperFor({ article: { from: 'Article' }, value: { from: 'Value', type: 'decimal' } }, reader.columns);
    const outcomes = [];
    for await (const batch of reader.batches()) for (const row of batch) outcomes.push(map(row));
    const first = recordOf(outcomes[0]);
    assert.equal(first.article, '000123');
    assert.equal(String(first.value), '4.2');
    assert.match(errorsOf(outcomes[1])[0]?.message ?? '', /K3/);
  });

  it('reads a sheet whose values are all formulas (cross-sheet sums)', async () => {
    const { rows } = await readXlsx(sample('libreoffice-stock.xlsx'), { sheet: 'Summary' });
    assert.deepEqual(rowsOf(rows, 2), [[2, ['Total value', 3708.7]], [3, ['Articles', 3]]]);
  });

  it('refuses an old binary .xls workbook that LibreOffice wrote, asking for .xlsx', async () => {
    await assert.rejects(readXlsx(sample('libreoffice-legacy.xls')), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.equal(err.code, 'E_XLS_UNSUPPORTED');
      assert.match(err.message, /save it as \.xlsx/);
      return true;
    });
  });
});

describe('openXlsxReader: a workbook written by exceljs', () => {
  it('resolves shared strings and rich text and turns date-formatted cells into dates', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Data');
    sheet.addRow(['Id', 'Note', 'When', 'Amount']);
    sheet.addRow(['0007', { richText: [{ text: 'bold ', font: { bold: true } }, { text: 'plain' }] }, new Date(Date.UTC(2026, 10, 23, 8, 30)), 12.75]);
    sheet.getCell('C2').numFmt = 'dd.mm.yyyy hh:mm';
    sheet.addRow(['0008', 'x', new Date(Date.UTC(2026, 0, 1)), 45000]);
    sheet.getCell('C3').numFmt = 'yyyy-mm-dd';
    const file = files.write('exceljs.xlsx', Buffer.from(await workbook.xlsx.writeBuffer()));
    const { reader, rows } = await readXlsx(file);
    assert.deepEqual(reader.columns, ['Id', 'Note', 'When', 'Amount']);
    assert.deepEqual(rowsOf(rows, 4), [
      [2, ['0007', 'bold plain', day('2026-11-23T08:30:00'), 12.75]],
      [3, ['0008', 'x', day('2026-01-01'), 45000]],
    ]);
  });
});
