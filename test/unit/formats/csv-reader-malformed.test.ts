import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';

import { InputError } from '../../../src/errors.js';
import { openCsvReader } from '../../../src/formats/csv/csv-reader.js';
import type { SourceRow } from '../../../src/formats/types.js';
import { cellsOf, openFileCount, readCsv, seededRandom, tempFiles, type TempFiles } from '../../support/csv-files.js';

let files: TempFiles;
before(() => {
  files = tempFiles();
});
after(() => files.remove());

const MB = 1024 * 1024;

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

function problems(rows: readonly SourceRow[]): [number, string | undefined, number | undefined, number | undefined][] {
  return rows.filter((r) => r.problem !== undefined).map((r) => [r.row, r.problem?.code, r.problem?.line, r.problem?.column]);
}

describe('openCsvReader: malformed rows', () => {
  it('fails the file from batches() at an unclosed quote, after the good rows', async () => {
    const reader = await openCsvReader(files.write('open.csv', 'a;b\n1;2\n3;"never\nclosed\n'), {});
    const seen: SourceRow[] = [];
    const err = await inputError(async () => {
      for await (const batch of reader.batches()) seen.push(...batch);
    });
    assert.deepEqual(cellsOf(seen), [[2, ['1', '2']]]);
    assert.equal(err.code, 'E_CSV_QUOTE');
    assert.equal(err.location?.line, 3);
    assert.equal(err.location?.column, 3);
  });

  it('rejects only the row with a quote inside an unquoted field, unless relaxQuotes', async () => {
    const file = files.write('stray.csv', 'item;size\r\npipe;5" wide\r\nbolt;M8\r\n');
    const { rows } = await readCsv(file);
    assert.deepEqual(problems(rows), [[2, 'E_CSV_QUOTE', 2, 7]]);
    assert.deepEqual(rows.map((r) => r.cells), [['pipe', '5" wide'], ['bolt', 'M8']]);
    const relaxed = await readCsv(file, { relaxQuotes: true });
    assert.deepEqual(problems(relaxed.rows), []);
    assert.deepEqual(relaxed.rows[0]?.cells, ['pipe', '5" wide']);
  });

  it('finds the line ending of a CR file whose first row has a stray quote', async () => {
    const { reader, rows } = await readCsv(files.write('straycr.csv', 'item;size\rpipe;5" wide\rbolt;M8\r'));
    assert.equal(reader.detected.lineEnding, 'CR');
    assert.deepEqual(reader.columns, ['item', 'size']);
    assert.deepEqual(problems(rows), [[2, 'E_CSV_QUOTE', 2, 7]]);
    assert.deepEqual(rows[1]?.cells, ['bolt', 'M8']);
  });

  it('rejects a row with text after a closing quote', async () => {
    const { rows } = await readCsv(files.write('after.csv', 'a;b\n"x"y;1\nok;2\n'));
    assert.deepEqual(problems(rows), [[2, 'E_CSV_QUOTE', 2, 4]]);
    assert.equal(rows.length, 2);
  });

  it('rejects ragged rows, unless relaxColumnCount', async () => {
    const file = files.write('ragged.csv', 'a;b;c\n1;2;3\n4;5\n6;7;8;9\n');
    const { rows } = await readCsv(file);
    assert.deepEqual(rows.map((r) => [r.row, r.problem?.code]), [[2, undefined], [3, 'E_CSV_COLUMNS'], [4, 'E_CSV_COLUMNS']]);
    assert.match(rows[1]?.problem?.message ?? '', /2 fields.*3/);
    const relaxed = await readCsv(file, { relaxColumnCount: true });
    assert.deepEqual(problems(relaxed.rows), []);
    assert.deepEqual(relaxed.rows[2]?.cells, ['6', '7', '8', '9']);
  });

  it('rejects a row with a NUL byte, giving line and column', async () => {
    const { rows } = await readCsv(files.write('nul.csv', Buffer.from('a;b\n1;x\0y\n2;"q\0"\n3;ok\n', 'latin1')));
    assert.deepEqual(problems(rows), [[2, 'E_CSV_NUL', 2, 4], [3, 'E_CSV_NUL', 3, 5]]);
    assert.deepEqual(rows.at(-1)?.cells, ['3', 'ok']);
  });

  it('fails the file when the header itself is malformed', async () => {
    const err = await inputError(() => openCsvReader(files.write('badhead.csv', 'a;b"c\n1;2\n'), {}));
    assert.equal(err.code, 'E_CSV_HEADER');
    assert.equal(err.location?.line, 1);
    assert.equal(err.location?.column, 4);
  });
});

describe('openCsvReader: oversized input', () => {
  it('skips a 10 MB line as a row problem with bounded memory and reads the rows after it', async () => {
    const file = files.write('long.csv', Buffer.concat([Buffer.from('a;b\n1;2\n'), Buffer.alloc(10 * MB, 'x'), Buffer.from('\n3;4\n5;6')]));
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    const started = performance.now();
    const reader = await openCsvReader(file, {});
    const rows: SourceRow[] = [];
    for await (const batch of reader.batches()) {
      rows.push(...batch);
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }
    assert.deepEqual(rows.map((r) => [r.row, r.problem?.code, r.cells]), [
      [2, undefined, ['1', '2']],
      [3, 'E_CSV_RECORD_TOO_LARGE', []],
      [4, undefined, ['3', '4']],
      [5, undefined, ['5', '6']],
    ]);
    assert.ok(heapPeak - heapBefore < 60 * MB, `heap grew ${Math.round((heapPeak - heapBefore) / MB)} MB`);
    assert.ok(performance.now() - started < 5000);
  });

  it('fails quickly on a 10 MB quoted field that is never closed', async () => {
    const file = files.write('longq.csv', Buffer.concat([Buffer.from('a;b\n1;2\n3;"'), Buffer.alloc(10 * MB, 'x\n')]));
    const started = performance.now();
    const err = await inputError(() => readCsv(file));
    assert.equal(err.code, 'E_CSV_QUOTE');
    assert.deepEqual([err.location?.line, err.location?.column], [3, 3]);
    assert.ok(performance.now() - started < 3000);
  });
});

describe('openCsvReader: files that are not CSV text', () => {
  const random = seededRandom(7);
  const noise = Buffer.from(Array.from({ length: 64 * 1024 }, () => Math.floor(random() * 256)));
  const cases: [string, Buffer, string][] = [
    ['zip.csv', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('[Content_Types].xml docProps/app.xml')]), 'E_FORMAT_MISMATCH'],
    ['xls.csv', Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512)]), 'E_FORMAT_MISMATCH'],
    ['pdf.csv', Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n', 'latin1'), 'E_FORMAT_MISMATCH'],
    ['gz.csv', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00]), 'E_FORMAT_MISMATCH'],
    ['noise.csv', Buffer.concat([Buffer.from('aa'), noise]), 'E_NOT_TEXT'],
    ['zeros.csv', Buffer.alloc(4 * MB), 'E_NOT_TEXT'],
  ];
  for (const [name, bytes, code] of cases) {
    it(`refuses ${name} with ${code}, whatever the encoding setting`, async () => {
      const file = files.write(name, bytes);
      for (const encoding of ['auto', 'utf-8', 'windows-1252']) {
        const err = await inputError(() => openCsvReader(file, { encoding }));
        assert.equal(err.code, code, `${name} ${encoding}`);
        assert.equal(err.location?.file, name);
      }
    });
  }

  it('refuses empty files and files with nothing but blank lines or a BOM', async () => {
    for (const [name, bytes] of [['empty.csv', Buffer.alloc(0)], ['blank.csv', Buffer.from('\r\n\r\n\n')], ['bom.csv', Buffer.from([0xef, 0xbb, 0xbf])]] as const) {
      const err = await inputError(() => openCsvReader(files.write(name, bytes), {}));
      assert.equal(err.code, 'E_EMPTY_FILE', name);
    }
  });
});

describe('openCsvReader: closing the file', () => {
  const fdCount = openFileCount();

  it('closes the file when the caller stops reading early or opening fails', { skip: fdCount === undefined }, async () => {
    const file = files.write('small.csv', 'a;b\n1;2\n3;4\n');
    const bad = files.write('badhead2.csv', 'a;"b"c\n1;2\n');
    const round = async (): Promise<void> => {
      const reader = await openCsvReader(file, {});
      for await (const batch of reader.batches()) {
        assert.equal(batch.length, 2);
        break;
      }
      await inputError(() => openCsvReader(bad, {}));
    };
    await round();
    await tick();
    const baseline = openFileCount();
    for (let i = 0; i < 5; i++) await round();
    await tick();
    assert.equal(openFileCount(), baseline);
  });
});
