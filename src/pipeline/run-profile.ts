import { existsSync } from 'node:fs';
import { resolve, sep } from 'node:path';

import { FerryError, InputError, isDiskFull } from '../errors.js';
import { batchEvent, batchPayload, notificationsFor } from '../notify/build-notifications.js';
import { NO_PARAMS, resolveParams, type RunParams } from '../profiles/run-params.js';
import type { LoadedProfile } from '../profiles/types.js';
import type { ListedFile } from '../sources/folder-source.js';
import type { BatchRow, BatchState, BatchStatus } from '../store/types.js';
import { crashPoint } from '../util/crash-point.js';
import { newId } from '../util/ids.js';
import { continueBatch, type PipelineContext } from './process-batch.js';

/** The statuses of a run's batches, combined: any failure fails the run, any partial makes it partial. */
export function combineStatus(statuses: readonly BatchStatus[]): BatchStatus {
  if (statuses.includes('failed')) return 'failed';
  if (statuses.includes('partial')) return 'partial';
  if (statuses.includes('completed')) return 'completed';
  return 'skipped';
}

/** One file for a run: a listed file of the source, or a file named on the command line. */
export interface RunFile extends ListedFile {
  /** true for a file the user named (`ferry run --file`): always processed, never moved */
  readonly explicit?: boolean;
}

/** A finished run. */
export interface RunResult {
  readonly runId: string;
  readonly status: BatchStatus;
  readonly batches: BatchRow[];
}

/**
 * Runs a profile over the given files, one batch after another: claims each (a listed file whose
 * listing identity is known already is left alone), then moves its batch to `done`. A file that
 * fails in a way that is not the customer's (disk, bug) leaves its batch where it stopped, to be
 * resumed; the run goes on with the next file.
 */
export async function runProfile(ctx: PipelineContext, loaded: LoadedProfile, files: readonly RunFile[], trigger: string, given?: RunParams, runId: string = newId('r')): Promise<RunResult> {
  const params = given ?? defaultParams(loaded);
  // the parameters are kept with the run: a batch resumed tomorrow still sees today's `today`
  await ctx.store.createRun({ id: runId, profile: loaded.id, trigger, params: params.texts });
  await ctx.store.profileVersion(loaded.id, loaded.contentHash, loaded.text);
  const results: (BatchRow | undefined)[] = new Array<BatchRow | undefined>(files.length);
  const processOne = async (f: RunFile, index: number): Promise<void> => {
    const remote = f.explicit !== true && loaded.profile.source !== undefined && loaded.profile.source.type !== 'local' && loaded.profile.source.type !== 'http' && loaded.profile.source.type !== 'amqp';
    const sourcePath = remote ? f.path : resolve(f.path);
    const sourceDir = loaded.profile.source?.dir === undefined ? undefined : resolve(loaded.profile.source.dir);
    const inSource = !remote && sourceDir !== undefined && sourcePath.startsWith(sourceDir + sep);
    const claim = {
      id: newId('b'), runId, profile: loaded.id, profileVersion: loaded.contentHash, fileName: f.name,
      sourceKind: remote ? ('remote' as const) : ('local' as const), sourcePath, sourceSize: f.size, sourceMtimeMs: f.mtimeMs,
    };
    const batch = f.explicit === true && !inSource ? await ctx.store.createBatch({ ...claim, reprocessOf: null }) : await ctx.store.claimFile(claim);
    if (batch === undefined) return;
    crashPoint('after-claim');
    results[index] = await processClaimed(ctx, batch, loaded);
  };
  await runWeighted(files, processOne, ctx.signal);
  const batches = results.filter((b): b is BatchRow => b !== undefined);
  const status = combineStatus(batches.map((b) => b.status));
  await ctx.store.finishRun(runId, status);
  return { runId, status, batches };
}

/** States a batch stops in when a step fails for a reason that is not the customer's. */
const RESUMABLE: ReadonlySet<BatchState> = new Set<BatchState>(['claimed', 'staged', 'parsed', 'delivering']);

/**
 * Moves a claimed batch to `done`. A failure that is not the customer's (disk, bug) leaves the
 * batch where it stopped, with the error, to be resumed; bad input settles it as failed.
 */
export async function processClaimed(ctx: PipelineContext, stopped: BatchRow, loaded: LoadedProfile): Promise<BatchRow> {
  // the error a batch stopped with (disk full, a bug) is history once it goes on: kept, it would
  // make the finished batch look failed
  const batch = stopped.errorCode !== null && RESUMABLE.has(stopped.state) ? await ctx.store.updateBatch(stopped.id, { errorCode: null, errorMessage: null }) : stopped;
  try {
    return await continueBatch(ctx, batch, loaded);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    const e = err instanceof FerryError ? err : undefined;
    const errorCode = e?.code ?? (isDiskFull(err) ? 'E_DISK_FULL' : 'E_INTERNAL');
    const errorMessage = err instanceof Error ? err.message : String(err);
    if (e?.kind !== 'input') {
      ctx.log.error({ err, batch: batch.id, file: batch.fileName, code: errorCode }, 'batch stopped; it resumes at the next start');
      return ctx.store.updateBatch(batch.id, { errorCode, errorMessage });
    }
    // bad input settles the batch as failed, with its event; `reported` then settles the source
    // (after.failure, default move:failed) and clears staging and spool as for any failed batch
    ctx.log.warn({ err, batch: batch.id, file: batch.fileName, code: errorCode }, 'file failed');
    const settled: BatchRow = { ...batch, errorCode, errorMessage, status: 'failed' };
    const event = batchEvent(settled);
    const reported = await ctx.store.updateBatch(batch.id, { state: 'reported', status: 'failed', errorCode, errorMessage },
      event === undefined ? [] : notificationsFor(loaded, event, batchPayload(settled), batch.id));
    try {
      return await continueBatch(ctx, reported, loaded);
    } catch (settleErr) {
      if (ctx.signal.aborted) throw settleErr;
      ctx.log.error({ err: settleErr, batch: batch.id }, 'failed batch not settled yet; it resumes at the next start');
      return reported;
    }
  }
}

/**
 * The parameters of a run nobody passed any to (file events, polls, schedules): the declared
 * defaults. A required parameter without a default cannot be filled that way: such a profile only
 * runs by hand or through the API.
 */
export function defaultParams(loaded: LoadedProfile): RunParams {
  if (loaded.profile.params === undefined) return NO_PARAMS;
  const resolved = resolveParams(loaded.profile.params, {});
  if (!resolved.ok) throw new InputError('E_PARAMS', `profile ${loaded.id} cannot run without parameters: ${resolved.problems.join('; ')}`);
  return resolved.params;
}

/** Files at least this big run alone: several at once would multiply the memory of parsing. */
const BIG_FILE_BYTES = 8 * 1024 * 1024;
/** How many small files of one run are worked on at once (FERRY_FILE_CONCURRENCY). */
const FILE_SLOTS = Math.max(1, Number(process.env.FERRY_FILE_CONCURRENCY ?? 4));

/**
 * Runs `work` over the files: small files several at a time (most of a small file's time is
 * waiting on disk, network and the target), a big file alone. Results keep the files' order.
 */
async function runWeighted(files: readonly RunFile[], work: (f: RunFile, index: number) => Promise<void>, signal: AbortSignal): Promise<void> {
  let free = FILE_SLOTS;
  const waiters: (() => void)[] = [];
  const acquire = async (weight: number): Promise<void> => {
    while (free < weight) await new Promise<void>((resolve) => waiters.push(resolve));
    free -= weight;
  };
  const release = (weight: number): void => {
    free += weight;
    for (const w of waiters.splice(0)) w();
  };
  const running: Promise<void>[] = [];
  let failure: unknown;
  for (const [index, f] of files.entries()) {
    if (signal.aborted || failure !== undefined) break;
    const weight = f.size >= BIG_FILE_BYTES ? FILE_SLOTS : 1;
    await acquire(weight);
    running.push(work(f, index).catch((err: unknown) => {
      failure ??= err;
    }).finally(() => release(weight)));
  }
  await Promise.all(running);
  if (failure !== undefined) throw failure;
}

/**
 * Takes over and resumes the unfinished batches no live instance holds (on SQLite: every one a
 * previous process left) whose profile is loaded; returns the batches it finished.
 */
export async function resumeUnfinished(ctx: PipelineContext, profiles: ReadonlyMap<string, LoadedProfile>): Promise<BatchRow[]> {
  const finished: BatchRow[] = [];
  const orphans = (await ctx.store.takeOverBatches()).sort((a, b) => a.createdAt - b.createdAt);
  for (const batch of orphans) {
    if (ctx.signal.aborted) break;
    const loaded = profiles.get(batch.profile);
    if (loaded === undefined) continue;
    if (batch.state === 'claimed' && batch.sourceKind === 'local' && !existsSync(batch.sourcePath)) {
      finished.push(await ctx.store.updateBatch(batch.id, { state: 'done', status: 'failed', errorCode: 'E_FILE_NOT_FOUND', errorMessage: `${batch.fileName} vanished before it was copied` }));
      continue;
    }
    ctx.log.info({ batch: batch.id, state: batch.state, profile: batch.profile }, 'resuming batch');
    // as a first attempt: bad input found only now settles the batch instead of resuming it forever
    try {
      const after = await processClaimed(ctx, batch, loaded);
      if (after.state === 'done') finished.push(after);
    } catch (err) {
      // the ledger itself failed (a full disk): the next batch may still go on, or fail alike
      if (ctx.signal.aborted) throw err;
      ctx.log.error({ err, batch: batch.id }, 'resumed batch stopped again');
    }
  }
  return finished;
}
