import { existsSync } from 'node:fs';

import { toJson } from '../../json/to-json.js';
import { batchPaths, continueBatch } from '../../pipeline/process-batch.js';
import { formatProblem, loadProfileSet, loadProfileText } from '../../profiles/load.js';
import type { LoadedProfile } from '../../profiles/types.js';
import { newId } from '../../util/ids.js';
import type { GlobalOptions } from '../options.js';
import { openRuntimeOrReport } from '../runtime.js';
import type { CommandIo } from '../types.js';
import { batchJson, exitCodeOf } from './run-command.js';

/**
 * `ferry reprocess <batch>`: sends a settled batch's file again on purpose, from the copy kept in
 * the archive, with the profile as it is now, or with `--original-version` the profile text the
 * batch first ran with (kept in the state store). With the same profile version every request
 * carries the same idempotency key as the first time.
 */
export async function reprocessCommand(options: GlobalOptions, batchId: string, flags: { json?: boolean; originalVersion?: boolean }, io: CommandIo): Promise<number> {
  const runtime = openRuntimeOrReport(options, io);
  if (runtime === undefined) return 2;
  try {
    const original = await runtime.store.getBatch(batchId);
    if (original === undefined) {
      io.err(`no batch ${batchId}`);
      return 1;
    }
    if (original.state !== 'done') {
      io.err(`batch ${batchId} has not settled yet (${original.state}); it resumes by itself`);
      return 1;
    }
    const archived = batchPaths(runtime.dataDir, original).archive;
    if (!existsSync(archived)) {
      io.err(`the file of batch ${batchId} is no longer in the archive (${archived})`);
      return 1;
    }
    let loaded: LoadedProfile | undefined;
    if (flags.originalVersion === true) {
      const text = await runtime.store.profileContent(original.profile, original.profileVersion);
      if (text === undefined) {
        io.err(`the text of profile ${original.profile} v${original.profileVersionNumber ?? '?'} was not kept (batch ${batchId} ran before ferry kept profile texts); reprocess without --original-version to use the current profile`);
        return 1;
      }
      const one = await loadProfileText(options.profiles, original.profile, text);
      for (const p of one.problems) io.err(formatProblem(p));
      loaded = one.profile;
    } else {
      const set = await loadProfileSet(options.profiles, { only: original.profile });
      for (const p of set.problems) io.err(formatProblem(p));
      loaded = set.profiles.get(original.profile);
    }
    if (loaded === undefined) return 1;
    const runId = newId('r');
    // the same parameters as the first time: they shaped the records and so the idempotency keys
    const originalRun = await runtime.store.getRun(original.runId);
    await runtime.store.createRun({ id: runId, profile: loaded.id, trigger: `reprocess ${batchId}`, params: originalRun?.params ?? {} });
    await runtime.store.profileVersion(loaded.id, loaded.contentHash, loaded.text);
    const batch = await runtime.store.createBatch({
      id: newId('b'), runId, profile: loaded.id, profileVersion: loaded.contentHash, fileName: original.fileName,
      sourcePath: archived, sourceSize: original.sourceSize, sourceMtimeMs: original.sourceMtimeMs, reprocessOf: original.id,
    });
    const done = await continueBatch(runtime.context(new AbortController().signal), batch, loaded);
    await runtime.store.finishRun(runId, done.status);
    io.out(flags.json === true ? toJson({ profile: loaded.id, run: runId, status: done.status, batches: [batchJson(done)] }, '  ') : `batch ${done.id} reprocessed ${original.id}: ${done.status}`);
    return exitCodeOf(done.status);
  } finally {
    await runtime.close();
  }
}
