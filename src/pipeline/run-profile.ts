import { existsSync } from 'node:fs';
import { resolve, sep } from 'node:path';

import { FerryError } from '../errors.js';
import type { LoadedProfile } from '../profiles/types.js';
import type { ListedFile } from '../sources/folder-source.js';
import type { BatchRow, BatchStatus } from '../store/types.js';
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
export async function runProfile(ctx: PipelineContext, loaded: LoadedProfile, files: readonly RunFile[], trigger: string): Promise<RunResult> {
  const runId = newId('r');
  await ctx.store.createRun({ id: runId, profile: loaded.id, trigger });
  await ctx.store.profileVersion(loaded.id, loaded.contentHash);
  const batches: BatchRow[] = [];
  for (const f of files) {
    if (ctx.signal.aborted) break;
    const remote = f.explicit !== true && loaded.profile.source !== undefined && loaded.profile.source.type !== 'local' && loaded.profile.source.type !== 'http';
    const sourcePath = remote ? f.path : resolve(f.path);
    const sourceDir = loaded.profile.source?.dir === undefined ? undefined : resolve(loaded.profile.source.dir);
    const inSource = !remote && sourceDir !== undefined && sourcePath.startsWith(sourceDir + sep);
    const claim = {
      id: newId('b'), runId, profile: loaded.id, profileVersion: loaded.contentHash, fileName: f.name,
      sourceKind: remote ? ('remote' as const) : ('local' as const), sourcePath, sourceSize: f.size, sourceMtimeMs: f.mtimeMs,
    };
    const batch = f.explicit === true && !inSource ? await ctx.store.createBatch({ ...claim, reprocessOf: null }) : await ctx.store.claimFile(claim);
    if (batch === undefined) continue;
    crashPoint('after-claim');
    try {
      batches.push(await continueBatch(ctx, batch, loaded));
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      const e = err instanceof FerryError ? err : undefined;
      ctx.log.error({ err, batch: batch.id, file: f.name }, 'batch stopped; it resumes at the next start');
      const stopped = await ctx.store.updateBatch(batch.id, {
        errorCode: e?.code ?? 'E_INTERNAL',
        errorMessage: err instanceof Error ? err.message : String(err),
        ...(e?.kind === 'input' ? { state: 'done', status: 'failed' } : {}),
      });
      batches.push(stopped);
    }
  }
  const status = combineStatus(batches.map((b) => b.status));
  await ctx.store.finishRun(runId, status);
  return { runId, status, batches };
}

/** Resumes every unfinished batch whose profile is loaded; returns the batches it finished. */
export async function resumeUnfinished(ctx: PipelineContext, profiles: ReadonlyMap<string, LoadedProfile>): Promise<BatchRow[]> {
  const finished: BatchRow[] = [];
  for (const batch of await ctx.store.listUnfinished()) {
    if (ctx.signal.aborted) break;
    const loaded = profiles.get(batch.profile);
    if (loaded === undefined) continue;
    if (batch.state === 'claimed' && batch.sourceKind === 'local' && !existsSync(batch.sourcePath)) {
      finished.push(await ctx.store.updateBatch(batch.id, { state: 'done', status: 'failed', errorCode: 'E_FILE_NOT_FOUND', errorMessage: `${batch.fileName} vanished before it was copied` }));
      continue;
    }
    ctx.log.info({ batch: batch.id, state: batch.state, profile: batch.profile }, 'resuming batch');
    try {
      finished.push(await continueBatch(ctx, batch, loaded));
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      ctx.log.error({ err, batch: batch.id }, 'resumed batch stopped again');
    }
  }
  return finished;
}
