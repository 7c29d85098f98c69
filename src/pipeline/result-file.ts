import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { createTableWriter, type TableFormat } from '../formats/writers/create-writer.js';
import type { RowError } from '../mapping/types.js';
import type { ChunkRecord, RowProblem } from '../store/types.js';
import { crashPoint } from '../util/crash-point.js';
import { readSpooledIndex, readSpooledOthers, readSpoolSummary, type SpooledOther } from './spool.js';

/** How the result file is written. */
export interface ResultFileOptions {
  readonly spoolDir: string;
  /** the recorded outcome of chunk `seq`, read one chunk at a time so memory stays flat */
  readonly chunk: (seq: number) => Promise<ChunkRecord | undefined>;
  readonly batchSize: number;
  /** why records without a chunk outcome were not delivered (file rejected, target unreachable) */
  readonly undeliveredReason: string;
  readonly path: string;
  /** csv (the default), xlsx, xml or json: `results.format` of the profile */
  readonly format?: TableFormat;
  /** csv only */
  readonly delimiter: string;
  /** csv only */
  readonly encoding: string;
  /** called for each line of a row that was not delivered, in row order */
  readonly onProblem?: (problem: RowProblem) => void;
}

/** Source rows by what became of them; a row split into several records counts once. */
export interface ResultCounts {
  delivered: number;
  failed: number;
  rejected: number;
  skipped: number;
}

type Status = 'delivered' | 'failed' | 'rejected' | 'skipped';
type Line = readonly [row: number, status: Status, key: string | null, targetId: string | null, error: string | null];

const COLUMNS = ['row', 'status', 'key', 'targetId', 'error'];

function describeErrors(errors: readonly RowError[]): string {
  return errors.map((e) => `${e.field}: ${e.message} [${e.code}]`).join('; ');
}

function otherLine(o: SpooledOther): Line {
  return o.kind === 'rejected' ? [o.row, 'rejected', null, null, describeErrors(o.errors)] : [o.row, 'skipped', null, null, o.reason];
}

/**
 * The result lines of the spooled records, in spool order and in batches: one line per source row
 * of each record (a grouped record gives each of its rows a line, a split row gets a line per
 * record). Batches, not single lines, so that only a chunk change costs an `await`.
 */
async function* recordLines(o: ResultFileOptions): AsyncGenerator<Line[]> {
  let chunkSeq = -1;
  let chunk: ChunkRecord | undefined;
  let index = 0;
  for await (const batch of readSpooledIndex(o.spoolDir)) {
    const lines: Line[] = [];
    for (const rec of batch) {
      const seq = Math.floor(index / o.batchSize);
      if (seq !== chunkSeq) {
        chunk = await o.chunk(seq);
        chunkSeq = seq;
      }
      const pos = index % o.batchSize;
      const error = chunk === undefined ? o.undeliveredReason : chunk.errors[pos] ?? null;
      const id = chunk?.ids[pos] ?? null;
      const status = error === null ? 'delivered' : 'failed';
      let last = -1;
      for (const row of rec.rows) {
        if (row !== last) lines.push([row, status, rec.key, id === '' ? null : id, error]);
        last = row;
      }
      index++;
    }
    yield lines;
  }
}

/** Unsorted grouping emits records in group order; the result file is in row order, so sort them. */
async function* sortedByRow(batches: AsyncGenerator<Line[]>): AsyncGenerator<Line[]> {
  const all: Line[] = [];
  for await (const lines of batches) for (const line of lines) all.push(line);
  all.sort((a, b) => a[0] - b[0]);
  yield all;
}

/**
 * Writes the row-level result file: `row,status,key,targetId,error`, one line per source row in
 * source order (records from the spool merged with rejected and filtered-out rows), as CSV (CRLF,
 * the given delimiter and encoding), XLSX, XML or JSON. Keys, ids and errors come from input, so
 * values a spreadsheet would run as formulas are neutralised. It is written under a temporary name
 * and renamed, so the customer never sees half a file; a rerun after a crash overwrites the same
 * final name.
 */
export async function writeResultFile(o: ResultFileOptions): Promise<ResultCounts> {
  await mkdir(dirname(o.path), { recursive: true });
  const temp = join(dirname(o.path), `.${basename(o.path)}.part`);
  const out = createWriteStream(temp, { highWaterMark: 1 << 20 });
  const counts: ResultCounts = { delivered: 0, failed: 0, rejected: 0, skipped: 0 };
  const summary = await readSpoolSummary(o.spoolDir);
  const others = readSpooledOthers(o.spoolDir);
  // a row counts once, as failed if any of its records failed
  let countedRow = -1;
  let countedStatus: Status = 'delivered';
  const count = (row: number, status: Status): void => {
    if (row === countedRow) {
      if (status === 'failed') countedStatus = 'failed';
      return;
    }
    if (countedRow !== -1) counts[countedStatus]++;
    countedRow = row;
    countedStatus = status;
  };
  try {
    const writer = createTableWriter(o.format ?? 'csv', out, {
      columns: COLUMNS, delimiter: o.delimiter, encoding: o.encoding, lineEnding: 'CRLF',
      sheetName: 'Results', rootElement: 'results', recordElement: 'result',
    });
    const put = (line: Line): Promise<void> => {
      count(line[0], line[1]);
      if (line[1] !== 'delivered') o.onProblem?.({ row: line[0], status: line[1], key: line[2], error: line[4] ?? '' });
      return writer.writeRow(line);
    };
    let nextOther = await others.next();
    const putOthersBefore = async (row: number): Promise<void> => {
      while (nextOther.done !== true && nextOther.value.row < row) {
        await put(otherLine(nextOther.value));
        nextOther = await others.next();
      }
    };
    const batches = summary.ordered ? recordLines(o) : sortedByRow(recordLines(o));
    for await (const lines of batches) {
      for (const line of lines) {
        if (nextOther.done !== true && nextOther.value.row < line[0]) await putOthersBefore(line[0]);
        await put(line);
      }
    }
    await putOthersBefore(Number.MAX_SAFE_INTEGER);
    count(-2, 'delivered');
    await writer.end();
  } catch (err) {
    out.destroy();
    await rm(temp, { force: true });
    throw err;
  }
  crashPoint('before-result-rename');
  await rename(temp, o.path);
  return counts;
}
