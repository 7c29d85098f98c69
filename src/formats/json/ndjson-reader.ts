import { createReadStream } from 'node:fs';

import { collectPaths, compileRecordPath, JSON_PATHS } from '../record-path.js';
import { createChunkDecoder } from '../text-decoding.js';
import type { Detected, InputFile, ReadStats, RowReader, SourceRow } from '../types.js';
import { estimateRows, openJsonInput } from './json-input.js';
import { mayHoldLongNumber } from './json-number.js';
import { JSON_LIMITS, tokenizerFault, type JsonLimits } from './json-reader.js';
import { fromParsed, problemRow, recordRow } from './json-rows.js';
import { ExactTokenizer, JsonSyntaxError, JsonTreeBuilder } from './json-tree-builder.js';
import { readAhead, replayThenStream } from '../read-ahead.js';

/** NDJSON settings from a profile's `format` block. */
export interface NdjsonOptions {
  encoding?: string;
}

const READ_CHUNK = 64 * 1024;
const PREVIEW_RECORDS = 50;
const MAX_COLUMNS = 500;

/**
 * Opens newline-delimited JSON: one value per line, each an object, the row number being the line
 * number. Empty lines are skipped; a line that is not valid JSON, not an object or too large is a
 * row problem and the file goes on. Lines are parsed with `JSON.parse`, except those that may hold
 * a number of 16 or more digits, which go through the exact tokenizer so no digit is lost.
 */
export async function openNdjsonReader(file: InputFile, options: NdjsonOptions, limits: JsonLimits = JSON_LIMITS): Promise<RowReader> {
  const input = await openJsonInput(file, options.encoding);
  const stats: ReadStats = { bytes: 0, lines: 0, skippedEmpty: 0 };
  const chunks = readLines(file, input.encoding, input.bomLength, stats, limits);
  const { pending, ended } = await readAhead(chunks, PREVIEW_RECORDS);
  const paths = new Set<string>();
  for (const row of pending.slice(0, PREVIEW_RECORDS)) if (row.record !== undefined) collectPaths(row.record, JSON_PATHS, paths, MAX_COLUMNS);
  const columns = [...paths];
  const detected: Detected = { format: 'ndjson', encoding: input.encoding, columns, ...(ended && pending.length === 0 ? { notes: [`${file.name} has no JSON lines: no records`] } : {}) };
  const estimatedRows = ended ? pending.length : estimateRows(file.path, stats.bytes, pending.length);

  return {
    detected,
    columns,
    stats,
    ...(estimatedRows === undefined ? {} : { estimatedRows }),
    resolve: (from) => compileRecordPath(from, JSON_PATHS),
    batches: replayThenStream(pending, chunks),
  };
}

async function* readLines(file: InputFile, encoding: string, start: number, stats: ReadStats, limits: JsonLimits): AsyncGenerator<SourceRow[]> {
  const decoder = createChunkDecoder(encoding, file.name);
  const stream = createReadStream(file.path, { start, highWaterMark: READ_CHUNK });
  let offset = start;
  let carry = '';
  /** the current line outgrew the limit: its text is dropped up to the next line break */
  let skipping = false;
  let line = 0;
  const rows: SourceRow[] = [];
  const finishLine = (text: string): void => {
    line++;
    if (skipping) {
      skipping = false;
      rows.push(problemRow(line, 'E_JSON_RECORD_TOO_LARGE', 'is longer than 16 MB; ferry does not read records that large'));
      return;
    }
    const row = parseLine(text, line, limits);
    if (row === undefined) stats.skippedEmpty++;
    else rows.push(row);
  };
  const split = (text: string): void => {
    let from = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
      finishLine(carry.length > 0 ? carry + text.slice(from, nl) : text.slice(from, nl));
      carry = '';
      from = nl + 1;
    }
    if (skipping) return;
    carry += text.slice(from);
    if (carry.length > limits.maxRecordChars) {
      skipping = true;
      carry = '';
    }
  };
  try {
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      split(decoder.write(bytes, offset));
      offset += bytes.length;
      stats.bytes = offset;
      stats.lines = line;
      if (rows.length > 0) yield rows.splice(0);
    }
    split(decoder.end());
    if (carry.length > 0 || skipping) finishLine(carry);
    stats.lines = line;
    if (rows.length > 0) yield rows.splice(0);
  } finally {
    stream.destroy();
  }
}

/** One line as a row; undefined for an empty line. */
function parseLine(raw: string, line: number, limits: JsonLimits): SourceRow | undefined {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (text.trim() === '') return undefined;
  if (text.length > limits.maxRecordChars) return problemRow(line, 'E_JSON_RECORD_TOO_LARGE', 'is longer than 16 MB; ferry does not read records that large');
  if (mayHoldLongNumber(text)) return parseExact(text, line, limits);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // the exact parser says where and why, in the same words as for a JSON document
    return parseExact(text, line, limits);
  }
  const value = fromParsed(parsed, limits.maxDepth);
  if (value === undefined) return problemRow(line, 'E_JSON_MALFORMED', `nests values more than ${limits.maxDepth} levels deep`);
  return recordRow(line, { value, tooLarge: false });
}

function parseExact(text: string, line: number, limits: JsonLimits): SourceRow {
  const builder = new JsonTreeBuilder({ steps: null, maxDepth: limits.maxDepth, maxRecordChars: limits.maxRecordChars });
  const tokenizer = new ExactTokenizer();
  tokenizer.onToken = (t) => builder.token(t, tokenizer);
  try {
    tokenizer.write(text);
    tokenizer.end();
    if (!builder.complete) throw new JsonSyntaxError('the line ends before the JSON value is complete', Buffer.byteLength(text));
  } catch (err) {
    const fault = err instanceof JsonSyntaxError ? { reason: err.message, offset: err.offset } : tokenizerFault(err instanceof Error ? err : new Error(String(err)), 'line');
    const column = Buffer.from(text).subarray(0, Math.min(fault.offset, Buffer.byteLength(text))).toString('utf8').length + 1;
    return problemRow(line, 'E_JSON_MALFORMED', `is not valid JSON at column ${column}: ${fault.reason}`, undefined, column);
  }
  const built = builder.records[0];
  if (built === undefined) return problemRow(line, 'E_JSON_MALFORMED', 'holds no JSON value');
  return recordRow(line, built);
}
