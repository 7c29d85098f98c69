import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, posix } from 'node:path';

import type { Logger } from '../log.js';
import { batchEvent, batchPayload, notificationsFor } from '../notify/build-notifications.js';
import type { RunParams } from '../profiles/run-params.js';
import type { LoadedProfile } from '../profiles/types.js';
import type { BatchRow, BatchStatus, ChunkRecord, RowProblem } from '../store/types.js';
import { crashPoint } from '../util/crash-point.js';
import { doneMarker } from '../util/done-marker.js';
import type { ChunkWatch } from './chunk-watch.js';
import type { PipelineContext } from './process-batch.js';
import { resultDestination } from './result-destination.js';
import { writeResultFile, type ResultCounts } from './result-file.js';

/**
 * Row problems kept in the state store per batch, for the admin API; the result file lists every
 * row, this is what the console shows without fetching it.
 */
const ROW_PROBLEMS_KEPT = 10_000;

/** What the result phase reads of a batch beyond its row. */
export interface ReportInput {
  readonly spoolDir: string;
  readonly batchSize: number;
  readonly params: RunParams;
  /** the result file as written while the batch delivered ({@link followDelivery}), if it was */
  readonly early?: Promise<WrittenResult | undefined>;
}

/** A batch's result file, written: its row counts and the first row problems. */
export interface WrittenResult {
  readonly counts: ResultCounts;
  readonly problems: readonly RowProblem[];
}

/** Thrown to the result file writer when delivery ended without a chunk's outcome. */
class NoOutcome extends Error {}

/**
 * The result phase of a delivered batch: writes the result file from the spool and the committed
 * chunk outcomes (temp name, then rename), uploads it (and its done file) where the profile says,
 * keeps the first row problems for the admin API, and commits `reported` with the row counts and
 * the batch's notification. A crash before that commit writes the same file again.
 */
export async function reportBatch(ctx: PipelineContext, loaded: LoadedProfile, b: BatchRow, input: ReportInput): Promise<BatchRow> {
  const { store } = ctx;
  const dest = resultDestination(loaded, b, ctx.dataDir, input.params.texts);
  const { counts, problems } = (await input.early) ?? (await writeBatchResult(loaded, b, input, dest.localPath, (seq) => store.getChunk(b.id, seq)));
  let shown = dest.localPath;
  if (dest.remotePath !== undefined) {
    const fs = ctx.remotes.get(loaded.profile.results?.to.connection, loaded.connections.results);
    await fs.mkdirp(dirnamePosix(dest.remotePath));
    await fs.write(dest.remotePath, createReadStream(dest.localPath), ctx.signal);
    if (dest.doneFile) await fs.write(`${dest.remotePath}.done`, doneMarker(posix.basename(dest.remotePath)), ctx.signal);
    // the local copy stays in the data dir for the admin API's download
    shown = dest.remotePath;
  } else if (dest.doneFile) {
    await writeFile(`${dest.localPath}.done`, doneMarker(basename(dest.localPath)));
  }
  crashPoint('after-result');
  // a rerun after a crash finds the same problems (same spool, same chunk outcomes), so an empty
  // list has nothing to replace and needs no transaction
  if (problems.length > 0) await store.saveRowProblems(b.id, problems);
  const rows = { rowsDelivered: counts.delivered, rowsFailed: counts.failed, rowsRejected: counts.rejected, rowsSkipped: counts.skipped };
  const settled: BatchRow = { ...b, ...rows, resultFile: shown, status: outcomeStatus({ ...b, ...rows }) };
  const event = batchEvent(settled);
  return store.updateBatch(b.id, { state: 'reported', resultFile: shown, ...rows, status: settled.status },
    event === undefined ? [] : notificationsFor(loaded, event, batchPayload(settled), b.id));
}

/**
 * Writes the result file while the batch delivers, following the chunk commits `watch` reports
 * (`fresh`: the batch began delivering in this run, so no chunk has an outcome from an earlier one):
 * the same file {@link reportBatch} would write afterwards, since it reads the same spool and the
 * same committed outcomes. Resolves to undefined when delivery ended with a chunk not delivered or
 * the file could not be written; the result phase then writes it as before, with the batch's error.
 */
export async function followDelivery(ctx: PipelineContext, loaded: LoadedProfile, b: BatchRow, input: ReportInput, follow: { watch: ChunkWatch; fresh: boolean }, log: Logger): Promise<WrittenResult | undefined> {
  const { watch, fresh } = follow;
  const chunk = async (seq: number): Promise<ChunkRecord | undefined> => {
    // a batch that began delivering in this run has no outcome from an earlier one to look for
    const found = fresh ? undefined : await ctx.store.getChunk(b.id, seq);
    if (found !== undefined) return found;
    if (await watch.until(seq)) return ctx.store.getChunk(b.id, seq);
    throw new NoOutcome(`chunk ${seq} has no outcome`);
  };
  try {
    // the same path as reportBatch's: the destination depends only on the batch and its parameters
    return await writeBatchResult(loaded, b, input, resultDestination(loaded, b, ctx.dataDir, input.params.texts).localPath, chunk);
  } catch (err) {
    if (!(err instanceof NoOutcome)) log.debug({ err }, 'the result file is written after delivery instead');
    return undefined;
  }
}

async function writeBatchResult(loaded: LoadedProfile, b: BatchRow, input: ReportInput, path: string, chunk: (seq: number) => Promise<ChunkRecord | undefined>): Promise<WrittenResult> {
  const problems: RowProblem[] = [];
  const counts = await writeResultFile({
    onProblem: (p) => {
      if (problems.length < ROW_PROBLEMS_KEPT) problems.push(p);
    },
    spoolDir: input.spoolDir,
    chunk,
    batchSize: input.batchSize,
    undeliveredReason: b.errorMessage === null ? 'not delivered' : `not delivered: ${b.errorMessage}`,
    path,
    format: loaded.profile.results?.format,
    delimiter: resultDelimiter(loaded),
    encoding: resultEncoding(loaded),
  });
  return { counts, problems };
}

function outcomeStatus(b: BatchRow): BatchStatus {
  if (b.errorCode !== null) return 'failed';
  return b.rowsRejected > 0 || b.rowsFailed > 0 ? 'partial' : 'completed';
}

function dirnamePosix(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** The result file follows a CSV source's delimiter unless the profile says otherwise. */
function resultDelimiter(loaded: LoadedProfile): string {
  const format = loaded.profile.format;
  const sourceDelimiter = (format?.type ?? 'csv') === 'csv' && format?.delimiter !== undefined && format.delimiter !== 'auto' ? format.delimiter : ',';
  return loaded.profile.results?.delimiter ?? sourceDelimiter;
}

function resultEncoding(loaded: LoadedProfile): string {
  const wanted = loaded.profile.results?.encoding ?? loaded.profile.format?.encoding;
  if (wanted === undefined || wanted === 'auto') return 'utf-8';
  return wanted.toLowerCase().replace(/^utf8$/, 'utf-8');
}
