import { statSync } from 'node:fs';
import { open } from 'node:fs/promises';

import { InputError } from '../../errors.js';
import { assertLooksLikeText } from '../content-check.js';
import { collectPaths, compileRecordPath, pathSteps, XML_PATHS } from '../record-path.js';
import { createChunkDecoder } from '../text-decoding.js';
import type { Detected, InputFile, ReadStats, RowReader, SourceRow } from '../types.js';
import { checkProlog, chooseXmlEncoding, sniffRecordPath } from './xml-prolog.js';
import { XmlFastScanner } from './xml-fast-scanner.js';
import { XmlRecordParser } from './xml-record-parser.js';
import type { XmlLimits } from './xml-tree-builder.js';
import { readAhead, replayThenStream } from '../read-ahead.js';
import { readPieces } from '../read-pieces.js';

/** XML settings from a profile's `format` block. */
export interface XmlOptions {
  /** path of the repeating element from the root, e.g. `/Invoices/Invoice`; guessed when absent */
  record?: string;
  encoding?: string;
}

const HEAD_BYTES = 256 * 1024;
/** records read before `open` returns: their paths are the columns `ferry preview` shows */
const PREVIEW_RECORDS = 50;
const MAX_COLUMNS = 500;

/** Nesting and size limits; business documents stay far below both. */
export const XML_LIMITS: XmlLimits = { maxDepth: 100, maxRecordChars: 16 * 1024 * 1024 };

/**
 * Opens an XML file: settles the encoding, refuses DTDs, reads the first records (for the columns
 * preview shows) and returns a reader that streams one record tree per element at
 * `format.record`. Only the record being built is held in memory, so file size does not matter.
 *
 * A malformed document throws `E_XML_MALFORMED` (with line and column) from `batches()` when
 * reading reaches the fault, after the records completed before it.
 */
export async function openXmlReader(file: InputFile, options: XmlOptions, limits: XmlLimits = XML_LIMITS): Promise<RowReader> {
  const head = await readHead(file.path);
  if (head.length === 0) throw new InputError('E_EMPTY_FILE', `${file.name} is empty`, { location: { file: file.name } });
  const { encoding, bomLength } = chooseXmlEncoding(head, file.name, options.encoding);
  assertLooksLikeText(head, file.name, encoding);
  const headText = createChunkDecoder(encoding, file.name).write(head.subarray(bomLength), bomLength);
  checkProlog(headText, file.name);

  const notes: string[] = [];
  let recordPath = options.record?.trim() ?? '';
  if (recordPath === '') {
    recordPath = sniffRecordPath(headText) ?? '';
    if (recordPath === '') throw new InputError('E_FORMAT_MISMATCH', `${file.name} has no XML element in its first ${HEAD_BYTES / 1024} KiB`, { location: { file: file.name } });
    notes.push(`format.record is not set; reading ${recordPath}, the first element that repeats`);
  }
  const steps = pathSteps(recordPath, XML_PATHS);
  if (steps.length === 0 || steps.some((s) => s.startsWith('@') || s === '#text')) {
    throw new InputError('E_PROFILE_INVALID', `format.record "${recordPath}" must be the path of the repeating element from the root, such as /Orders/Order`);
  }

  const source: SourceHolder = { parser: new XmlFastScanner(file.name, steps, limits) };
  const general = (): XmlRecordParser => new XmlRecordParser(file.name, steps, limits);
  const stats: ReadStats = { bytes: 0, lines: 0, skippedEmpty: 0 };
  const chunks = parseChunks(file, encoding, bomLength, source, general, stats);
  const { pending, ended } = await readAhead(chunks, PREVIEW_RECORDS);
  const parser = source.parser;

  const paths = new Set<string>();
  for (const row of pending.slice(0, PREVIEW_RECORDS)) if (row.record !== undefined) collectPaths(row.record, XML_PATHS, paths, MAX_COLUMNS);
  const columns = [...paths];
  const record = `/${steps.join('/')}`;
  if (ended && parser.records === 0) notes.push(`${file.name} has no <${steps[steps.length - 1] ?? ''}> element at ${record}: no records`);
  const detected: Detected = {
    format: 'xml',
    encoding,
    record,
    ...(parser.root === undefined ? {} : { root: parser.root }),
    namespaces: Object.fromEntries(parser.namespaces),
    columns,
    ...(notes.length > 0 ? { notes } : {}),
  };
  const estimatedRows = ended ? parser.records : estimate(file.path, stats.bytes, parser.records);

  return {
    detected,
    columns,
    stats,
    ...(estimatedRows === undefined ? {} : { estimatedRows }),
    resolve: (from) => compileRecordPath(from, XML_PATHS),
    batches: replayThenStream(pending, chunks),
  };
}

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

/** The parser reading the file: the fast scanner, or the general parser once the scanner declined. */
interface SourceHolder {
  parser: XmlFastScanner | XmlRecordParser;
}

/**
 * Reads the file with the fast scanner; when it declines (a construct it does not read, or a
 * fault), reads it again from the start with the general parser, skipping the records already
 * yielded.
 */
async function* parseChunks(file: InputFile, encoding: string, start: number, source: SourceHolder, general: () => XmlRecordParser, stats: ReadStats): AsyncGenerator<SourceRow[]> {
  let yielded = 0;
  const fast = source.parser;
  if (fast instanceof XmlFastScanner) {
    const decoder = createChunkDecoder(encoding, file.name);
    let offset = start;
    let read = true;
    for await (const bytes of readPieces(file.path, start)) {
      read = writeDecoded(fast, () => decoder.write(bytes, offset));
      if (!read) break;
      offset += bytes.length;
      stats.bytes = offset;
      stats.lines = fast.line;
      const rows = fast.takeRows();
      yielded += rows.length;
      if (rows.length > 0) yield rows;
    }
    if (read && writeDecoded(fast, () => decoder.end()) && fast.end()) {
      const rows = fast.takeRows();
      if (rows.length > 0) yield rows;
      return;
    }
  }
  const parser = general();
  source.parser = parser;
  let skip = yielded;
  for await (const rows of generalChunks(file, encoding, start, parser, stats)) {
    if (skip >= rows.length) {
      skip -= rows.length;
      continue;
    }
    yield skip === 0 ? rows : rows.slice(skip);
    skip = 0;
  }
}

/** Decodes and scans; a decoding fault declines too (the general parser reports it). */
function writeDecoded(scanner: XmlFastScanner, decode: () => string): boolean {
  let text: string;
  try {
    text = decode();
  } catch {
    return false;
  }
  return text.length === 0 || scanner.write(text);
}

/**
 * Parses the file chunk by chunk with the general parser and yields the records each chunk
 * completes. When the parser fails, the records completed before the fault are yielded first,
 * then the error is thrown, so what a caller sees does not depend on where a chunk happened to end.
 */
async function* generalChunks(file: InputFile, encoding: string, start: number, parser: XmlRecordParser, stats: ReadStats): AsyncGenerator<SourceRow[]> {
  const decoder = createChunkDecoder(encoding, file.name);
  let offset = start;
  let failure: unknown;
  const take = (): SourceRow[] => parser.takeRows();
  for await (const bytes of readPieces(file.path, start)) {
    try {
      parser.write(decoder.write(bytes, offset));
    } catch (err) {
      failure = err;
      break;
    }
    offset += bytes.length;
    stats.bytes = offset;
    stats.lines = parser.line;
    const rows = take();
    if (rows.length > 0) yield rows;
  }
  if (failure === undefined) {
    try {
      const tail = decoder.end();
      if (tail.length > 0) parser.write(tail);
      parser.end();
    } catch (err) {
      failure = err;
    }
  }
  const rows = take();
  if (rows.length > 0) yield rows;
  if (failure !== undefined) throw failure;
}

/** File size ÷ bytes per record so far: a guess used to size key tables once. */
function estimate(path: string, bytesRead: number, records: number): number | undefined {
  if (records === 0 || bytesRead === 0) return undefined;
  try {
    return Math.ceil((statSync(path).size / bytesRead) * records * 1.05);
  } catch {
    return undefined;
  }
}
