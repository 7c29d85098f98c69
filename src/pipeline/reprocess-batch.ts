import { existsSync } from 'node:fs';

import { formatProblem, loadProfileSet, loadProfileText } from '../profiles/load.js';
import type { LoadedProfile } from '../profiles/types.js';
import type { BatchRow, StateStore } from '../store/types.js';
import { newId } from '../util/ids.js';
import { batchPaths } from './process-batch.js';

/** A reprocess ready to run, or why it cannot. */
export type PreparedReprocess =
  | { readonly ok: true; readonly loaded: LoadedProfile; readonly batch: BatchRow; readonly runId: string; readonly original: BatchRow; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly status: 404 | 409 | 410 | 422; readonly error: string; readonly problems?: readonly string[] };

/**
 * Prepares sending a settled batch's file again: checks the batch has settled and its file is
 * still in the archive, loads the profile as it is now (or, with `originalVersion`, the text the
 * batch first ran with), and records a new run (with the first run's parameters: they shaped the
 * records, and so the idempotency keys) and a new batch that names the one it reprocesses.
 */
export async function prepareReprocess(store: StateStore, dataDir: string, profilesDir: string, batchId: string, originalVersion: boolean, trigger = `reprocess ${batchId}`): Promise<PreparedReprocess> {
  const original = await store.getBatch(batchId);
  if (original === undefined) return { ok: false, status: 404, error: `no batch ${batchId}` };
  if (original.state !== 'done') return { ok: false, status: 409, error: `batch ${batchId} has not settled yet (${original.state}); it resumes by itself` };
  const archived = batchPaths(dataDir, original).archive;
  if (!existsSync(archived)) return { ok: false, status: 410, error: `the file of batch ${batchId} is no longer in the archive (${archived})` };
  let loaded: LoadedProfile | undefined;
  let problems: string[];
  if (originalVersion) {
    const text = await store.profileContent(original.profile, original.profileVersion);
    if (text === undefined) {
      return { ok: false, status: 410, error: `the text of profile ${original.profile} v${original.profileVersionNumber ?? '?'} was not kept (batch ${batchId} ran before ferry kept profile texts); reprocess without the original version to use the current profile` };
    }
    const one = await loadProfileText(profilesDir, original.profile, text);
    problems = one.problems.map(formatProblem);
    loaded = one.profile;
  } else {
    const set = await loadProfileSet(profilesDir, { only: original.profile });
    problems = set.problems.map(formatProblem);
    loaded = set.profiles.get(original.profile);
  }
  if (loaded === undefined) return { ok: false, status: 422, error: `profile ${original.profile} cannot be loaded`, problems };
  const runId = newId('r');
  const originalRun = await store.getRun(original.runId);
  await store.createRun({ id: runId, profile: loaded.id, trigger, params: originalRun?.params ?? {} });
  await store.profileVersion(loaded.id, loaded.contentHash, loaded.text);
  const batch = await store.createBatch({
    id: newId('b'), runId, profile: loaded.id, profileVersion: loaded.contentHash, fileName: original.fileName,
    sourcePath: archived, sourceSize: original.sourceSize, sourceMtimeMs: original.sourceMtimeMs, reprocessOf: original.id,
  });
  return { ok: true, loaded, batch, runId, original, warnings: problems };
}
