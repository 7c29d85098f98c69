import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { InputError } from '../../../src/errors.js';
import { tempFiles, type TempFiles } from '../../support/csv-files.js';
import { readXlsx, rowsOf, rowXml, sheetXml, stylesXml, workbookBytes, type WorkbookSpec } from '../../support/xlsx-files.js';
import { openXlsxReader, type XlsxOptions } from '../../../src/formats/xlsx/xlsx-reader.js';

const day = (iso: string): Date => new Date(iso.length === 10 ? `${iso}T00:00:00Z` : `${iso}Z`);

let files: TempFiles;
before(() => {
  files = tempFiles();
});
after(() => files.remove());

let count = 0;
async function read(spec: WorkbookSpec, options: XlsxOptions = {}): ReturnType<typeof readXlsx> {
  count++;
  return readXlsx(files.write(`w${count}.xlsx`, workbookBytes(spec)), options);
}

async function inputError(run: Promise<unknown>): Promise<InputError> {
  try {
    await run;
  } catch (err) {
    assert.ok(err instanceof InputError, `expected an InputError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an error');
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';

describe('openXlsxReader: text cells', () => {
  it('resolves shared strings: rich text runs joined, phonetic guides left out, Excel escapes undone, leading zeros kept', async () => {
    const sst = `<?xml version="1.0"?><sst xmlns="${MAIN}" count="7" uniqueCount="7">`
      + '<si><t>Name</t></si>'
      + '<si><r><rPr><b/></rPr><t>Fett</t></r><r><rPr><i/></rPr><t xml:space="preserve"> und normal</t></r></si>'
      + '<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1"/></si>'
      + '<si><t>Zeile 1_x000D_\nZeile 2</t></si>'
      + '<si><t>a_x005F_x0041_b</t></si>'
      + '<si><t>000123</t></si>'
      + '<si><t>1e5</t></si></sst>';
    const rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
      + ['1', '2', '3', '4', '5', '6'].map((i, n) => `<row r="${n + 2}"><c r="A${n + 2}" t="s"><v>${i}</v></c></row>`).join('');
    const { rows: read1 } = await read({ sheets: [{ name: 'S', rows }], sharedStrings: { xml: sst } });
    assert.deepEqual(rowsOf(read1, 1).map(([, cells]) => cells[0]), ['Fett und normal', '東京', 'Zeile 1\r\nZeile 2', 'a_x0041_b', '000123', '1e5']);
  });

  it('reads inline strings (rich runs too), formula strings, CDATA and character references', async () => {
    const rows = rowXml(1, ['A', 'B', 'C', 'D'])
      + '<row r="2"><c r="A2" t="inlineStr"><is><r><t>in</t></r><r><t>line</t></r></is></c>'
      + '<c r="B2" t="str"><f>A2&amp;"!"</f><v>inline!</v></c>'
      + '<c r="C2" t="inlineStr"><is><t><![CDATA[a<b & c]]></t></is></c>'
      + '<c r="D2" t="inlineStr"><is><t>&#x41;&#66;&lt;&amp;&gt;&quot;&apos;</t></is></c></row>';
    const { rows: got } = await read({ sheets: [{ name: 'S', rows }] });
    assert.deepEqual(rowsOf(got, 4), [[2, ['inline', 'inline!', 'a<b & c', 'AB<&>"\'']]]);
  });

  it('keeps text up to 32,767 characters and makes longer text a row problem', async () => {
    const ok = 'x'.repeat(32_767);
    const long = 'y'.repeat(40_000);
    const { rows } = await read({ sheets: [{ name: 'S', rows: rowXml(1, ['T', 'U']) + rowXml(2, [ok, 'a']) + rowXml(3, [long, 'b']) }] });
    assert.equal(rows[0]?.cells[0], ok);
    assert.equal(rows[1]?.problem?.code, 'E_XLSX_CELL_TOO_LONG');
    assert.match(rows[1]?.problem?.message ?? '', /cell A3 holds 40000 characters, more than Excel's 32767/);
  });
});

describe('openXlsxReader: numbers, booleans, errors, formulas', () => {
  it('reads numbers as numbers, booleans, cached formula values, and errors as row problems', async () => {
    const rows = rowXml(1, ['N', 'B', 'F', 'E'])
      + '<row r="2"><c r="A2" t="n"><v>-1.5E-3</v></c><c r="B2" t="b"><v>1</v></c><c r="C2"><f>A2*2</f><v>-0.003</v></c><c r="D2"><v>7</v></c></row>'
      + '<row r="3"><c r="A3"><v>123456789012345</v></c><c r="B3" t="b"><v>0</v></c><c r="C3"><f>1/0</f></c><c r="D3" t="e"><f>NA()</f><v>#N/A</v></c></row>';
    const { rows: got } = await read({ sheets: [{ name: 'S', rows }] });
    assert.deepEqual(rowsOf(got, 4), [[2, [-0.0015, true, -0.003, 7]], [3, [123456789012345, false, undefined, undefined]]]);
    assert.equal(got[0]?.problem, undefined);
    assert.deepEqual(got[1]?.problem, { code: 'E_XLSX_ERROR_VALUE', message: 'cell D3 holds the Excel error #N/A (a formula that failed); correct the sheet or leave that column out' });
  });

  it('makes a reference to a shared string the workbook lacks a row problem', async () => {
    const { rows } = await read({ sheets: [{ name: 'S', rows: rowXml(1, ['A']) + '<row r="2"><c r="A2" t="s"><v>9</v></c></row>' }], sharedStrings: ['x'] });
    assert.equal(rows[0]?.problem?.code, 'E_XLSX_CORRUPT');
    assert.match(rows[0]?.problem?.message ?? '', /cell A2 refers to shared string 9/);
  });
});

describe('openXlsxReader: dates', () => {
  // cell formats: 0 General, 1 built-in 14 (m/d/yyyy), 2 built-in 22 (m/d/yyyy h:mm), 3 built-in 46 ([h]:mm:ss),
  // 4 custom dd/mm/yyyy, 5 custom [h]:mm, 6 custom 0.00 "days", 7 custom [$-409]mmmm d, yyyy, 8 built-in 49 (@), 9 custom hh:mm
  const styles = stylesXml({ 164: 'dd/mm/yyyy', 165: '[h]:mm', 166: '0.00 "days"', 167: '[$-409]mmmm d, yyyy', 168: 'hh:mm' }, [0, 14, 22, 46, 164, 165, 166, 167, 49, 168]);
  const cell = (ref: string, style: number, value: number): string => `<c r="${ref}" s="${style}"><v>${value}</v></c>`;

  it('turns numbers with a date format into UTC dates and leaves other numbers alone', async () => {
    const rows = rowXml(1, ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J'])
      + `<row r="2">${[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((s, i) => cell(`${String.fromCharCode(65 + i)}2`, s, 46000.75)).join('')}</row>`;
    const { rows: got } = await read({ sheets: [{ name: 'S', rows }], styles });
    const at = day('2025-12-09T18:00:00');
    assert.deepEqual(rowsOf(got, 10), [[2, [46000.75, at, at, 46000.75, at, 46000.75, 46000.75, at, 46000.75, at]]]);
  });

  it('handles the 1900 leap-year bug: 59 is 1900-02-28, 60 (the fictitious 1900-02-29) stays a number, 61 is 1900-03-01', async () => {
    const rows = rowXml(1, ['D']) + [1, 59, 60, 61, 0, 0.75, -1].map((v, i) => `<row r="${i + 2}">${cell(`A${i + 2}`, 1, v)}</row>`).join('');
    const { rows: got } = await read({ sheets: [{ name: 'S', rows }], styles });
    assert.deepEqual(got.map((r) => r.cells[0]), [day('1900-01-01'), day('1900-02-28'), 60, day('1900-03-01'), 0, day('1899-12-31T18:00:00'), -1]);
  });

  it('counts from 1904-01-01 in a 1904 workbook, where 60 is an ordinary day', async () => {
    const rows = rowXml(1, ['D']) + [0, 60, 44634.5].map((v, i) => `<row r="${i + 2}">${cell(`A${i + 2}`, 1, v)}</row>`).join('');
    const { reader, rows: got } = await read({ sheets: [{ name: 'S', rows }], styles, date1904: true });
    assert.equal(reader.detected.dateSystem, '1904');
    assert.deepEqual(got.map((r) => r.cells[0]), [day('1904-01-01'), day('1904-03-01'), day('2026-03-15T12:00:00')]);
  });

  it('reads ISO date cells (t="d") as UTC', async () => {
    const rows = rowXml(1, ['D', 'T']) + '<row r="2"><c r="A2" t="d"><v>2026-11-23</v></c><c r="B2" t="d"><v>2026-11-23T08:30:00</v></c></row>';
    const { rows: got } = await read({ sheets: [{ name: 'S', rows }] });
    assert.deepEqual(rowsOf(got, 2), [[2, [day('2026-11-23'), day('2026-11-23T08:30:00')]]]);
  });
});

describe('openXlsxReader: rows and the header', () => {
  it('skips rows above the header row and empty rows below it, counting only the latter', async () => {
    const rows = rowXml(1, ['Report']) + rowXml(3, ['Id', 'Name']) + rowXml(4, ['1', 'a']) + '<row r="5"><c r="A5" s="0"/><c r="B5" t="inlineStr"><is><t> </t></is></c></row>' + rowXml(8, ['2', 'b']);
    const { reader, rows: got } = await read({ sheets: [{ name: 'S', rows }] }, { headerRow: 3 });
    assert.deepEqual(reader.columns, ['Id', 'Name']);
    assert.deepEqual(rowsOf(got, 2), [[4, ['1', 'a']], [8, ['2', 'b']]]);
    assert.equal(reader.stats.skippedEmpty, 3);
  });

  it('reads cells and rows without references and elements with a namespace prefix', async () => {
    const xml = `<?xml version="1.0"?><x:worksheet xmlns:x="${MAIN}"><x:sheetData><x:row><x:c t="inlineStr"><x:is><x:t>A</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>B</x:t></x:is></x:c></x:row>`
      + '<x:row><x:c><x:v>1</x:v></x:c><x:c><x:v>2</x:v></x:c></x:row><x:row r="5"><x:c r="B5"><x:v>3</x:v></x:c></x:row></x:sheetData></x:worksheet>';
    const { reader, rows } = await read({ sheets: [{ name: 'S', xml }] });
    assert.deepEqual(reader.columns, ['A', 'B']);
    assert.deepEqual(rowsOf(rows, 2), [[2, [1, 2]], [5, [undefined, 3]]]);
  });

  it('reads cell attributes however they are quoted, spaced or written', async () => {
    const rows = rowXml(1, ['A', 'B', 'C', 'D'])
      + `<row r="2"><c r='B2' t = 'inlineStr'><is><t>b</t></is></c><c r="$c$2"><v>3</v></c><c\n r="D2"\tt="&#115;"><v>0</v></c></row>`;
    const { rows: got } = await read({ sheets: [{ name: 'S', rows }], sharedStrings: ['d'] });
    assert.deepEqual(rowsOf(got, 4), [[2, [undefined, 'b', 3, 'd']]]);
  });

  it('names blank, merged and repeated header cells clearly and writes header numbers, dates and booleans as text', async () => {
    const styles = stylesXml({}, [0, 14]);
    const header = '<row r="1"><c r="A1" t="inlineStr"><is><t>Qty</t></is></c><c r="C1" t="inlineStr"><is><t>Qty</t></is></c>'
      + '<c r="D1" t="inlineStr"><is><t>Qty (2)</t></is></c><c r="E1"><v>2026</v></c><c r="F1" s="1"><v>46000</v></c><c r="G1" t="b"><v>1</v></c>'
      + '<c r="H1" t="inlineStr"><is><t>Address</t></is></c></row>';
    const { reader } = await read({ sheets: [{ name: 'S', rows: header + rowXml(2, ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11']), merges: ['H1:J1'] }], styles });
    assert.deepEqual(reader.columns, ['Qty', 'B', 'Qty (3)', 'Qty (2)', '2026', '2025-12-09', 'TRUE', 'Address', 'Address (2)', 'Address (3)', 'K']);
    assert.deepEqual(reader.detected.notes, [
      'column B has no header; it is named "B"',
      'column C repeats the header "Qty"; it is named "Qty (3)"',
      'column I is part of the merged header cell H1 "Address"; it is named "Address (2)"',
      'column J is part of the merged header cell H1 "Address"; it is named "Address (3)"',
      'column K has no header; it is named "K"',
    ]);
  });

  it('names a header cell merged down from a row above the header row after that row\'s text', async () => {
    const rows = rowXml(1, ['Order No', 'Delivery']) + rowXml(2, [undefined, 'Street', 'City']) + rowXml(3, ['1', 'Main St', 'Oslo']);
    const { reader } = await read({ sheets: [{ name: 'S', rows, merges: ['A1:A2', 'B1:C1'] }] }, { headerRow: 2 });
    assert.deepEqual(reader.columns, ['Order No', 'Street', 'City']);
  });

  it('does not let an error right of the table reject rows', async () => {
    const rows = rowXml(1, ['A', 'B']) + '<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c><c r="F2" t="e"><v>#REF!</v></c></row>';
    const { reader, rows: got } = await read({ sheets: [{ name: 'S', rows }] });
    assert.deepEqual(reader.columns, ['A', 'B']);
    assert.deepEqual(rowsOf(got, 2), [[2, [1, 2]]]);
    assert.equal(got[0]?.problem, undefined);
  });

  it('streams rows in batches of about a thousand, in order', async () => {
    let rows = rowXml(1, ['N']);
    for (let r = 2; r <= 3501; r++) rows += rowXml(r, [r]);
    const reader = await openXlsxReader(files.write('batches.xlsx', workbookBytes({ sheets: [{ name: 'S', rows }] })), {});
    const sizes: number[] = [];
    const numbers: number[] = [];
    for await (const batch of reader.batches()) {
      sizes.push(batch.length);
      for (const row of batch) numbers.push(row.row);
    }
    assert.ok(sizes.length >= 3 && sizes.every((n) => n <= 2000), `batch sizes ${sizes.join(', ')}`);
    assert.deepEqual(numbers, Array.from({ length: 3500 }, (_, i) => i + 2));
    assert.ok(reader.estimatedRows !== undefined && reader.estimatedRows >= 3000 && reader.estimatedRows <= 4500, `estimate ${String(reader.estimatedRows)}`);
  });

  it('refuses an empty header row with a hint, and an empty sheet', async () => {
    const noHeader = await inputError(read({ sheets: [{ name: 'S', rows: rowXml(3, ['Id']) + rowXml(4, ['1']) }] }));
    assert.equal(noHeader.code, 'E_XLSX_HEADER');
    assert.match(noHeader.message, /row 1 of the sheet "S" of w\d+\.xlsx is empty; set format\.headerRow to the row with the column names \(the first row with text is row 3\)/);
    const empty = await inputError(read({ sheets: [{ name: 'S', rows: '' }] }));
    assert.equal(empty.code, 'E_EMPTY_FILE');
  });

  it('passes over a chart sheet by default and refuses one that is asked for', async () => {
    const spec: WorkbookSpec = { sheets: [{ name: 'Chart', chart: true, xml: `<chartsheet xmlns="${MAIN}"/>` }, { name: 'Data', rows: rowXml(1, ['A']) + rowXml(2, ['x']) }] };
    const { reader } = await read(spec);
    assert.equal(reader.detected.sheet, 'Data');
    assert.deepEqual(reader.detected.notes, ['the first sheet "Chart" is not a worksheet; "Data", the first worksheet, is read']);
    assert.equal((await inputError(read(spec, { sheet: 'Chart' }))).code, 'E_XLSX_SHEET');
  });

  it('ignores the <dimension> a sheet claims', async () => {
    const { reader, rows } = await read({ sheets: [{ name: 'S', rows: rowXml(1, ['A']) + rowXml(2, ['x']), dimension: 'A1:XFD1048576' }] });
    assert.deepEqual(reader.columns, ['A']);
    assert.equal(rows.length, 1);
    assert.equal(reader.estimatedRows, 1);
  });
});

describe('openXlsxReader: XML that is not what it should be', () => {
  it('refuses a sheet with a DOCTYPE, malformed XML and an unknown entity as E_XLSX_CORRUPT', async () => {
    const bad = [
      `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><worksheet xmlns="${MAIN}"><sheetData>${rowXml(1, ['&a;'])}</sheetData></worksheet>`,
      sheetXml(`${rowXml(1, ['A'])}<row r="2"><c r="A2"><v>1</v></row>`),
      sheetXml(rowXml(1, ['A']).replace('<t>A</t>', '<t>&nbsp;</t>')),
    ];
    for (const xml of bad) {
      const err = await inputError(read({ sheets: [{ name: 'S', xml }] }));
      assert.equal(err.code, 'E_XLSX_CORRUPT', xml);
      assert.match(err.message, /xl\/worksheets\/sheet1\.xml/);
    }
  });

  it('refuses a DOCTYPE in the small parts too', async () => {
    const spec: WorkbookSpec = { sheets: [{ name: 'S', rows: rowXml(1, ['A']) }], styles: `<?xml version="1.0"?><!DOCTYPE s SYSTEM "file:///etc/passwd"><styleSheet xmlns="${MAIN}"/>` };
    const err = await inputError(read(spec));
    assert.equal(err.code, 'E_XLSX_CORRUPT');
    assert.match(err.message, /DOCTYPE/);
  });
});
