import { toJson } from '../../json/to-json.js';
import { continueBatch } from '../../pipeline/process-batch.js';
import { prepareReprocess } from '../../pipeline/reprocess-batch.js';
import { recordAudit } from '../../admin/audit-entry.js';
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
  const runtime = await openRuntimeOrReport(options, io);
  if (runtime === undefined) return 2;
  try {
    if ((await runtime.store.getBatch(batchId)) !== undefined) await recordAudit(runtime.store, 'cli', 'batch.reprocess', batchId, { originalVersion: flags.originalVersion === true });
    const prepared = await prepareReprocess(runtime.store, runtime.dataDir, options.profiles, batchId, flags.originalVersion === true);
    if (!prepared.ok) {
      for (const p of prepared.problems ?? []) io.err(p);
      io.err(prepared.error);
      return 1;
    }
    for (const w of prepared.warnings) io.err(w);
    const { loaded, batch, runId, original } = prepared;
    const done = await continueBatch(runtime.context(new AbortController().signal), batch, loaded);
    await runtime.store.finishRun(runId, done.status);
    io.out(flags.json === true ? toJson({ profile: loaded.id, run: runId, status: done.status, batches: [batchJson(done)] }, '  ') : `batch ${done.id} reprocessed ${original.id}: ${done.status}`);
    return exitCodeOf(done.status);
  } finally {
    await runtime.close();
  }
}
