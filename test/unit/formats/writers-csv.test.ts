import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { InputError } from '../../../src/errors.js';
import { createCsvWriter } from '../../../src/formats/writers/csv-writer.js';
import { Decimal } from '../../../src/mapping/decimal.js';
import { cellsOf, readCsv, tempFiles, type TempFiles } from '../../support/csv-files.js';
import { CollectingStream, writeTable } from '../../support/writer-output.js';

let files: TempFiles;
before(() => {
  files = tempFiles();
});
after(() => files.remove());

const decimal = (text: string): Decimal => Decimal.parse(text) ?? assert.fail(`bad decimal ${text}`);

describe('CSV writer', () => {
  it('writes a header and RFC 4180 rows that ferry reads back unchanged', async () => {
    const bytes = await writeTable('csv', { columns: ['id', 'name', 'note'] }, [
      [1, 'plain', 'a,b'],
      [2, 'say "hi"', 'two\r\nlines'],
      [3, 'lf\nonly', ''],
    ]);
    assert.equal(bytes.toString('utf8'), 'id,name,note\r\n1,plain,"a,b"\r\n2,"say ""hi""","two\r\nlines"\r\n3,"lf\nonly",\r\n');
    const { reader, rows } = await readCsv(files.write('rfc.csv', bytes), { encoding: 'utf-8', delimiter: ',' });
    assert.deepEqual(reader.columns, ['id', 'name', 'note']);
    assert.deepEqual(cellsOf(rows).map(([, cells]) => cells), [
      ['1', 'plain', 'a,b'],
      ['2', 'say "hi"', 'two\r\nlines'],
      ['3', 'lf\nonly', ''],
    ]);
  });

  it('writes decimal commas on request, quoting them when the comma is also the delimiter', async () => {
    const semi = await writeTable('csv', { columns: ['n', 'd', 't'], delimiter: ';', decimalSeparator: ',' }, [[-0.5, decimal('1234.50'), '1.5 stays text']]);
    assert.equal(semi.toString('utf8'), 'n;d;t\r\n-0,5;1234,50;1.5 stays text\r\n');
    const comma = await writeTable('csv', { columns: ['n', 'i'], decimalSeparator: ',' }, [[2.25, 7]]);
    assert.equal(comma.toString('utf8'), 'n,i\r\n"2,25",7\r\n');
  });

  it('writes numbers as plain digits, Decimals exactly, dates as ISO, booleans and empty values', async () => {
    const bytes = await writeTable('csv', { columns: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'] }, [
      [1e21, 1e-7, -0.5, decimal('1234.50'), decimal('-0.001'), new Date(Date.UTC(2024, 1, 29)), new Date(Date.UTC(2024, 1, 29, 13, 5, 7, 250)), true, false, null],
      [Number.NaN, Number.POSITIVE_INFINITY, 123456789012, undefined, new Date(Number.NaN), '', 0, -0, 2 ** 53, 'x'],
    ]);
    const lines = bytes.toString('utf8').split('\r\n');
    assert.equal(lines[1], '1000000000000000000000,0.0000001,-0.5,1234.50,-0.001,2024-02-29,2024-02-29T13:05:07.250Z,true,false,');
    assert.equal(lines[2], ',,123456789012,,,,0,0,9007199254740992,x');
  });

  it('uses the given delimiter, quote and line ending', async () => {
    const semi = await writeTable('csv', { columns: ['a', 'b'], delimiter: ';', lineEnding: 'LF' }, [['x;y', 'p,q']]);
    assert.equal(semi.toString('utf8'), 'a;b\n"x;y";p,q\n');
    const tab = await writeTable('csv', { columns: ['a', 'b'], delimiter: '\t', quote: "'" }, [["it's", 'tab\there']]);
    assert.equal(tab.toString('utf8'), "a\tb\r\n'it''s'\t'tab\there'\r\n");
    const { rows } = await readCsv(files.write('tab.csv', tab), { delimiter: '\t', quote: "'" });
    assert.deepEqual(cellsOf(rows), [[2, ["it's", 'tab\there']]]);
  });

  it('writes windows-1252 with € and umlauts as single bytes', async () => {
    const rows = [['Müller & Söhne', '€ 5,50'], ['Ærø', '„zitat“ ß']];
    const bytes = await writeTable('csv', { columns: ['Kunde', 'Betrag'], delimiter: ';', encoding: 'windows-1252' }, rows);
    // € 0x80, „ 0x84, “ 0x93 exist only in windows-1252; the letters are the latin1 bytes
    assert.deepEqual(bytes, Buffer.from('Kunde;Betrag\r\nM\xfcller & S\xf6hne;\x80 5,50\r\n\xc6r\xf8;\x84zitat\x93 \xdf\r\n', 'latin1'));
    const { reader, rows: read } = await readCsv(files.write('cp1252.csv', bytes), { encoding: 'windows-1252', delimiter: ';' });
    assert.deepEqual(reader.columns, ['Kunde', 'Betrag']);
    assert.deepEqual(cellsOf(read).map(([, cells]) => cells), rows);
    const auto = await readCsv(files.write('cp1252-auto.csv', bytes));
    assert.equal(auto.reader.detected.encoding, 'windows-1252');
    assert.deepEqual(cellsOf(auto.rows).map(([, cells]) => cells), rows);
  });

  it('writes iso-8859-1, and utf-16le with a byte order mark', async () => {
    const latin1 = await writeTable('csv', { columns: ['n'], encoding: 'latin1' }, [['Grüße']]);
    assert.deepEqual(latin1, Buffer.from('n\r\nGrüße\r\n', 'latin1'));
    const utf16 = await writeTable('csv', { columns: ['Navn'], encoding: 'utf-16le', delimiter: '\t' }, [['Æsa €']]);
    assert.deepEqual(utf16.subarray(0, 2), Buffer.from([0xff, 0xfe]));
    assert.equal(utf16.subarray(2).toString('utf16le'), 'Navn\r\nÆsa €\r\n');
    const { reader, rows } = await readCsv(files.write('utf16.csv', utf16));
    assert.equal(reader.detected.encoding, 'utf-16le');
    assert.deepEqual(cellsOf(rows), [[2, ['Æsa €']]]);
    const bom8 = await writeTable('csv', { columns: ['a'], bom: true }, [['ø']]);
    assert.deepEqual(bom8, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a\r\nø\r\n')]));
  });

  it('neutralises strings a spreadsheet would run as formulas, and leaves numbers alone (B12)', async () => {
    const inputs = ['=HYPERLINK("http://x")', "+cmd|'/c calc'!A0", '@SUM(1)', '-2+3', '\t=1', '\r=1'];
    const bytes = await writeTable('csv', { columns: ['value', 'number', 'decimal'] }, inputs.map((v) => [v, -5, decimal('-5.00')]));
    const { rows } = await readCsv(files.write('b12.csv', bytes), { delimiter: ',' });
    const cells = cellsOf(rows).map(([, c]) => c);
    assert.deepEqual(cells.map((c) => c[0]), inputs.map((v) => `'${v}`));
    for (const c of cells) assert.deepEqual(c.slice(1), ['-5', '-5.00']);
    assert.ok(bytes.toString('utf8').includes('\r\n"\'=HYPERLINK(""http://x"")",-5,-5.00\r\n'));
    const off = await writeTable('csv', { columns: ['v'], neutraliseFormulas: false }, [['=1+1'], ['-2']]);
    assert.equal(off.toString('utf8'), 'v\r\n=1+1\r\n-2\r\n');
  });

  it('refuses encodings and dialects it cannot write', () => {
    const out = new CollectingStream();
    assert.throws(() => createCsvWriter(out, { columns: ['a'], encoding: 'klingon-8' }), (err: unknown) => err instanceof InputError && err.code === 'E_ENCODING');
    assert.throws(() => createCsvWriter(out, { columns: ['a'], delimiter: '"' }), (err: unknown) => err instanceof InputError && err.code === 'E_PROFILE_INVALID');
    assert.throws(() => createCsvWriter(out, { columns: ['a'], delimiter: '\n' }), (err: unknown) => err instanceof InputError && err.code === 'E_PROFILE_INVALID');
  });

  it('refuses a row with more values than columns, and fills missing ones with empty cells', async () => {
    const out = new CollectingStream();
    const writer = createCsvWriter(out, { columns: ['a', 'b'] });
    await assert.rejects(writer.writeRow([1, 2, 3]), RangeError);
    await writer.writeRow([1]);
    await writer.end();
    assert.equal(out.bytes().toString('utf8'), 'a,b\r\n1,\r\n');
  });
});
