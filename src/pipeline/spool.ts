import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { openReader } from '../formats/open-reader.js';
import type { InputFile } from '../formats/types.js';
import { RecordJsonSlab } from '../json/record-json-slab.js';
import { InputError } from '../errors.js';
import type { CompiledMapping } from '../mapping/compile.js';
import type { ExprValue } from '../mapping/expr/types.js';
import { GroupLimitError } from '../mapping/group-records.js';
import type { RowError, RowItem } from '../mapping/types.js';
import type { ProfileFormat } from '../profiles/schema.js';
import { readLineBatches } from '../util/read-lines.js';
import { IndexSlab } from './index-slab.js';

/** Counts of one mapped file. */
export interface SpoolSummary {
  rows: number;
  records: number;
  rejected: number;
  skipped: number;
  /** false when records are not in row order (unsorted grouping): the result file sorts them */
  ordered: boolean;
  /**
   * The file error that ended reading early, when the spool was asked to keep what came before it
   * ({@link SpoolOptions.keepOnInputError}); the spool then holds the rows read before the error.
   */
  error?: { code: string; message: string };
}

/** How {@link writeSpool} hands its records on while it writes them, and what a file error does. */
export interface SpoolOptions {
  /**
   * Called with each piece of record lines as they are written to `records.jsonl` (the same bytes),
   * for delivery that starts before the spool is complete; awaited, so that it can hold reading back.
   */
  readonly onRecords?: (lines: readonly Buffer[]) => Promise<void>;
  /**
   * On a file error (bad input), complete the spool with the rows read before it and report the
   * error in the summary instead of throwing: records sent already are then accounted for.
   */
  readonly keepOnInputError?: boolean;
}

/** What the result file needs of a spooled record: the rows it came from and its key. */
export interface SpooledIndex {
  rows: number[];
  key: string;
}

/** A source row that did not become (part of) a record. */
export type SpooledOther =
  | { kind: 'rejected'; row: number; errors: RowError[] }
  | { kind: 'skipped'; row: number; reason: string };

/** one record's JSON per line, sent to the target as bytes without being decoded again */
const BODIES = 'records.jsonl';
/** rows (comma-separated) and key per line, in the same order: all the result file needs */
const INDEX = 'records.idx';
/** rejected and skipped rows in row order: row, kind (R or S), errors JSON or reason */
const OTHERS = 'others.tsv';
const SUMMARY = 'summary.json';
const FILES = [BODIES, INDEX, OTHERS, SUMMARY];
/** Bytes of the index read at a time: a few thousand lines. */
const INDEX_READ_BYTES = 1 << 16;

async function write(stream: WriteStream, data: string | Buffer): Promise<void> {
  if (!stream.write(data)) await new Promise<void>((resolve) => stream.once('drain', resolve));
}

async function writeAll(stream: WriteStream, buffers: readonly Buffer[]): Promise<void> {
  for (const b of buffers) await write(stream, b);
}

async function endStream(stream: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.end(resolve);
  });
}

/**
 * Reads and maps a staged file into the spool: `records.jsonl` (record JSON per line),
 * `records.idx` (rows and key per line), `others.tsv` (rejected and skipped rows) and
 * `summary.json`. Delivery then reads the spool, so chunks and their idempotency keys stay exactly
 * the same after a restart, even if the profile was edited since. The spool is written under
 * temporary names and renamed when complete.
 */
export async function writeSpool(
  dir: string,
  file: InputFile,
  format: ProfileFormat | undefined,
  mapping: CompiledMapping,
  params?: ReadonlyMap<string, ExprValue>,
  options: SpoolOptions = {},
): Promise<SpoolSummary> {
  await mkdir(dir, { recursive: true });
  const bodies = createWriteStream(join(dir, `${BODIES}.part`), { highWaterMark: 1 << 20 });
  const index = createWriteStream(join(dir, `${INDEX}.part`), { highWaterMark: 1 << 18 });
  const others = createWriteStream(join(dir, `${OTHERS}.part`));
  const summary: SpoolSummary = { rows: 0, records: 0, rejected: 0, skipped: 0, ordered: true };
  try {
    const reader = await openReader(file, format);
    const processor = mapping.process(reader, file.name, params, reader.estimatedRows, dir);
    summary.ordered = processor.ordered;
    const json = new RecordJsonSlab();
    const idx = new IndexSlab(1 << 18);
    let other = '';
    const emit = (item: RowItem): void => {
      if (item.kind === 'record') {
        summary.records++;
        json.record(item.record);
        idx.entry(item.rows, item.key ?? '');
      } else if (item.kind === 'rejected') {
        summary.rejected++;
        other += `${item.row}\tR\t${JSON.stringify(item.errors)}\n`;
      } else {
        summary.skipped++;
        other += `${item.row}\tS\t${item.reason.replace(/[\t\n\r]/g, ' ')}\n`;
      }
    };
    const flush = async (): Promise<void> => {
      if (json.length > 0) {
        const lines = json.take();
        await writeAll(bodies, lines);
        await writeAll(index, idx.take());
        if (options.onRecords !== undefined) await options.onRecords(lines);
      }
      if (other.length > 0) await write(others, other);
      other = '';
    };
    try {
      for await (const rows of reader.batches()) {
        summary.rows += rows.length;
        processor.pushMany(rows, emit);
        await flush();
      }
      processor.end(emit);
    } catch (thrown) {
      const err = thrown instanceof GroupLimitError ? new InputError('E_GROUP_LIMIT', thrown.message, { location: { file: file.name }, cause: thrown }) : thrown;
      if (options.keepOnInputError !== true || !(err instanceof InputError)) throw err;
      summary.error = { code: err.code, message: err.message };
      // groups begun before the error end with the rows they have
      if (!(thrown instanceof GroupLimitError)) endQuietly(processor, emit);
    }
    await flush();
  } finally {
    await Promise.all([endStream(bodies), endStream(index), endStream(others)]);
  }
  await writeFile(join(dir, `${SUMMARY}.part`), JSON.stringify(summary));
  for (const name of FILES) await rename(join(dir, `${name}.part`), join(dir, name));
  return summary;
}

function endQuietly(processor: ReturnType<CompiledMapping['process']>, emit: (item: RowItem) => void): void {
  try {
    processor.end(emit);
  } catch {
    // a second error after the file error: the first one is the one reported
  }
}

/** The counts and order flag of a complete spool. */
export async function readSpoolSummary(dir: string): Promise<SpoolSummary> {
  return JSON.parse(await readFile(join(dir, SUMMARY), 'utf8')) as SpoolSummary;
}

/** One delivery chunk's records as the spool holds them. */
export interface SpooledChunk {
  /** each record's JSON, as views into {@link bytes} */
  readonly records: Buffer[];
  /** the records' lines as they lie in the spool, each ending in a line feed */
  readonly bytes: Buffer;
}

/**
 * The spooled records in chunks of `size` (the last one may be shorter): each record's JSON as a
 * view into the read buffer, and the chunk's lines as one contiguous piece, so that the chunk can
 * be hashed in one go.
 */
export function readSpooledChunks(dir: string, size: number): AsyncGenerator<SpooledChunk> {
  // a stream without an encoding yields Buffers
  return cutChunks(createReadStream(join(dir, BODIES), { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>, size);
}

/**
 * Record lines, read from the spool or handed over while it is written, in chunks of `size` (the
 * last one may be shorter), cut exactly as {@link readSpooledChunks} cuts the finished spool.
 */
export async function* cutChunks(source: AsyncIterable<Buffer>, size: number): AsyncGenerator<SpooledChunk> {
  // the chunk being collected: its bytes from earlier reads, their length, and its line ends
  // counted from the chunk's start; joined once, when the chunk is complete
  let parts: Buffer[] = [];
  let partsLength = 0;
  let ends: number[] = [];
  for await (const bytes of source) {
    let start = 0;
    for (let nl = bytes.indexOf(10); nl !== -1; nl = bytes.indexOf(10, nl + 1)) {
      ends.push(partsLength + nl - start);
      if (ends.length < size) continue;
      const tail = bytes.subarray(start, nl + 1);
      yield chunkOf(parts.length === 0 ? tail : Buffer.concat([...parts, tail]), ends);
      parts = [];
      partsLength = 0;
      ends = [];
      start = nl + 1;
    }
    if (start < bytes.length) {
      parts.push(bytes.subarray(start));
      partsLength += bytes.length - start;
    }
  }
  if (partsLength === 0) return;
  let rest = Buffer.concat(parts);
  // a last line without its line feed (never written so, but read as a record all the same)
  if (rest[rest.length - 1] !== 10) {
    rest = Buffer.concat([rest, Buffer.from('\n')]);
    ends.push(rest.length - 1);
  }
  yield chunkOf(rest, ends);
}

/** The chunk whose lines are `bytes`, the line feed of each at `ends`. */
function chunkOf(bytes: Buffer, ends: readonly number[]): SpooledChunk {
  const records = new Array<Buffer>(ends.length);
  let from = 0;
  for (let i = 0; i < ends.length; i++) {
    const end = ends[i] ?? from;
    records[i] = bytes.subarray(from, end);
    from = end + 1;
  }
  return { records, bytes };
}

/** Row and key of each spooled record, in batches. */
export async function* readSpooledIndex(dir: string): AsyncGenerator<SpooledIndex[]> {
  // small reads: a batch of lines is short-lived, so it dies young instead of piling up in the old heap
  for await (const lines of readLineBatches(join(dir, INDEX), INDEX_READ_BYTES)) {
    const out = new Array<SpooledIndex>(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] ?? '';
      const tab = line.indexOf('\t');
      const rows = line.slice(0, tab);
      out[i] = { rows: rows.includes(',') ? rows.split(',').map(Number) : [Number(rows)], key: line.slice(tab + 1) };
    }
    yield out;
  }
}

/** The rejected and skipped rows in row order. */
export async function* readSpooledOthers(dir: string): AsyncGenerator<SpooledOther> {
  for await (const lines of readLineBatches(join(dir, OTHERS))) {
    for (const line of lines) {
      const a = line.indexOf('\t');
      const row = Number(line.slice(0, a));
      const detail = line.slice(a + 3);
      yield line.charAt(a + 1) === 'S' ? { kind: 'skipped', row, reason: detail } : { kind: 'rejected', row, errors: JSON.parse(detail) as RowError[] };
    }
  }
}

/** True when a complete spool exists in `dir`. */
export async function spoolExists(dir: string): Promise<boolean> {
  try {
    for (const name of FILES) await access(join(dir, name));
    return true;
  } catch {
    return false;
  }
}

/** Removes a batch's spool once the batch is done. */
export async function removeSpool(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
