import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { SourceRow } from '../../../src/formats/types.js';
import { cellsOf, readCsv, tempFiles, type TempFiles } from '../../support/csv-files.js';

let files: TempFiles;
before(() => {
  files = tempFiles();
});
after(() => files.remove());

/** The reader's read size: records are cut wherever these boundaries fall. */
const CHUNK = 256 * 1024;

/** A record to place across a read boundary, and what it should read as. */
interface Special {
  readonly text: string;
  readonly cells: readonly string[];
  /** physical lines the record spans */
  readonly lines: number;
}

/**
 * Builds a file in which the k-th read boundary (counted from `start`, the BOM length) cuts the
 * k-th special record after `cut` bytes, with filler rows in between, and the rows it should read as.
 */
function acrossBoundaries(
  placements: readonly { special: Special; cut: number }[],
  opts: { eol: string; encode: (text: string) => Buffer; bom?: Buffer },
): { bytes: Buffer; expected: [number, readonly string[]][] } {
  const unit = opts.encode('x').length;
  const start = opts.bom?.length ?? 0;
  const parts: Buffer[] = opts.bom === undefined ? [] : [opts.bom];
  const expected: [number, readonly string[]][] = [];
  let pos = start;
  let line = 1;
  const add = (text: string): void => {
    const bytes = opts.encode(text);
    parts.push(bytes);
    pos += bytes.length;
  };
  add(`a;b${opts.eol}`);
  line++;
  placements.forEach(({ special, cut }, k) => {
    const target = start + (k + 1) * CHUNK - cut;
    let gap = (target - pos) / unit;
    assert.ok(Number.isInteger(gap) && gap >= 8, `cannot place a record at ${target}`);
    while (gap > 0) {
      const len = gap >= 200 ? 100 : gap;
      const pad = 'p'.repeat(len - 2 - opts.eol.length);
      add(`f;${pad}${opts.eol}`);
      expected.push([line++, ['f', pad]]);
      gap -= len;
    }
    assert.equal(pos, target);
    add(special.text);
    expected.push([line, special.cells]);
    line += special.lines;
  });
  add(`end;1${opts.eol}`);
  expected.push([line, ['end', '1']]);
  return { bytes: Buffer.concat(parts), expected };
}

/** Every cut of the special's bytes, from before its first byte to after its last. */
function everyCut(special: Special, encode: (text: string) => Buffer, step = 1): { special: Special; cut: number }[] {
  const length = encode(special.text).length;
  const out: { special: Special; cut: number }[] = [];
  for (let cut = 0; cut <= length; cut += step) out.push({ special, cut });
  return out;
}

function problemsOf(rows: readonly SourceRow[]): unknown[] {
  return rows.filter((r) => r.problem !== undefined).map((r) => [r.row, r.problem]);
}

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');
const utf16 = (text: string): Buffer => Buffer.from(text, 'utf16le');

describe('openCsvReader: records across 256 KiB read boundaries', () => {
  it('reads quoted multi-line fields, doubled quotes and CRLF pairs cut anywhere', async () => {
    const quoted: Special = { text: '1;"x;y\r\n""z""\r\nw"\r\n', cells: ['1', 'x;y\r\n"z"\r\nw'], lines: 3 };
    const plain: Special = { text: 'k;v\r\n', cells: ['k', 'v'], lines: 1 };
    const { bytes, expected } = acrossBoundaries([...everyCut(quoted, utf8), ...everyCut(plain, utf8)], { eol: '\r\n', encode: utf8 });
    const { reader, rows } = await readCsv(files.write('crlf.csv', bytes), { encoding: 'utf-8' });
    assert.equal(reader.detected.lineEnding, 'CRLF');
    assert.deepEqual(cellsOf(rows), expected);
    assert.deepEqual(problemsOf(rows), []);
  });

  it('reads multi-byte UTF-8 characters cut anywhere, with and without a BOM', async () => {
    const special: Special = { text: '2ø€😀;"å\näð"\n', cells: ['2ø€😀', 'å\näð'], lines: 2 };
    const plain = acrossBoundaries(everyCut(special, utf8), { eol: '\n', encode: utf8 });
    for (const encoding of ['utf-8', 'auto']) {
      const { rows } = await readCsv(files.write('mb.csv', plain.bytes), { encoding });
      assert.deepEqual(cellsOf(rows), plain.expected, encoding);
      assert.deepEqual(problemsOf(rows), []);
    }
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const withBom = acrossBoundaries(everyCut(special, utf8), { eol: '\n', encode: utf8, bom });
    const { reader, rows } = await readCsv(files.write('mbbom.csv', withBom.bytes), { encoding: 'auto' });
    assert.deepEqual(reader.columns, ['a', 'b']);
    assert.deepEqual(cellsOf(rows), withBom.expected);
    assert.deepEqual(problemsOf(rows), []);
  });

  it('reads UTF-16LE surrogate pairs and quoted CRLFs cut at any code unit', async () => {
    const special: Special = { text: '3😀;"😀\r\nx€"\r\n', cells: ['3😀', '😀\r\nx€'], lines: 2 };
    const { bytes, expected } = acrossBoundaries(everyCut(special, utf16, 2), { eol: '\r\n', encode: utf16, bom: Buffer.from([0xff, 0xfe]) });
    const { reader, rows } = await readCsv(files.write('u16.csv', bytes), { encoding: 'auto' });
    assert.equal(reader.detected.encoding, 'utf-16le');
    assert.deepEqual(cellsOf(rows), expected);
    assert.deepEqual(problemsOf(rows), []);
  });

  it('reads CR-only files with quoted CRs cut anywhere', async () => {
    const special: Special = { text: '4;"a\rb"""\r', cells: ['4', 'a\rb"'], lines: 2 };
    const { bytes, expected } = acrossBoundaries(everyCut(special, utf8), { eol: '\r', encode: utf8 });
    const { reader, rows } = await readCsv(files.write('cr.csv', bytes), { encoding: 'windows-1252' });
    assert.equal(reader.detected.lineEnding, 'CR');
    assert.deepEqual(cellsOf(rows), expected);
    assert.deepEqual(problemsOf(rows), []);
    assert.equal(reader.stats.bytes, bytes.length);
  });
});
