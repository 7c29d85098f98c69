import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InputError } from '../../../src/errors.js';
import { CsvParser, type CsvDialect, type ParsedRecord } from '../../../src/formats/csv/csv-parser.js';
import { seededRandom } from '../../support/csv-files.js';

function dialect(over: Partial<CsvDialect> = {}): CsvDialect {
  return { delimiter: ';', quote: '"', lineEnd: '\n', maxRecordSize: 1 << 20, relaxQuotes: false, ...over };
}

function parse(pieces: readonly string[], d: CsvDialect = dialect()): { records: ParsedRecord[]; lines: number; blank: number } {
  const parser = new CsvParser(d);
  const records: ParsedRecord[] = [];
  for (const piece of pieces) parser.push(piece, records);
  parser.end(records);
  return { records, lines: parser.linesRead, blank: parser.blankLines };
}

function rows(text: string, d: CsvDialect = dialect()): [number, string[]][] {
  return parse([text], d).records.map((r) => [r.row, r.cells]);
}

/** What parsing gives: the records, or the error that failed the input. */
function outcome(pieces: readonly string[], d: CsvDialect): unknown {
  try {
    return parse(pieces, d);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return { code: err.code, location: err.location };
  }
}

/** Every way of cutting `text` in two, plus one character at a time, must parse like the whole. */
function assertSplitInvariant(text: string, d: CsvDialect = dialect()): void {
  const whole = outcome([text], d);
  for (let cut = 0; cut <= text.length; cut++) {
    assert.deepEqual(outcome([text.slice(0, cut), text.slice(cut)], d), whole, `cut at ${cut} of ${JSON.stringify(text)}`);
  }
  assert.deepEqual(outcome([...text], d), whole, `char by char: ${JSON.stringify(text)}`);
}

describe('CsvParser: records and lines', () => {
  it('splits LF, CRLF and CR lines, with or without a final line end', () => {
    const expected: [number, string[]][] = [[1, ['a', 'b']], [2, ['1', '2']], [3, ['3', '']]];
    assert.deepEqual(rows('a;b\n1;2\n3;\n'), expected);
    assert.deepEqual(rows('a;b\r\n1;2\r\n3;\r\n'), expected);
    assert.deepEqual(rows('a;b\r\n1;2\r\n3;'), expected);
    assert.deepEqual(rows('a;b\r1;2\r3;\r', dialect({ lineEnd: '\r' })), expected);
    assert.deepEqual(rows('a;b\r1;2\r3;', dialect({ lineEnd: '\r' })), expected);
  });

  it('skips blank lines but keeps counting lines, and counts the blanks', () => {
    const result = parse(['a;b\n\n1;2\r\n\r\n\n3;4\n']);
    assert.deepEqual(result.records.map((r) => [r.row, r.cells]), [[1, ['a', 'b']], [3, ['1', '2']], [6, ['3', '4']]]);
    assert.equal(result.blank, 3);
    assert.equal(result.lines, 6);
  });

  it('reads quoted fields with delimiters, doubled quotes and empty quotes', () => {
    assert.deepEqual(rows('"a;b";"say ""hi""";"";x\n'), [[1, ['a;b', 'say "hi"', '', 'x']]]);
    assert.deepEqual(rows('x;"";""\n'), [[1, ['x', '', '']]]);
    assert.deepEqual(rows('"a";\n'), [[1, ['a', '']]]);
    assert.deepEqual(rows('"a";'), [[1, ['a', '']]]);
    assert.deepEqual(rows('"a"\r\n"b"'), [[1, ['a']], [2, ['b']]]);
  });

  it('keeps newlines inside quotes and numbers rows by the line they start on', () => {
    const text = 'h1;h2\n1;"two\nlines"\n2;"three\r\nlines\r\nhere"\n3;x\n"4\n";"\n"\n5;y';
    assert.deepEqual(rows(text), [
      [1, ['h1', 'h2']],
      [2, ['1', 'two\nlines']],
      [4, ['2', 'three\r\nlines\r\nhere']],
      [7, ['3', 'x']],
      [8, ['4\n', '\n']],
      [11, ['5', 'y']],
    ]);
    assert.deepEqual(rows('a;"b\rc"\rd;e\r', dialect({ lineEnd: '\r' })), [[1, ['a', 'b\rc']], [3, ['d', 'e']]]);
  });

  it('parses the same however the text is cut into chunks', () => {
    const samples = [
      'h1;h2\r\n1;"two\r\nlines"\r\n"x""y";z\r\n\r\n;;\r\nlast;"q"',
      '"a";"b"\n"c\n\nd";"e"""\n"f";\n',
      'a;b"c;d\n"e"f;g\n"unterminated',
      'a;b\0c\n"x\0";y\n',
      'a;"b\n"c;d\n"e""\n',
      `a;b\n${'x'.repeat(1500)}\n"q";${'y'.repeat(1500)}\nc;d\n"${'z\n'.repeat(800)}`,
    ];
    for (const text of samples) assertSplitInvariant(text, dialect({ maxRecordSize: 1024 }));
    assertSplitInvariant('a;"b\rc"\rd;e\r\r"f""";g', dialect({ lineEnd: '\r' }));
  });

  it('reads back random records written with standard quoting, in random chunks', () => {
    const rand = seededRandom(42);
    const alphabet = ['a', 'b', ';', '"', '\n', '\r\n', ' ', 'ø', '€', '😀'];
    for (let round = 0; round < 200; round++) {
      const width = 1 + Math.floor(rand() * 4);
      const records: string[][] = [];
      for (let r = 0; r < 1 + Math.floor(rand() * 6); r++) {
        const fields: string[] = [];
        for (let f = 0; f < width; f++) {
          let value = '';
          for (let k = Math.floor(rand() * 6); k > 0; k--) value += alphabet[Math.floor(rand() * alphabet.length)] ?? '';
          fields.push(value);
        }
        if (!fields.some((f) => f !== '')) fields[0] = 'z';
        records.push(fields);
      }
      const text = records.map((fs) => fs.map((f) => (/[;"\r\n]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f)).join(';')).join('\r\n');
      const pieces: string[] = [];
      for (let at = 0; at < text.length;) {
        const size = 1 + Math.floor(rand() * 8);
        pieces.push(text.slice(at, at + size));
        at += size;
      }
      const got = parse(pieces).records;
      assert.deepEqual(got.map((r) => r.cells), records, JSON.stringify(text));
      assert.ok(got.every((r) => r.problem === undefined));
      let line = 1;
      for (let r = 0; r < records.length; r++) {
        assert.equal(got[r]?.row, line);
        line += 1 + (records[r] ?? []).join('').split('\n').length - 1;
      }
    }
  });
});

describe('CsvParser: malformed input', () => {
  it('fails the file at the opening quote when a quote is never closed', () => {
    assert.throws(() => parse(['a;b\n1;2\n3;"open\nmore\n']), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.equal(err.code, 'E_CSV_QUOTE');
      assert.deepEqual(err.location, { line: 3, column: 3 });
      assert.match(err.message, /line 3, column 3/);
      return true;
    });
  });

  it('rejects a row with a quote inside an unquoted field, with line and column', () => {
    const { records } = parse(['a;b\n5" pipe;2\nok;3\n']);
    assert.deepEqual(records.map((r) => r.cells), [['a', 'b'], ['5" pipe', '2'], ['ok', '3']]);
    assert.deepEqual(records[1]?.problem && { ...records[1].problem, message: '' }, { code: 'E_CSV_QUOTE', message: '', line: 2, column: 2 });
    assert.equal(records[2]?.problem, undefined);
    const relaxed = parse(['a;b\n5" pipe;2\n'], dialect({ relaxQuotes: true })).records;
    assert.deepEqual(relaxed.map((r) => [r.cells, r.problem]), [[['a', 'b'], undefined], [['5" pipe', '2'], undefined]]);
  });

  it('rejects text after a closing quote, on the line where it is', () => {
    const { records } = parse(['x;"a\nb"c;d\ne;f\n']);
    assert.deepEqual(records.map((r) => [r.row, r.cells]), [[1, ['x', 'a\nbc', 'd']], [3, ['e', 'f']]]);
    assert.equal(records[0]?.problem?.code, 'E_CSV_QUOTE');
    assert.equal(records[0]?.problem?.line, 2);
    assert.equal(records[0]?.problem?.column, 3);
    assert.equal(parse(['"a"c;d\n'], dialect({ relaxQuotes: true })).records[0]?.problem, undefined);
  });

  it('rejects rows with NUL bytes, quoted or not, giving line and column', () => {
    const { records } = parse(['a;b\nx;y\0z\n"q\n\0";w\nok;1\n']);
    assert.deepEqual(records.map((r) => [r.row, r.problem?.code, r.problem?.line, r.problem?.column]), [
      [1, undefined, undefined, undefined],
      [2, 'E_CSV_NUL', 2, 4],
      [3, 'E_CSV_NUL', 4, 1],
      [5, undefined, undefined, undefined],
    ]);
  });

  it('skips an overlong unquoted record as a row problem and reads on', () => {
    const d = dialect({ maxRecordSize: 1024 });
    const long = 'x'.repeat(5000);
    for (const pieces of [[`a;b\n${long}\nc;d\n`], ['a;b\n', ...long.match(/.{1,300}/g) ?? [], '\nc;d\n']]) {
      const { records, lines } = parse(pieces, d);
      assert.deepEqual(records.map((r) => [r.row, r.problem?.code, r.cells]), [
        [1, undefined, ['a', 'b']],
        [2, 'E_CSV_RECORD_TOO_LARGE', []],
        [3, undefined, ['c', 'd']],
      ]);
      assert.equal(lines, 3);
    }
  });

  it('skips an overlong record whose quotes are all closed instead of blaming a quote', () => {
    const d = dialect({ maxRecordSize: 1024 });
    const pieces = ['a;b\n"q\nr";', ...('y'.repeat(5000).match(/.{1,300}/g) ?? []), '\nc;d\n'];
    const { records, lines } = parse(pieces, d);
    assert.deepEqual(records.map((r) => [r.row, r.problem?.code]), [[1, undefined], [2, 'E_CSV_RECORD_TOO_LARGE'], [4, undefined]]);
    assert.equal(lines, 4);
  });

  it('fails the file when a quoted field runs past the limit', () => {
    const d = dialect({ maxRecordSize: 1024 });
    const pieces = ['a;b\n1;2\nx;"', ...('z\n'.repeat(2000).match(/.{1,300}/gs) ?? [])];
    assert.throws(() => parse(pieces, d), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.equal(err.code, 'E_CSV_QUOTE');
      assert.deepEqual(err.location, { line: 3, column: 3 });
      return true;
    });
  });

  it('parses many short quoted records in one push in linear time', () => {
    // CPU time rather than wall time, so that a busy machine does not fail the test
    const count = 1 << 18;
    const cpu = process.cpuUsage();
    const { records } = parse(['"a"\n'.repeat(count)]);
    const used = process.cpuUsage(cpu);
    assert.equal(records.length, count);
    assert.ok(used.user + used.system < 2_000_000, `took ${Math.round((used.user + used.system) / 1000)} ms of CPU`);
  });
});
