import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { InputError } from '../../../src/errors.js';
import { openCsvReader } from '../../../src/formats/csv/csv-reader.js';
import { cellsOf, readCsv, tempFiles, type TempFiles } from '../../support/csv-files.js';

let files: TempFiles;
before(() => {
  files = tempFiles();
});
after(() => files.remove());

const BOM8 = Buffer.from([0xef, 0xbb, 0xbf]);
const BOM16 = Buffer.from([0xff, 0xfe]);

/** Runs `open` and returns the InputError it rejects with. */
async function inputError(open: () => Promise<unknown>): Promise<InputError> {
  try {
    await open();
  } catch (err) {
    assert.ok(err instanceof InputError, `expected an InputError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an error');
}

describe('openCsvReader: encodings', () => {
  const text = 'Navn;Beløp;Merknad\r\nÆsa Øye;€ 5,50;„sitat“ ok\r\n';

  it('reads UTF-8 with and without a BOM, explicitly and with auto', async () => {
    for (const [name, bytes] of [['plain.csv', Buffer.from(text)], ['bom.csv', Buffer.concat([BOM8, Buffer.from(text)])]] as const) {
      for (const encoding of ['utf-8', 'auto', undefined]) {
        const { reader, rows } = await readCsv(files.write(name, bytes), { encoding });
        assert.deepEqual(reader.columns, ['Navn', 'Beløp', 'Merknad'], `${name} ${String(encoding)}`);
        assert.deepEqual(cellsOf(rows), [[2, ['Æsa Øye', '€ 5,50', '„sitat“ ok']]]);
        assert.equal(reader.detected.encoding, 'utf-8');
        assert.equal(reader.detected.lineEnding, 'CRLF');
      }
    }
  });

  it('reads UTF-16LE with a BOM, explicitly and with auto', async () => {
    const file = files.write('u16.csv', Buffer.concat([BOM16, Buffer.from(`${text}Smile;😀;x\r\n`, 'utf16le')]));
    for (const encoding of ['utf-16le', 'auto']) {
      const { reader, rows } = await readCsv(file, { encoding });
      assert.equal(reader.detected.encoding, 'utf-16le');
      assert.deepEqual(reader.columns, ['Navn', 'Beløp', 'Merknad']);
      assert.deepEqual(cellsOf(rows), [[2, ['Æsa Øye', '€ 5,50', '„sitat“ ok']], [3, ['Smile', '😀', 'x']]]);
    }
  });

  it('reads a TAB-separated UTF-16LE export as Excel writes it ("Unicode Text")', async () => {
    const file = files.write('excel.txt', Buffer.concat([BOM16, Buffer.from('Varenr\tNavn\tPris\r\n0042\t"Skrue, 5"" lang"\t1,50\r\n', 'utf16le')]));
    const { reader, rows } = await readCsv(file);
    assert.deepEqual([reader.detected.encoding, reader.detected.delimiter, reader.detected.lineEnding], ['utf-16le', '\t', 'CRLF']);
    assert.deepEqual(cellsOf(rows), [[2, ['0042', 'Skrue, 5" lang', '1,50']]]);
    assert.equal(reader.stats.bytes, 2 + Buffer.byteLength('Varenr\tNavn\tPris\r\n0042\t"Skrue, 5"" lang"\t1,50\r\n', 'utf16le'));
  });

  it('reads 0x80–0x9F as windows-1252 punctuation but as C1 controls in iso-8859-1', async () => {
    const file = files.write('cp.csv', Buffer.from('Pris;Sitat;Navn\n\x80 5;\x84hei\x93;Bj\xf8rn\n', 'latin1'));
    const cp = await readCsv(file, { encoding: 'windows-1252' });
    assert.deepEqual(cellsOf(cp.rows), [[2, ['€ 5', '„hei“', 'Bjørn']]]);
    const latin = await readCsv(file, { encoding: 'iso-8859-1' });
    assert.deepEqual(cellsOf(latin.rows), [[2, ['\u0080 5', '\u0084hei\u0093', 'Bjørn']]]);
    assert.equal(latin.reader.detected.encoding, 'iso-8859-1');
    const auto = await readCsv(file, { encoding: 'auto' });
    assert.equal(auto.reader.detected.encoding, 'windows-1252');
    assert.deepEqual(cellsOf(auto.rows), [[2, ['€ 5', '„hei“', 'Bjørn']]]);
  });

  it('chooses windows-1252 under auto when the only non-UTF-8 byte comes after the first megabyte', async () => {
    const line = 'row;plain ascii text, with a UTF-8 char ø\n';
    const filler = line.repeat(Math.ceil((1.2 * 1024 * 1024) / line.length));
    const bytes = Buffer.concat([Buffer.from(`a;b\n${filler}`), Buffer.from('late;Bj\xf8rn\n', 'latin1')]);
    const { reader, rows } = await readCsv(files.write('late.csv', bytes), { encoding: 'auto' });
    assert.equal(reader.detected.encoding, 'windows-1252');
    assert.deepEqual(rows.at(-1)?.cells, ['late', 'Bjørn']);
    assert.equal(rows[0]?.cells[1], 'plain ascii text, with a UTF-8 char Ã¸');
  });

  it('keeps UTF-8 under auto when a character straddles the detector’s 1 MiB read', async () => {
    const head = 'a;b\n';
    const pad = 'x'.repeat((1 << 20) - head.length - 3);
    const { reader, rows } = await readCsv(files.write('straddle.csv', `${head}1;${pad}€\n`), { encoding: 'auto' });
    assert.equal(reader.detected.encoding, 'utf-8');
    assert.ok(String(rows[0]?.cells[1]).endsWith('x€'));
  });

  it('fails invalid UTF-8 under explicit utf-8 with the byte offset, in the head or later in the file', async () => {
    const early = await inputError(() => readCsv(files.write('bad1.csv', Buffer.concat([Buffer.from('a;b\nø;'), Buffer.from([0xff, 0x0a])])), { encoding: 'utf-8' }));
    assert.equal(early.code, 'E_ENCODING');
    assert.equal(early.location?.byteOffset, 7);
    assert.match(early.message, /byte 7/);

    // an ø (2 bytes) cut by the 256 KiB read, then a bad byte a little later in the next chunk
    const prefix = `a;b\n${'y;'.padEnd((1 << 18) - 6, 'z')}\n`;
    const late = Buffer.concat([Buffer.from(`${prefix}ø;okay`), Buffer.from([0xff]), Buffer.from('\n')]);
    assert.equal(Buffer.byteLength(prefix) + 1, 1 << 18);
    const err = await inputError(() => readCsv(files.write('bad2.csv', late), { encoding: 'utf-8' }));
    assert.equal(err.code, 'E_ENCODING');
    assert.equal(err.location?.byteOffset, Buffer.byteLength(`${prefix}ø;okay`));

    const cut = await inputError(() => readCsv(files.write('bad3.csv', Buffer.concat([Buffer.from('a;b\n1;'), Buffer.from([0xe2, 0x82])])), { encoding: 'utf-8' }));
    assert.equal(cut.location?.byteOffset, 6);
  });

  it('explains a byte order mark that contradicts the profile', async () => {
    const err = await inputError(() => openCsvReader(files.write('u16bom.csv', Buffer.concat([BOM16, Buffer.from('a;b\r\n', 'utf16le')])), { encoding: 'utf-8' }));
    assert.equal(err.code, 'E_ENCODING');
    assert.match(err.message, /utf-16le byte order mark.*utf-8/);
    const unknown = await inputError(() => openCsvReader(files.write('plain2.csv', 'a;b\n'), { encoding: 'klingon' }));
    assert.equal(unknown.code, 'E_ENCODING');
  });

  it('drops a UTF-8 BOM from a file the profile declares windows-1252, with a note', async () => {
    const { reader, rows } = await readCsv(files.write('bom1252.csv', Buffer.concat([BOM8, Buffer.from('Navn;Pris\nBj\xf8rn;\x80 1\n', 'latin1')])), { encoding: 'windows-1252' });
    assert.deepEqual(reader.columns, ['Navn', 'Pris']);
    assert.deepEqual(cellsOf(rows), [[2, ['Bjørn', '€ 1']]]);
    assert.ok(reader.detected.notes?.some((n) => n.includes('byte order mark')));
  });
});

describe('openCsvReader: delimiters', () => {
  const candidates = [';', ',', '\t', '|'];
  for (const d of candidates) {
    it(`sniffs ${JSON.stringify(d)} even when quoted fields hold the other candidates`, async () => {
      const others = candidates.filter((c) => c !== d).join('');
      const lines = [
        ['id', `"name${others}x"`, 'note'],
        ['1', `"A${others}${others}"`, `"x${others}"`],
        ['2', 'B', `"y""${others}"`],
        ['3', `"C${others}"`, 'z'],
      ];
      const { reader, rows } = await readCsv(files.write('sniff.csv', `${lines.map((l) => l.join(d)).join('\n')}\n`));
      assert.equal(reader.detected.delimiter, d);
      assert.deepEqual(reader.columns, ['id', `name${others}x`, 'note']);
      assert.deepEqual(cellsOf(rows), [[2, ['1', `A${others}${others}`, `x${others}`]], [3, ['2', 'B', `y"${others}`]], [4, ['3', `C${others}`, 'z']]]);
    });
  }

  it('sniffs ";" over decimal commas, and uses an explicit delimiter as given', async () => {
    const file = files.write('dec.csv', 'Vare;Pris;Antall\nA;1,50;2\nB;12,75;1\n');
    assert.equal((await openCsvReader(file, {})).detected.delimiter, ';');
    const { reader, rows } = await readCsv(file, { delimiter: ',' });
    assert.deepEqual(reader.columns, ['Vare;Pris;Antall']);
    assert.deepEqual(cellsOf(rows), [[2, ['A;1', '50;2']], [3, ['B;12', '75;1']]]);
  });

  it('refuses a delimiter the parser cannot use instead of hanging', async () => {
    const file = files.write('d.csv', 'a;"b"\n1;"2"\n');
    for (const delimiter of ['', '\n', '"']) {
      const err = await inputError(() => openCsvReader(file, { delimiter }));
      assert.equal(err.code, 'E_PROFILE_INVALID');
    }
  });
});

describe('openCsvReader: header, skipRows and row numbers', () => {
  it('names columns "1", "2", … without a header, and the first line is row 1', async () => {
    const { reader, rows } = await readCsv(files.write('nohead.csv', 'a;b;c\n1;2;3\n'), { header: false });
    assert.deepEqual(reader.columns, ['1', '2', '3']);
    assert.equal(reader.detected.header, false);
    assert.deepEqual(cellsOf(rows), [[1, ['a', 'b', 'c']], [2, ['1', '2', '3']]]);
  });

  it('skips preamble lines, blank ones included, before the header', async () => {
    const file = files.write('pre.csv', 'Export from ERP\n\nDate: 2024-01-31\nNo;Qty\n1;5\n');
    const { reader, rows } = await readCsv(file, { skipRows: 3 });
    assert.deepEqual(reader.columns, ['No', 'Qty']);
    assert.deepEqual(cellsOf(rows), [[5, ['1', '5']]]);
    const noHeader = await readCsv(file, { skipRows: 4, header: false });
    assert.deepEqual(cellsOf(noHeader.rows), [[5, ['1', '5']]]);
    assert.equal((await inputError(() => openCsvReader(file, { skipRows: 5 }))).code, 'E_EMPTY_FILE');
  });

  it('renames blank and duplicate header names without collisions, with notes', async () => {
    const { reader, rows } = await readCsv(files.write('dup.csv', 'Qty; ;Qty;Qty (2);;Qty\n1;2;3;4;5;6\n'));
    assert.deepEqual(reader.columns, ['Qty', '2', 'Qty (3)', 'Qty (2)', '5', 'Qty (4)']);
    assert.equal(new Set(reader.columns).size, reader.columns.length);
    assert.equal(reader.detected.notes?.length, 4);
    assert.ok(reader.detected.notes?.some((n) => n.includes('column 3') && n.includes('"Qty (3)"')));
    assert.deepEqual(rows[0]?.cells, ['1', '2', '3', '4', '5', '6']);
  });

  it('takes __proto__ and constructor as plain column names without touching Object.prototype', async () => {
    const proto = Object.prototype as Record<string, unknown>;
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    const { reader, rows } = await readCsv(files.write('proto.csv', '__proto__;constructor;toString\npolluted;yes;1\n'));
    assert.deepEqual(reader.columns, ['__proto__', 'constructor', 'toString']);
    assert.deepEqual(rows[0]?.cells, ['polluted', 'yes', '1']);
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), before);
    assert.equal(proto['polluted'], undefined);
    assert.equal(proto['yes'], undefined);
  });

  it('reads quoted delimiters, doubled quotes and embedded newlines, numbering rows by their first line', async () => {
    const body = 'id;text;n\n1;"a;b";x\n2;"say ""hi""";y\n3;"two\nlines";z\n4;"three\r\nlines\r\nhere";w\n5;plain;v';
    for (const [eol, name] of [['\n', 'LF'], ['\r\n', 'CRLF'], ['\r', 'CR']] as const) {
      const text = body.replace(/\n(?=\d;|$)/g, eol).replace(/^id;text;n\n/, `id;text;n${eol}`);
      const { reader, rows } = await readCsv(files.write(`q-${name}.csv`, text));
      assert.equal(reader.detected.lineEnding, name);
      assert.deepEqual(cellsOf(rows), [
        [2, ['1', 'a;b', 'x']],
        [3, ['2', 'say "hi"', 'y']],
        [4, ['3', 'two\nlines', 'z']],
        // in a CR file a bare LF inside quotes is not a line break
        [name === 'CR' ? 5 : 6, ['4', 'three\r\nlines\r\nhere', 'w']],
        [name === 'CR' ? 8 : 9, ['5', 'plain', 'v']],
      ], name);
    }
  });

  it('skips blank lines and all-empty rows, counting them, and reads a last line without a newline', async () => {
    const { reader, rows } = await readCsv(files.write('blank.csv', 'a;b;c\r\n\r\n1;2;3\r\n;;\r\n ; ;\r\n\r\n4;;\r\n5;6;7'));
    assert.deepEqual(cellsOf(rows), [[3, ['1', '2', '3']], [7, ['4', '', '']], [8, ['5', '6', '7']]]);
    assert.equal(reader.stats.skippedEmpty, 4);
    assert.equal(reader.stats.lines, 8);
  });

  it('numbers rows by line when blank lines come before the header', async () => {
    const { reader, rows } = await readCsv(files.write('lead.csv', '\n\r\na;b\n1;2\n'));
    assert.deepEqual(reader.columns, ['a', 'b']);
    assert.deepEqual(cellsOf(rows), [[4, ['1', '2']]]);
  });

  it('uses another quote character when told', async () => {
    const { rows } = await readCsv(files.write('apos.csv', "a;b\n'x;y';\"z\"\n"), { quote: "'" });
    assert.deepEqual(cellsOf(rows), [[2, ['x;y', '"z"']]]);
    assert.equal(rows[0]?.problem, undefined);
  });

  it('reads a file with only a header as zero rows', async () => {
    for (const text of ['a;b\n', 'a;b', 'a;b\r\n\r\n']) {
      const { reader, rows } = await readCsv(files.write('head.csv', text));
      assert.deepEqual(reader.columns, ['a', 'b']);
      assert.equal(rows.length, 0);
    }
  });
});
