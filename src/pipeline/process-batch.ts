import { mkdir, rename, rm } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';

import { FerryError } from '../errors.js';
import type { Logger } from '../log.js';
import { createRejectPolicy } from '../mapping/reject-policy.js';
import type { Metrics } from '../metrics/types.js';
import { notificationsFor } from '../notify/build-notifications.js';
import type { LoadedProfile } from '../profiles/types.js';
import type { RemoteRegistry } from '../remote/remote-registry.js';
import type { RemoteFs } from '../remote/types.js';
import type { BatchPatch, BatchRow, StateStore } from '../store/types.js';
import type { Sink } from '../targets/types.js';
import { crashPoint } from '../util/crash-point.js';
import { batchRunParams } from './batch-run-params.js';
import { ChunkWatch } from './chunk-watch.js';
import { claimContent } from './content-claim.js';
import { deliverChunks, type ChunkPlan } from './deliver-chunks.js';
import { downloadToStaging } from './download-file.js';
import { followDelivery, reportBatch, type ReportInput, type WrittenResult } from './report-batch.js';
import { settleSource } from './settle-source.js';
import { readSpoolSummary, removeSpool, spoolExists, writeSpool, type SpoolOptions, type SpoolSummary } from './spool.js';
import { stagedIsIntact, stageLocalFile } from './stage-file.js';
import { spoolWhileDelivering, streamsDelivery } from './stream-delivery.js';

/** What one batch needs from its surroundings. */
export interface PipelineContext {
  readonly store: StateStore;
  readonly dataDir: string;
  readonly log: Logger;
  readonly sink: (profile: LoadedProfile) => Sink;
  readonly remotes: RemoteRegistry;
  readonly signal: AbortSignal;
  /** where the daemon's workers report what `/metrics` counts in memory (poll failures) */
  readonly metrics: Metrics;
}

/** The file system a profile's source files come from (the local disk for local sources). */
export function sourceFs(ctx: PipelineContext, loaded: LoadedProfile): RemoteFs {
  const source = loaded.profile.source;
  // uploads and queue messages are written to the data dir: their batches read the local disk
  if (source === undefined || source.type === 'local' || source.type === 'http' || source.type === 'amqp') return ctx.remotes.get(undefined, undefined);
  return ctx.remotes.get(source.connection, loaded.connections.source);
}

/** The folder uploads (`POST /upload/<profile>`) are written to before their batch stages them. */
export function uploadsDir(dataDir: string): string {
  return join(dataDir, 'uploads');
}

/** Where a batch's own files live in the data dir: all names are ours, never the remote file's. */
export function batchPaths(dataDir: string, batch: BatchRow): { staged: string; spool: string; archive: string } {
  const ext = extname(batch.fileName).replace(/[^A-Za-z0-9.]/g, '').slice(0, 10);
  return {
    staged: join(dataDir, 'staging', `${batch.id}${ext}`),
    spool: join(dataDir, 'spool', batch.id),
    archive: join(dataDir, 'archive', `${batch.id}${ext}`),
  };
}

/**
 * Moves a batch on from whatever state it was committed in, to `done`. Each step commits its new
 * state before the next side effect, so that after a crash the batch resumes where it stopped:
 * claimed → staged → delivering → reported → done. `delivered` is committed only when delivery
 * failed or the whole file was rejected (a successful delivery's chunks are committed already), and
 * `parsed` only by older ledgers. The result phase is {@link reportBatch}.
 */
export async function continueBatch(ctx: PipelineContext, start: BatchRow, loaded: LoadedProfile): Promise<BatchRow> {
  const { store } = ctx;
  const log = ctx.log.child({ profile: loaded.id, batch: start.id, file: start.fileName });
  const paths = batchPaths(ctx.dataDir, start);
  const target = loaded.profile.target;
  const batchSize = target?.batchSize ?? 100;
  let b = start;

  const spoolNeeded = b.state === 'parsed' || b.state === 'delivering' || b.state === 'delivered';
  if (spoolNeeded && !(await spoolExists(paths.spool)) && !(await stagedIsIntact(paths.staged, b.sourceSize))) {
    // taken over from an instance on another machine: its staging area is not here, so the file
    // is fetched again, and only the same content may go on (it makes the same keys)
    const again = await stageFile(ctx, loaded, b, paths.staged, log);
    if (typeof again !== 'string' || again !== b.contentHash) {
      const message = `${b.fileName} is no longer the file this batch started with, so the batch cannot be finished here; the new content is taken as a new version`;
      log.warn(message);
      return store.updateBatch(b.id, { state: 'done', status: 'failed', errorCode: 'E_SIZE_MISMATCH', errorMessage: message });
    }
  }

  if (b.state === 'claimed' || (b.state === 'staged' && !(await stagedIsIntact(paths.staged, b.sourceSize)))) {
    const hash = await stageFile(ctx, loaded, b, paths.staged, log);
    if (typeof hash !== 'string') return store.updateBatch(b.id, hash);
    crashPoint('after-stage');
    const staging = b;
    const claimed = await claimContent(store, staging, hash, (earlier) => {
      if (earlier === undefined) {
        return { patch: { contentHash: hash, state: 'staged' }, notifications: notificationsFor(loaded, 'file.received', { batch: staging.id, file: staging.fileName, size: staging.sourceSize }, staging.id) };
      }
      const { id, fileName } = earlier.batch;
      const errorMessage = earlier.inFlight ? `the same content is being processed as batch ${id} (${fileName})` : `already processed as batch ${id} (${fileName})`;
      return { patch: { contentHash: hash, state: 'reported', status: 'skipped', errorMessage } };
    });
    b = claimed.batch;
    if (claimed.earlier !== undefined) log.info({ earlier: claimed.earlier.batch.id, inFlight: claimed.earlier.inFlight }, 'same content was already processed; skipped');
  }

  const params = await batchRunParams(store, b, loaded);
  const fresh = b.state === 'staged';
  const streamed = streamsDelivery(loaded);
  const spool = (options: SpoolOptions = {}): ReturnType<typeof writeSpool> =>
    writeSpool(paths.spool, { path: paths.staged, name: b.fileName }, loaded.profile.format, loaded.mapping, params.values, { keepOnInputError: streamed, ...options });
  const plan: ChunkPlan = {
    batchId: b.id, profile: loaded.id, fileName: b.fileName, contentHash: b.contentHash ?? '', profileVersion: b.profileVersion,
    batchSize, concurrency: target?.concurrency ?? 1, spoolDir: paths.spool, fresh,
  };
  // a delivered batch whose spool is gone (taken over from another machine) needs it for the result file only
  if (b.state === 'delivered' && !(await spoolExists(paths.spool))) await spool();
  if (b.state === 'staged' && streamed) {
    // committed before the first chunk goes out; the counts follow once the whole file is read
    b = await store.updateBatch(b.id, { state: 'delivering' });
    const outcome = await spoolWhileDelivering(plan, store, ctx.sink(loaded), ctx.signal, spool);
    b = await store.updateBatch(b.id, spoolCounts(outcome.summary, batchSize));
    b = outcome.failure === undefined ? await afterDelivery(store, b, paths.spool, log) : await deliveryFailed(ctx, b, outcome.failure, log);
  }
  if (b.state === 'staged' || ((b.state === 'parsed' || b.state === 'delivering') && !(await spoolExists(paths.spool)))) {
    const summary = await spool();
    const policy = createRejectPolicy(loaded.profile.onError, loaded.profile.maxRejected);
    if (policy.exceeded(summary.rejected, summary.rows)) {
      const message = `${summary.rejected} of ${summary.rows} rows rejected; the limit is ${policy.description}, so the whole file is rejected and nothing was sent`;
      log.warn({ rows: summary.rows, rejected: summary.rejected }, 'file rejected as a whole');
      b = await store.updateBatch(b.id, { state: 'delivered', rowsTotal: summary.rows, rowsRejected: summary.rejected, rowsSkipped: summary.skipped, errorCode: 'E_TOO_MANY_REJECTED', errorMessage: message });
    } else {
      // straight to `delivering`: a separate `parsed` commit would guard no side effect of its own
      b = await store.updateBatch(b.id, { state: 'delivering', ...spoolCounts(summary, batchSize) });
    }
  }

  const report: ReportInput = { spoolDir: paths.spool, batchSize, params };
  let early: Promise<WrittenResult | undefined> | undefined;
  if (b.state === 'parsed' || b.state === 'delivering') {
    // `parsed` is left only by ledgers written before the two commits became one
    if (b.state === 'parsed') b = await store.updateBatch(b.id, { state: 'delivering' });
    // with no more chunks than go out at once, the result file could begin only when they are all back
    const watch = b.chunks > plan.concurrency ? new ChunkWatch() : undefined;
    if (watch !== undefined) early = followDelivery(ctx, loaded, b, report, { watch, fresh }, log);
    try {
      await deliverChunks(watch === undefined ? plan : { ...plan, watch }, store, ctx.sink(loaded), ctx.signal);
      b = await afterDelivery(store, b, paths.spool, log);
    } catch (err) {
      // the result file is not written twice at once: its writer has seen the end by now
      await early;
      b = await deliveryFailed(ctx, b, err, log);
    }
  }

  if (b.state === 'delivered') b = await reportBatch(ctx, loaded, b, early === undefined ? report : { ...report, early });

  if (b.state === 'reported') {
    crashPoint('before-settle');
    await settleFiles(ctx, loaded, b, log);
    b = await store.updateBatch(b.id, { state: 'done' });
    log.info({ status: b.status, rows: b.rowsTotal, delivered: b.rowsDelivered, rejected: b.rowsRejected, failed: b.rowsFailed, skipped: b.rowsSkipped }, 'batch settled');
  }
  return b;
}

/** The counts of a written spool, as the batch records them. */
function spoolCounts(summary: SpoolSummary, batchSize: number): BatchPatch {
  return { rowsTotal: summary.rows, rowsRejected: summary.rejected, rowsSkipped: summary.skipped, chunks: Math.ceil(summary.records / batchSize) };
}

/**
 * Every chunk's outcome is committed, so delivering needs no commit of its own: the result file
 * (temp name, then rename) is written again from them if a crash comes before `reported`. Except
 * when a file error ended a streamed spool early: the batch then records it, and fails with it.
 */
async function afterDelivery(store: StateStore, b: BatchRow, spoolDir: string, log: Logger): Promise<BatchRow> {
  const { error } = await readSpoolSummary(spoolDir);
  if (error === undefined) return { ...b, state: 'delivered' };
  log.warn({ code: error.code, rows: b.rowsTotal }, 'file error after chunks were streamed; the rows read before it are reported and the batch fails');
  return store.updateBatch(b.id, { state: 'delivered', errorCode: error.code, errorMessage: error.message });
}

/** A delivery that stopped on a FerryError settles as failed; anything else stops the batch. */
async function deliveryFailed(ctx: PipelineContext, b: BatchRow, err: unknown, log: Logger): Promise<BatchRow> {
  if (ctx.signal.aborted) throw err;
  if (!(err instanceof FerryError)) throw err;
  log.error({ err }, 'delivery failed');
  return ctx.store.updateBatch(b.id, { state: 'delivered', errorCode: err.code, errorMessage: err.message });
}

/**
 * Moves the source as `source.after` says, the staged copy to the archive (for `ferry reprocess`)
 * and removes the spool: the files' side of settling a batch.
 */
async function settleFiles(ctx: PipelineContext, loaded: LoadedProfile, b: BatchRow, log: Logger): Promise<void> {
  const paths = batchPaths(ctx.dataDir, b);
  await settleSource(loaded, b, sourceFs(ctx, loaded), log);
  await mkdir(join(ctx.dataDir, 'archive'), { recursive: true });
  await rename(paths.staged, paths.archive).catch(() => undefined);
  await removeSpool(paths.spool);
  // an upload's own copy: the archive keeps the staged one
  if (b.sourcePath.startsWith(uploadsDir(ctx.dataDir) + sep)) await rm(b.sourcePath, { force: true });
}

/**
 * Copies the batch's file into the staging area (download for a remote source) and returns its
 * hash, or the batch's end when the file vanished or changed size meanwhile.
 */
async function stageFile(ctx: PipelineContext, loaded: LoadedProfile, b: BatchRow, staged: string, log: Logger): Promise<string | BatchPatch> {
  if (b.sourceKind !== 'remote') return (await stageLocalFile(b.sourcePath, staged, b.sourceSize)).hash;
  const got = await downloadToStaging(sourceFs(ctx, loaded), b.sourcePath, staged, b.sourceSize, { signal: ctx.signal, log });
  if (got.kind === 'staged') return got.hash;
  const message = got.kind === 'vanished' ? `${b.fileName} vanished before it could be downloaded` : `${b.fileName} changed while it was downloaded (now ${got.size} bytes); it is taken again as a new version`;
  log.info(message);
  return { state: 'done', status: 'skipped', errorCode: got.kind === 'vanished' ? 'E_REMOTE_NOT_FOUND' : 'E_SIZE_MISMATCH', errorMessage: message };
}

/** Removes what a batch left in staging when it can never continue (its profile is gone). */
export async function discardStaged(dataDir: string, batch: BatchRow): Promise<void> {
  const paths = batchPaths(dataDir, batch);
  await rm(paths.staged, { force: true });
  await removeSpool(paths.spool);
}
