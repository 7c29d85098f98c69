import { createReadStream } from 'node:fs';

import { FerryError, InputError } from '../../errors.js';
import { collectPaths, compileRecordPath, JSON_PATHS, pathSteps } from '../record-path.js';
import { createChunkDecoder } from '../text-decoding.js';
import type { Detected, InputFile, ReadStats, RowReader, SourceRow } from '../types.js';
import { createUtf8Check, estimateRows, locateOffset, openJsonInput, type JsonInput } from './json-input.js';
import { recordRow } from './json-rows.js';
import { ExactTokenizer, JsonSyntaxError, JsonTreeBuilder } from './json-tree-builder.js';
import { readAhead, replayThenStream } from '../read-ahead.js';

/** JSON settings from a profile's `format` block. */
export interface JsonOptions {
  /** keys from the top to the array of records (`/data/items`); absent or `/`: the top-level array */
  record?: string;
  encoding?: string;
}

/** Limits that keep a hostile document from taking the process down. */
export interface JsonLimits {
  readonly maxDepth: number;
  /** characters of strings in one record, and the longest string at all */
  readonly maxRecordChars: number;
}

/** Nesting and size limits; business documents stay far below both. */
export const JSON_LIMITS: JsonLimits = { maxDepth: 100, maxRecordChars: 16 * 1024 * 1024 };

const READ_CHUNK = 64 * 1024;
const PREVIEW_RECORDS = 50;
const MAX_COLUMNS = 500;

/**
 * Opens a JSON document whose records are the items of the array at `format.record`, and streams
 * them: the tokenizer (@streamparser/json) sees every byte, but only the item being read is built,
 * so file size does not matter. Each item must be an object; any other item is a row problem.
 * Numbers keep every digit ({@link jsonNumber}). A broken document throws `E_JSON_MALFORMED` with
 * line and column from `batches()` when reading reaches the fault, after the items before it.
 */
export async function openJsonReader(file: InputFile, options: JsonOptions, limits: JsonLimits = JSON_LIMITS): Promise<RowReader> {
  const input = await openJsonInput(file, options.encoding);
  const steps = pathSteps(options.record ?? '', JSON_PATHS);
  const builder = new JsonTreeBuilder({ steps, maxDepth: limits.maxDepth, maxRecordChars: limits.maxRecordChars });
  const stats: ReadStats = { bytes: 0, lines: 0, skippedEmpty: 0 };
  const record = `/${steps.join('/')}`;
  const chunks = parseChunks(file, input, builder, stats, record);

  const { pending, ended } = await readAhead(chunks, PREVIEW_RECORDS);
  const paths = new Set<string>();
  for (const row of pending.slice(0, PREVIEW_RECORDS)) if (row.record !== undefined) collectPaths(row.record, JSON_PATHS, paths, MAX_COLUMNS);
  const columns = [...paths];
  const notes = ended && pending.length === 0 ? [`the array at ${record} is empty: no records`] : [];
  const detected: Detected = { format: 'json', encoding: input.encoding, record, columns, ...(notes.length > 0 ? { notes } : {}) };
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

async function* parseChunks(file: InputFile, input: JsonInput, builder: JsonTreeBuilder, stats: ReadStats, record: string): AsyncGenerator<SourceRow[]> {
  const tokenizer = new ExactTokenizer({ emitPartialTokens: true });
  tokenizer.onToken = (t) => builder.token(t, tokenizer);
  const utf8 = input.encoding === 'utf-8' ? createUtf8Check(file.name) : undefined;
  const decoder = utf8 === undefined ? createChunkDecoder(input.encoding, file.name) : undefined;
  const stream = createReadStream(file.path, { start: input.bomLength, highWaterMark: READ_CHUNK });
  let offset = input.bomLength;
  let ordinal = 0;
  let failure: unknown;
  const take = (): SourceRow[] => {
    const rows = builder.records.map((r) => recordRow(++ordinal, r));
    builder.records = [];
    return rows;
  };
  try {
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      try {
        if (utf8 !== undefined) {
          utf8.write(bytes, offset);
          tokenizer.write(bytes);
        } else {
          tokenizer.write(decoder?.write(bytes, offset) ?? '');
        }
      } catch (err) {
        failure = err;
        break;
      }
      offset += bytes.length;
      stats.bytes = offset;
      if (builder.records.length > 0) yield take();
    }
    if (failure === undefined) {
      try {
        utf8?.end(offset);
        const tail = decoder?.end() ?? '';
        if (tail.length > 0) tokenizer.write(tail);
        tokenizer.end();
        if (!builder.complete) throw new JsonSyntaxError('the file ends before the JSON value is complete', offset - input.bomLength);
      } catch (err) {
        failure = err;
      }
    }
    if (builder.records.length > 0) yield take();
    if (failure !== undefined) throw await describeFailure(failure, file, input);
    if (!builder.found) {
      const hint = builder.arrays.length > 0 ? `; arrays in the file: ${builder.arrays.join(', ')}` : '';
      throw new InputError('E_FORMAT_MISMATCH', `${file.name} has no array at ${record} (format.record)${hint}`, { location: { file: file.name } });
    }
  } finally {
    stream.destroy();
  }
}

/** The error a reader throws for a fault: where it is, in words a person can act on. */
async function describeFailure(err: unknown, file: InputFile, input: JsonInput): Promise<unknown> {
  if (err instanceof FerryError) return err;
  let reason: string;
  let offset: number;
  if (err instanceof JsonSyntaxError) {
    reason = err.message;
    offset = err.offset;
  } else if (err instanceof Error) {
    ({ reason, offset } = tokenizerFault(err, 'file'));
  } else {
    return err;
  }
  const { line, column } = await locateOffset(file, input, offset);
  const location = { file: file.name, line, column, byteOffset: offset + input.bomLength };
  if (err instanceof JsonSyntaxError && err.kind === 'path') return new InputError('E_FORMAT_MISMATCH', `${file.name} at line ${line}: ${reason}`, { location });
  if (err instanceof JsonSyntaxError && err.kind === 'depth') return new InputError('E_JSON_DEPTH', `${file.name} nests ${reason.replace(/^values are nested /, '')} (line ${line}); ferry refuses such documents`, { location });
  if (err instanceof JsonSyntaxError && err.kind === 'size') return new InputError('E_JSON_RECORD_TOO_LARGE', `${file.name} has ${reason} at line ${line}; ferry does not read values that large`, { location });
  return new InputError('E_JSON_MALFORMED', `${file.name} is not valid JSON at line ${line}, column ${column}: ${reason}`, { location, cause: err });
}

/** Reason and offset of an error from the tokenizer, whose messages name the absolute position. */
export function tokenizerFault(err: Error, what: 'file' | 'line'): { reason: string; offset: number } {
  const unexpectedChar = /^Unexpected "([\s\S]*?)" at chunk position "\d+" \(absolute position "(\d+)"\)/.exec(err.message);
  if (unexpectedChar !== null) return { reason: `unexpected character ${JSON.stringify(unexpectedChar[1])}`, offset: Number(unexpectedChar[2]) };
  if (/ended in the middle of a token/.test(err.message)) return { reason: `the ${what} ends in the middle of a value`, offset: Number.MAX_SAFE_INTEGER };
  return { reason: err.message, offset: Number.MAX_SAFE_INTEGER };
}
