import { statSync } from 'node:fs';
import { open } from 'node:fs/promises';

import { InputError } from '../../errors.js';
import { assertLooksLikeText } from '../content-check.js';
import { readPieces } from '../read-pieces.js';
import { createChunkDecoder, detectBom, detectEncoding, normaliseEncoding } from '../text-decoding.js';
import type { Detected, InputFile, ReadStats, RowReader, SourceRow } from '../types.js';
import { CsvParser, type ParsedRecord } from './csv-parser.js';
import { sniffDelimiter, sniffLineEnding } from './sniff.js';

/** CSV settings from a profile's `format` block. */
export interface CsvOptions {
  encoding?: string;
  delimiter?: string;
  quote?: string;
  header?: boolean;
  skipRows?: number;
  relaxQuotes?: boolean;
  relaxColumnCount?: boolean;
  maxRecordSize?: number;
}

const HEAD_BYTES = 64 * 1024;
/** 1 Mi characters: far beyond any real record, small enough to keep memory bounded */
const DEFAULT_MAX_RECORD = 1 << 20;

async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function chooseEncoding(file: InputFile, head: Buffer, wanted: string): Promise<string> {
  if (wanted.trim().toLowerCase() === 'auto') return detectEncoding(file.path, head);
  const encoding = normaliseEncoding(wanted);
  if (encoding === undefined) {
    throw new InputError('E_ENCODING', `format.encoding "${wanted}" is not an encoding ferry knows; use auto, utf-8, utf-16le, windows-1252, iso-8859-1 or another iconv name`);
  }
  const bom = detectBom(head);
  if (bom !== undefined && bom.encoding !== encoding && !(bom.encoding === 'utf-8' && encoding !== 'utf-16le' && encoding !== 'utf-16be')) {
    throw new InputError('E_ENCODING', `${file.name} starts with a ${bom.encoding} byte order mark, but the profile says ${encoding}; set format.encoding: ${bom.encoding} or auto`, {
      location: { file: file.name, byteOffset: 0 },
    });
  }
  return encoding;
}

/**
 * Opens a CSV file: settles encoding, line ending and delimiter (given or sniffed from the first
 * 64 KiB), reads the header, and returns a reader that streams the remaining rows in batches.
 */
export async function openCsvReader(file: InputFile, options: CsvOptions): Promise<RowReader> {
  const quote = options.quote ?? '"';
  checkDialect(options.delimiter, quote);
  const head = await readHead(file.path);
  if (head.length === 0) throw new InputError('E_EMPTY_FILE', `${file.name} is empty`, { location: { file: file.name } });
  const wanted = options.encoding ?? 'auto';
  // before choosing the encoding: for `auto` that reads the whole file, which a binary file does not deserve
  assertLooksLikeText(head, file.name, normaliseEncoding(wanted));
  const encoding = await chooseEncoding(file, head, wanted);
  const bom = detectBom(head);
  // a UTF-8 BOM in a file the profile declares single-byte is dropped, or it would become "ï»¿" in the first column name
  const bomLength = bom?.length ?? 0;
  const notes: string[] = [];
  if (bom !== undefined && bom.encoding !== encoding) notes.push(`the file starts with a ${bom.encoding} byte order mark but is read as ${encoding}, as the profile says`);
  const sample = createChunkDecoderLenient(encoding).write(head.subarray(bomLength));
  const lineEnding = sniffLineEnding(sample, quote);
  const lineEnd = lineEnding === 'CR' ? '\r' : '\n';
  const skip = options.skipRows ?? 0;
  // preamble lines have no delimiters and would make every candidate look wrong
  const delimiter = options.delimiter === undefined || options.delimiter === 'auto' ? sniffDelimiter(afterLines(sample, lineEnd, skip), quote, lineEnd) : options.delimiter;
  const parser = new CsvParser({
    delimiter,
    quote,
    lineEnd,
    maxRecordSize: options.maxRecordSize ?? DEFAULT_MAX_RECORD,
    relaxQuotes: options.relaxQuotes === true,
  });
  const stats: ReadStats = { bytes: 0, lines: 0, skippedEmpty: 0 };
  const chunks = parseChunks(file, encoding, bomLength, parser, stats);

  // skipRows counts lines, blank ones included, as a person counts them in an editor; the header
  // (or the first row) is the first record that starts after them, the rest are kept for batches()
  const wantHeader = options.header !== false;
  let pending: ParsedRecord[] = [];
  let headerRecord: ParsedRecord | undefined;
  try {
    while (headerRecord === undefined) {
      const next = await chunks.next();
      if (next.done === true) break;
      const records = next.value;
      const i = records.findIndex((r) => r.row > skip);
      headerRecord = records[i];
      if (headerRecord !== undefined) pending = records.slice(wantHeader ? i + 1 : i);
    }
    if (headerRecord === undefined) {
      throw new InputError('E_EMPTY_FILE', `${file.name} has no ${wantHeader ? 'header line' : 'rows'}${skip > 0 ? ` after skipping ${skip} lines` : ''}`, { location: { file: file.name } });
    }
    if (wantHeader && headerRecord.problem !== undefined) {
      const p = headerRecord.problem;
      throw new InputError('E_CSV_HEADER', `the header line of ${file.name} is malformed: ${p.message}`, { location: { file: file.name, line: p.line ?? headerRecord.row, column: p.column } });
    }
  } catch (err) {
    await chunks.return(undefined);
    throw err;
  }
  const columns = wantHeader ? headerNames(headerRecord.cells, notes) : headerRecord.cells.map((_, i) => String(i + 1));
  const detected: Detected = { format: 'csv', encoding, delimiter, lineEnding, header: wantHeader, columns, ...(notes.length > 0 ? { notes } : {}) };
  const expected = columns.length;
  const relax = options.relaxColumnCount === true;

  const finish = (records: ParsedRecord[]): SourceRow[] => {
    const rows: SourceRow[] = [];
    for (const r of records) {
      const cells = r.cells;
      if (r.problem === undefined) {
        if (isAllEmpty(cells)) {
          stats.skippedEmpty++;
          continue;
        }
        if (cells.length !== expected && !relax) {
          r.problem = { code: 'E_CSV_COLUMNS', message: `has ${cells.length} fields, the header has ${expected}; a delimiter is missing or extra` };
        }
      }
      rows.push(r);
    }
    return rows;
  };

  return {
    detected,
    columns,
    stats,
    estimatedRows: estimateRows(file.path, head.length, sample, lineEnd),
    async *batches() {
      // closes the file also when the caller stops early (break, a thrown error, too many rejects)
      try {
        const first = finish(pending);
        pending = [];
        if (first.length > 0) yield first;
        for (;;) {
          const next = await chunks.next();
          if (next.done === true) return;
          const rows = finish(next.value);
          if (rows.length > 0) yield rows;
        }
      } finally {
        await chunks.return(undefined);
      }
    },
  };
}

function createChunkDecoderLenient(encoding: string): { write(b: Buffer): string } {
  if (encoding === 'utf-8') return { write: (b) => new TextDecoder('utf-8').decode(b) };
  const d = createChunkDecoder(encoding, 'sample');
  return { write: (b) => d.write(b, 0) };
}

async function* parseChunks(file: InputFile, encoding: string, start: number, parser: CsvParser, stats: ReadStats): AsyncGenerator<ParsedRecord[]> {
  const decoder = createChunkDecoder(encoding, file.name);
  let offset = start;
  for await (const bytes of readPieces(file.path, start)) {
    const out: ParsedRecord[] = [];
    for (const piece of decoder.pieces(bytes, offset)) parser.push(piece, out);
    offset += bytes.length;
    stats.bytes = offset;
    stats.lines = parser.linesRead;
    if (out.length > 0) yield out;
  }
  const out: ParsedRecord[] = [];
  const tail = decoder.end();
  if (tail.length > 0) parser.push(tail, out);
  parser.end(out);
  stats.lines = parser.linesRead;
  stats.skippedEmpty += parser.blankLines;
  if (out.length > 0) yield out;
}

/** The text after its first `count` lines. */
function afterLines(text: string, lineEnd: string, count: number): string {
  let at = 0;
  for (let i = 0; i < count && at !== -1; i++) {
    const next = text.indexOf(lineEnd, at);
    at = next === -1 ? -1 : next + 1;
  }
  return at === -1 ? '' : text.slice(at);
}

/** File size ÷ average bytes per line of the sample: a guess used to size key tables once. */
function estimateRows(path: string, headBytes: number, sample: string, lineEnd: string): number | undefined {
  let lines = 0;
  for (let i = sample.indexOf(lineEnd); i !== -1; i = sample.indexOf(lineEnd, i + 1)) lines++;
  if (lines < 2) return undefined;
  try {
    return Math.ceil((statSync(path).size / headBytes) * lines * 1.05);
  } catch {
    return undefined;
  }
}

function isAllEmpty(cells: readonly string[]): boolean {
  for (const c of cells) if (c.length > 0 && c.trim().length > 0) return false;
  return true;
}

/**
 * Header names as written, with blank ones named by their column number and duplicates numbered;
 * a new name never takes one that another column has. Explanations are added to `notes`.
 */
function headerNames(cells: readonly string[], notes: string[]): string[] {
  const written = new Set(cells.map((c) => c.trim()));
  const used = new Set<string>();
  return cells.map((raw, i) => {
    let name = raw.trim();
    if (name === '') {
      name = String(i + 1);
      notes.push(`column ${i + 1} has no header; it is named "${name}"`);
    }
    if (used.has(name)) {
      let k = 2;
      while (used.has(`${name} (${k})`) || written.has(`${name} (${k})`)) k++;
      const renamed = `${name} (${k})`;
      notes.push(`column ${i + 1} repeats the header "${name}"; it is named "${renamed}"`);
      name = renamed;
    }
    used.add(name);
    return name;
  });
}

/** Refuses settings that the parser cannot work with (an empty delimiter would never advance). */
function checkDialect(delimiter: string | undefined, quote: string): void {
  const bad = (what: string, value: string): never => {
    throw new InputError('E_PROFILE_INVALID', `format.${what} ${JSON.stringify(value)} cannot be used: it must be one character, not a line break${what === 'delimiter' ? ' or the quote' : ''}`);
  };
  if (delimiter !== undefined && delimiter !== 'auto' && (delimiter.length === 0 || /[\r\n]/.test(delimiter) || delimiter === quote)) bad('delimiter', delimiter);
  if (/[\r\n]/.test(quote) || [...quote].length > 1) bad('quote', quote);
}
