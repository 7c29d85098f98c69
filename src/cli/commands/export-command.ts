import { recordAudit } from '../../admin/audit-entry.js';
import { toJson } from '../../json/to-json.js';
import { NotificationSender } from '../../daemon/notification-sender.js';
import { runExport } from '../../exports/run-export.js';
import { endpointOf } from '../../notify/endpoint-of.js';
import type { ExportProfile } from '../../profiles/export-schema.js';
import type { RunParams } from '../../profiles/run-params.js';
import type { LoadedProfile } from '../../profiles/types.js';
import type { GlobalOptions } from '../options.js';
import { withInterruptibleRuntime } from '../runtime.js';
import type { CommandIo } from '../types.js';

/** `ferry run <export> [--param since=…]`: one export now; exit 0 delivered, 1 failed. */
export async function exportCommand(options: GlobalOptions, loaded: LoadedProfile, spec: ExportProfile, params: RunParams, flags: { json?: boolean; file?: string }, io: CommandIo): Promise<number> {
  if (flags.file !== undefined) {
    io.err(`profile ${loaded.id} is an export: it reads an API, not a file (leave out --file)`);
    return 2;
  }
  return withInterruptibleRuntime(options, io, async (runtime, signal) => {
    await recordAudit(runtime.store, 'cli', 'run.manual', loaded.id, { params: params.texts });
    const result = await runExport(runtime.context(signal), loaded, spec, params, 'manual');
    await new NotificationSender(runtime.store, (id, url) => (id === loaded.id ? endpointOf(loaded, url) : undefined), runtime.log.child({ component: 'notifications' })).sendDue();
    if (flags.json === true) {
      io.out(toJson({ profile: loaded.id, run: result.runId, status: result.status, file: result.file, records: result.records, rejected: result.rejected, since: result.since, params: params.texts, error: result.error }, '  '));
    } else {
      io.out(result.status === 'completed'
        ? `${loaded.id}: ${result.records} records${result.rejected > 0 ? ` (${result.rejected} left out)` : ''} since ${result.since === '' ? 'the beginning' : result.since} → ${result.file ?? 'no file (nothing to export)'}`
        : `${loaded.id}: export failed: ${result.error ?? ''}`);
    }
    return result.status === 'completed' ? 0 : 1;
  });
}
