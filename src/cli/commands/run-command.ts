import { existsSync, statSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { basename, resolve } from 'node:path';

import { recordAudit } from '../../admin/audit-entry.js';
import { NotificationSender } from '../../daemon/notification-sender.js';
import { FerryError } from '../../errors.js';
import { exportCommand } from './export-command.js';
import { endpointOf } from '../../notify/endpoint-of.js';
import { toJson } from '../../json/to-json.js';
import { combineStatus, resumeUnfinished, runProfile, type RunFile, type RunResult } from '../../pipeline/run-profile.js';
import { formatProblem, loadProfileSet } from '../../profiles/load.js';
import { parseParamArgs, resolveParams } from '../../profiles/run-params.js';
import { durationMs } from '../../profiles/schema-helpers.js';
import { FolderSource } from '../../sources/folder-source.js';
import { sourceFs } from '../../pipeline/process-batch.js';
import type { BatchRow, BatchStatus } from '../../store/types.js';
import type { GlobalOptions } from '../options.js';
import { withInterruptibleRuntime } from '../runtime.js';
import type { CommandIo } from '../types.js';

/** Exit code of a run (cli-and-api.md): 0 completed, 3 partial, 1 failed. */
export function exitCodeOf(status: BatchStatus): number {
  if (status === 'failed') return 1;
  if (status === 'partial') return 3;
  return 0;
}

/** The JSON of one batch, as `ferry run --json` and the API print it. */
export function batchJson(b: BatchRow): Record<string, unknown> {
  return {
    id: b.id,
    file: b.fileName,
    status: b.status,
    profileVersion: b.profileVersionNumber,
    rows: { total: b.rowsTotal, delivered: b.rowsDelivered, rejected: b.rowsRejected, failed: b.rowsFailed, skipped: b.rowsSkipped },
    resultFile: b.resultFile,
    error: b.errorMessage === null ? null : b.errorCode === null ? b.errorMessage : `${b.errorCode}: ${b.errorMessage}`,
  };
}

function describe(r: RunResult, profile: string): string {
  const lines = [`run ${r.runId} of ${profile}: ${r.status}${r.batches.length === 0 ? ' (no new files)' : ''}`];
  for (const b of r.batches) {
    lines.push(`  ${b.id} ${b.fileName}: ${b.status}, ${b.rowsTotal} rows: ${b.rowsDelivered} delivered, ${b.rowsRejected} rejected, ${b.rowsFailed} failed${b.rowsSkipped > 0 ? `, ${b.rowsSkipped} skipped` : ''}${b.resultFile === null ? '' : `; result ${b.resultFile}`}${b.errorMessage === null ? '' : `; ${b.errorMessage}`}`);
  }
  return lines.join('\n');
}

/**
 * The files of a source that are complete, for a one-shot run: lists again (every half second)
 * while some files are still settling, as long as the profile's stability rules could need.
 */
async function listForRun(source: FolderSource, minAge: string | number | undefined): Promise<RunFile[]> {
  const waitMs = Math.min((minAge === undefined ? 1000 : durationMs(minAge)) + 1500, 60_000);
  const deadline = Date.now() + waitMs;
  let result = await source.listStable();
  while (result.waiting > 0 && Date.now() < deadline) {
    await delay(500);
    result = await source.listStable();
  }
  return result.ready;
}

/** `ferry run <profile> [--file PATH] [--param k=v]… [--json]`: one run in the foreground. */
export async function runCommand(options: GlobalOptions, profileId: string, flags: { file?: string; json?: boolean; param?: string[] }, io: CommandIo): Promise<number> {
  const set = await loadProfileSet(options.profiles, { only: profileId });
  for (const p of set.problems) io.err(formatProblem(p));
  const loaded = set.profiles.get(profileId);
  if (loaded === undefined) {
    if (set.problems.length === 0) io.err(`no profile "${profileId}" in ${options.profiles}`);
    return 2;
  }
  const parsedArgs = parseParamArgs(flags.param ?? []);
  const resolved = parsedArgs.ok ? resolveParams(loaded.profile.params, parsedArgs.given) : parsedArgs;
  if (!resolved.ok) {
    for (const p of resolved.problems) io.err(`${profileId}: ${p}`);
    return 2;
  }
  if (loaded.export !== undefined) return exportCommand(options, loaded, loaded.export, resolved.params, flags, io);
  let explicit: RunFile | undefined;
  if (flags.file !== undefined) {
    if (!existsSync(flags.file)) {
      io.err(`${flags.file}: no such file`);
      return 2;
    }
    const s = statSync(flags.file);
    explicit = { path: resolve(flags.file), name: basename(flags.file), size: s.size, mtimeMs: Math.trunc(s.mtimeMs), explicit: true };
  } else if (loaded.profile.source === undefined || loaded.profile.source.type === 'http' || loaded.profile.source.type === 'amqp') {
    io.err(`profile ${profileId} has no folder source to read${loaded.profile.source?.type === 'amqp' ? ' (its files arrive as queue messages, which the daemon takes)' : ''}; name a file with --file`);
    return 2;
  }

  return withInterruptibleRuntime(options, io, async (runtime, signal) => {
    const ctx = runtime.context(signal);
    // before anything runs: a manual run that cannot be recorded does not start
    await recordAudit(runtime.store, 'cli', 'run.manual', profileId, { params: resolved.params.texts, ...(flags.file === undefined ? {} : { file: basename(flags.file) }) });
    const resumed = await resumeUnfinished(ctx, new Map([[profileId, loaded]]));
    let files: RunFile[];
    try {
      files = explicit !== undefined ? [explicit] : await listForRun(new FolderSource(loaded.profile.source ?? { type: 'local' }, sourceFs(ctx, loaded), runtime.log), loaded.profile.source?.stable?.minAge);
    } catch (err) {
      if (!(err instanceof FerryError)) throw err;
      io.err(`${profileId}: the source could not be listed: ${err.code}: ${err.message}`);
      return 1;
    }
    const result = await runProfile(ctx, loaded, files, flags.file === undefined ? 'manual' : 'manual-file', resolved.params);
    // notifications of this run go out now; what fails waits in the outbox for the daemon
    await new NotificationSender(runtime.store, (id, url) => (id === loaded.id ? endpointOf(loaded, url) : undefined), runtime.log.child({ component: 'notifications' })).sendDue();
    const batches = [...resumed, ...result.batches];
    const all: RunResult = { runId: result.runId, status: combineStatus(batches.map((b) => b.status)), batches };
    io.out(flags.json === true ? toJson({ profile: profileId, run: result.runId, status: all.status, params: resolved.params.texts, batches: all.batches.map(batchJson) }, '  ') : describe(all, profileId));
    return exitCodeOf(all.status);
  });
}
