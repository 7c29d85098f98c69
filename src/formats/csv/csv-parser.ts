import { InputError } from '../../errors.js';
import type { RowProblem } from '../types.js';

/** Settings of one CSV dialect. */
export interface CsvDialect {
  readonly delimiter: string;
  /** the quote character, or '' when the format has no quoting */
  readonly quote: string;
  /** '\n' reads LF and CRLF files; '\r' reads old Mac files that end lines with CR alone */
  readonly lineEnd: '\n' | '\r';
  /** longest record in characters before it is refused; keeps memory bounded on hostile input */
  readonly maxRecordSize: number;
  /** keep stray quotes as text instead of rejecting the row */
  readonly relaxQuotes: boolean;
}

/** One record as parsed: its first physical line, its fields, and a problem when it is malformed. */
export interface ParsedRecord {
  row: number;
  cells: string[];
  problem?: RowProblem;
}

const NEED_MORE = -1;

/**
 * A push parser for CSV text that has already been decoded. Records without quotes take a fast
 * path (find the line end, split on the delimiter); records with quotes go through a small state
 * machine that may span lines and chunks. Memory is bounded by `maxRecordSize`: an overlong
 * unquoted record becomes a row problem and is skipped, an overlong quoted field (nearly always a
 * missing closing quote) fails the file with its position.
 */
export class CsvParser {
  private buf = '';
  /** physical line number of buf[0] */
  private line = 1;
  /** discarding the rest of an overlong unquoted record */
  private skipping = false;
  private emptyLines = 0;

  constructor(private readonly d: CsvDialect) {}

  /** Lines seen so far (for counts and error positions). */
  get linesRead(): number {
    return this.line - 1;
  }

  /** Blank lines skipped so far. */
  get blankLines(): number {
    return this.emptyLines;
  }

  /** Parses as much of `chunk` as forms complete records and appends them to `out`. */
  push(chunk: string, out: ParsedRecord[]): void {
    this.buf = this.buf.length === 0 ? chunk : this.buf + chunk;
    this.consume(out, false);
  }

  /** Parses what is left at the end of the input. */
  end(out: ParsedRecord[]): void {
    this.consume(out, true);
  }

  private consume(out: ParsedRecord[], final: boolean): void {
    const { delimiter, quote, lineEnd, maxRecordSize } = this.d;
    const buf = this.buf;
    const n = buf.length;
    const crlf = lineEnd === '\n';
    let pos = 0;
    // cached next positions, so that a chunk is scanned once for quotes and NULs rather than once
    // per line. NULs are collected up front: searching for the next one inside the loop made V8's
    // optimised code scan the rest of the buffer for every record once the parser had met a NUL.
    let nextQuote = quote === '' ? -1 : buf.indexOf(quote);
    const nuls = positionsOf(buf, '\0');
    let nulIndex = 0;
    let nextNul = nuls[0] ?? -1;
    while (pos < n) {
      let eol = buf.indexOf(lineEnd, pos);
      if (this.skipping) {
        if (eol === -1) {
          pos = n;
          break;
        }
        this.skipping = false;
        this.line++;
        pos = eol + 1;
        continue;
      }
      if (eol === -1) {
        if (!final) break;
        eol = n;
      }
      if (nextQuote !== -1 && nextQuote < pos) nextQuote = buf.indexOf(quote, pos);
      if (nextQuote === -1 || nextQuote >= eol) {
        let end = eol;
        if (crlf && end > pos && buf.charCodeAt(end - 1) === 13) end--;
        const line = this.line;
        this.line++;
        if (end === pos) {
          this.emptyLines++;
        } else if (end - pos > maxRecordSize) {
          out.push(tooLarge(line, maxRecordSize));
        } else {
          const record: ParsedRecord = { row: line, cells: buf.slice(pos, end).split(delimiter) };
          while (nextNul !== -1 && nextNul < pos) nextNul = nuls[++nulIndex] ?? -1;
          if (nextNul !== -1 && nextNul < end) record.problem = nulProblem(line, nextNul - pos + 1);
          out.push(record);
        }
        pos = eol + 1;
        continue;
      }
      while (nextNul !== -1 && nextNul < pos) nextNul = nuls[++nulIndex] ?? -1;
      const next = this.parseQuotedRecord(buf, pos, final, out, nextNul);
      if (next === NEED_MORE) break;
      pos = next;
    }
    this.buf = pos >= n ? '' : buf.slice(pos);
    if (this.buf.length > maxRecordSize) this.overflow(out);
  }

  /** The carried-over text of one unfinished record has grown past the limit. */
  private overflow(out: ParsedRecord[]): void {
    const { maxRecordSize } = this.d;
    const q = this.openQuote();
    if (q === -1) {
      out.push(tooLarge(this.line, maxRecordSize));
      // line breaks inside its closed quoted fields still count
      this.line += countChar(this.buf, this.d.lineEnd);
      this.buf = '';
      this.skipping = true;
      return;
    }
    const before = this.buf.slice(0, q);
    const lineBreaks = countChar(before, this.d.lineEnd);
    const column = q - (before.lastIndexOf(this.d.lineEnd) + 1) + 1;
    throw new InputError(
      'E_CSV_QUOTE',
      `the quoted field that starts at line ${this.line + lineBreaks}, column ${column} runs on for more than ${maxRecordSize} characters; a closing quote is probably missing`,
      { location: { line: this.line + lineBreaks, column } },
    );
  }

  /**
   * Where the quoted field still open at the end of the carried-over text starts, or -1 when every
   * quote is closed: then the record is merely long, not missing a quote, and is skipped as a row.
   */
  private openQuote(): number {
    const { quote } = this.d;
    if (quote === '') return -1;
    let open = -1;
    for (let q = this.buf.indexOf(quote); q !== -1; q = this.buf.indexOf(quote, q + 1)) {
      if (open === -1) open = q;
      else if (this.buf.startsWith(quote, q + 1)) q++;
      else open = -1;
    }
    return open;
  }

  /**
   * Parses one record that contains a quote, starting at `start`. Returns the position after the
   * record, or NEED_MORE when the record is not complete in `buf` yet. `nul` is the first NUL at or
   * after `start` (-1 for none), passed in so that the buffer is not searched again for every record.
   */
  private parseQuotedRecord(buf: string, start: number, final: boolean, out: ParsedRecord[], nul: number): number {
    const { delimiter, quote, lineEnd, relaxQuotes } = this.d;
    const n = buf.length;
    const crlf = lineEnd === '\n';
    const fields: string[] = [];
    let problem: RowProblem | undefined;
    let i = start;
    let line = this.line;
    let lineStart = start;
    const note = (code: string, message: string, at: number): void => {
      problem ??= { code, message, line, column: at - lineStart + 1 };
    };
    for (;;) {
      if (buf.startsWith(quote, i)) {
        const openAt = i;
        const openLine = line;
        const openColumn = i - lineStart + 1;
        let value = '';
        i++;
        for (;;) {
          const q = buf.indexOf(quote, i);
          if (q === -1 || q + 1 >= n) {
            if (!final) return NEED_MORE;
            if (q === -1) {
              throw new InputError('E_CSV_QUOTE', `the quote opened at line ${openLine}, column ${openColumn} is never closed`, {
                location: { line: openLine, column: openColumn },
              });
            }
          }
          const segment = buf.slice(i, q);
          const breaks = countChar(segment, lineEnd);
          if (breaks > 0) {
            line += breaks;
            lineStart = i + segment.lastIndexOf(lineEnd) + 1;
          }
          value += segment;
          if (buf.startsWith(quote, q + 1)) {
            value += quote;
            i = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        // after the closing quote only a delimiter or the line end may follow (a CRLF file may end in a bare CR)
        const lastCr = final && crlf && i === n - 1 && buf.charCodeAt(i) === 13;
        if (i < n && !lastCr && !buf.startsWith(delimiter, i) && !isLineEnd(buf, i, lineEnd, crlf)) {
          const stop = nextStop(buf, i, delimiter, lineEnd);
          if (stop === -1 && !final) return NEED_MORE;
          const end = stop === -1 ? n : stop;
          if (!relaxQuotes) note('E_CSV_QUOTE', `unexpected text after the closing quote of the field that starts at column ${openColumn}`, i);
          value += stripCr(buf.slice(i, end), crlf);
          i = end;
        }
        if (openAt === i) i++;
        fields.push(value);
      } else {
        const stop = nextStop(buf, i, delimiter, lineEnd);
        if (stop === -1 && !final) return NEED_MORE;
        const end = stop === -1 ? n : stop;
        const text = stripCr(buf.slice(i, end), crlf);
        const q = text.indexOf(quote);
        if (q !== -1 && !relaxQuotes) note('E_CSV_QUOTE', 'a quote character inside a field that does not start with a quote', i + q);
        fields.push(text);
        i = end;
      }
      if (i >= n) break;
      if (buf.startsWith(delimiter, i)) {
        i += delimiter.length;
        if (i >= n) {
          if (!final) return NEED_MORE;
          fields.push('');
          break;
        }
        continue;
      }
      if (crlf && buf.charCodeAt(i) === 13 && i + 1 < n && buf.charCodeAt(i + 1) === 10) i++;
      i++;
      break;
    }
    if (i - start > this.d.maxRecordSize) {
      out.push(tooLarge(this.line, this.d.maxRecordSize));
    } else {
      const record: ParsedRecord = { row: this.line, cells: fields };
      if (nul !== -1 && nul < i) {
        const before = buf.slice(start, nul);
        const lastBreak = before.lastIndexOf(lineEnd);
        problem ??= nulProblem(this.line + countChar(before, lineEnd), lastBreak === -1 ? nul - start + 1 : nul - start - lastBreak);
      }
      if (problem !== undefined) record.problem = problem;
      out.push(record);
    }
    this.line = line + 1;
    return i;
  }
}

function tooLarge(line: number, max: number): ParsedRecord {
  return { row: line, cells: [], problem: { code: 'E_CSV_RECORD_TOO_LARGE', message: `the record is longer than ${max} characters and was skipped` } };
}

function nulProblem(line: number, column: number): RowProblem {
  return { code: 'E_CSV_NUL', message: 'contains a NUL byte: binary data in a text file', line, column };
}

function nextStop(buf: string, from: number, delimiter: string, lineEnd: string): number {
  const d = buf.indexOf(delimiter, from);
  const e = buf.indexOf(lineEnd, from);
  if (d === -1) return e;
  if (e === -1) return d;
  return d < e ? d : e;
}

function isLineEnd(buf: string, i: number, lineEnd: string, crlf: boolean): boolean {
  if (buf.startsWith(lineEnd, i)) return true;
  return crlf && buf.charCodeAt(i) === 13 && buf.charCodeAt(i + 1) === 10;
}

function stripCr(text: string, crlf: boolean): string {
  return crlf && text.charCodeAt(text.length - 1) === 13 ? text.slice(0, -1) : text;
}

function positionsOf(text: string, ch: string): number[] {
  const positions: number[] = [];
  for (let i = text.indexOf(ch); i !== -1; i = text.indexOf(ch, i + 1)) positions.push(i);
  return positions;
}

function countChar(text: string, ch: string): number {
  let count = 0;
  for (let i = text.indexOf(ch); i !== -1; i = text.indexOf(ch, i + 1)) count++;
  return count;
}
