import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';

import { InputError } from '../../errors.js';
import { assertLooksLikeText } from '../content-check.js';
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
const READ_CHUNK = 256 * 1024;
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
  const head = await readHead(file.path);
  if (head.length === 0) throw new InputError('E_EMPTY_FILE', `${file.name} is empty`, { location: { file: file.name } });
  const encoding = await chooseEncoding(file, head, options.encoding ?? 'auto');
  assertLooksLikeText(head, file.name, encoding);
  const bom = detectBom(head);
  const bomLength = bom !== undefined && bom.encoding === encoding ? bom.length : 0;
  const quote = options.quote ?? '"';
  const sample = createChunkDecoderLenient(encoding).write(head.subarray(bomLength));
  const lineEnding = sniffLineEnding(sample, quote);
  const lineEnd = lineEnding === 'CR' ? '\r' : '\n';
  const delimiter = options.delimiter === undefined || options.delimiter === 'auto' ? sniffDelimiter(sample, quote, lineEnd) : options.delimiter;
  const parser = new CsvParser({
    delimiter,
    quote,
    lineEnd,
    maxRecordSize: options.maxRecordSize ?? DEFAULT_MAX_RECORD,
    relaxQuotes: options.relaxQuotes === true,
  });
  const stats: ReadStats = { bytes: 0, lines: 0, skippedEmpty: 0 };
  const chunks = parseChunks(file, encoding, bomLength, parser, stats);

  // the header (after skipRows records) comes from the first records; the rest are kept for batches()
  const wantHeader = options.header !== false;
  const skip = options.skipRows ?? 0;
  let pending: ParsedRecord[] = [];
  let headerRecord: ParsedRecord | undefined;
  let skipped = 0;
  while (headerRecord === undefined) {
    const next = await chunks.next();
    if (next.done === true) break;
    const records = next.value;
    let i = 0;
    while (skipped < skip && i < records.length) {
      i++;
      skipped++;
    }
    if (skipped < skip) continue;
    if (i < records.length) {
      headerRecord = records[i];
      pending = records.slice(wantHeader ? i + 1 : i);
    }
  }
  if (headerRecord === undefined) {
    throw new InputError('E_EMPTY_FILE', `${file.name} has no ${wantHeader ? 'header line' : 'rows'}${skip > 0 ? ` after skipping ${skip} rows` : ''}`, { location: { file: file.name } });
  }
  if (wantHeader && headerRecord.problem !== undefined) {
    const p = headerRecord.problem;
    throw new InputError('E_CSV_HEADER', `the header line of ${file.name} is malformed: ${p.message}`, { location: { file: file.name, line: p.line ?? headerRecord.row, column: p.column } });
  }
  const { columns, notes } = wantHeader ? headerNames(headerRecord.cells) : { columns: headerRecord.cells.map((_, i) => String(i + 1)), notes: [] };
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
    async *batches() {
      if (pending.length > 0) yield finish(pending);
      pending = [];
      for (;;) {
        const next = await chunks.next();
        if (next.done === true) return;
        const rows = finish(next.value);
        if (rows.length > 0) yield rows;
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
  const stream = createReadStream(file.path, { start, highWaterMark: READ_CHUNK });
  try {
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      const out: ParsedRecord[] = [];
      parser.push(decoder.write(bytes, offset), out);
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
  } finally {
    stream.destroy();
  }
}

function isAllEmpty(cells: readonly string[]): boolean {
  for (const c of cells) if (c.length > 0 && c.trim().length > 0) return false;
  return true;
}

/** Header names as written, with blank ones named by their column number and duplicates numbered. */
function headerNames(cells: readonly string[]): { columns: string[]; notes: string[] } {
  const notes: string[] = [];
  const seen = new Map<string, number>();
  const columns = cells.map((raw, i) => {
    let name = raw.trim();
    if (name === '') {
      name = String(i + 1);
      notes.push(`column ${i + 1} has no header; it is named "${name}"`);
    }
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    if (count > 1) {
      const renamed = `${name} (${count})`;
      notes.push(`column ${i + 1} repeats the header "${name}"; it is named "${renamed}"`);
      return renamed;
    }
    return name;
  });
  return { columns, notes };
}
