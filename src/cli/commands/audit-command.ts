import { auditView, verdictView } from '../../admin/api-audit-routes.js';
import { FerryError } from '../../errors.js';
import { toJson } from '../../json/to-json.js';
import type { AuditEntry } from '../../store/types.js';
import type { GlobalOptions } from '../options.js';
import { openSharedStore } from '../runtime.js';
import type { CommandIo } from '../types.js';

function describe(e: AuditEntry): string {
  const detail = Object.keys(e.detail).length === 0 ? '' : `  ${JSON.stringify(e.detail)}`;
  return `#${e.seq}  ${new Date(e.at).toISOString()}  ${e.actor}  ${e.action}  ${e.subject}${detail}`;
}

/**
 * `ferry audit [--json] [--limit n] [--verify]`: the audit trail, newest first; with `--verify`,
 * the walk of its hash chain: exit 0 when intact, 1 naming the first broken row. Reads the store
 * read-only, so it runs beside the daemon.
 */
export async function auditCommand(options: GlobalOptions, flags: { json?: boolean; verify?: boolean; limit?: string }, io: CommandIo): Promise<number> {
  const store = await openSharedStore(options, true).catch((err: unknown) => {
    if (!(err instanceof FerryError)) throw err;
    io.err(`${err.code}: ${err.message}`);
    return null;
  });
  if (store === null) return 2;
  if (store === undefined) {
    io.out(flags.json === true ? toJson(flags.verify === true ? { ok: true, checked: 0 } : { entries: [] }, '  ') : 'no state store yet: nothing recorded');
    return 0;
  }
  try {
    if (flags.verify === true) {
      const verdict = await store.verifyAudit();
      if (flags.json === true) io.out(toJson(verdictView(verdict), '  '));
      else if (verdict.ok) io.out(`audit trail intact: ${verdict.checked} row(s) checked`);
      else io.err(`E_AUDIT_BROKEN: the audit trail breaks at row ${verdict.seq}: ${verdict.reason} (${verdict.checked} row(s) before it are intact)`);
      return verdict.ok ? 0 : 1;
    }
    const limit = Number(flags.limit ?? 50);
    if (!Number.isInteger(limit) || limit < 1) {
      io.err('--limit must be a positive whole number');
      return 2;
    }
    const entries = await store.listAudit({ limit });
    if (flags.json === true) io.out(toJson({ entries: entries.map(auditView) }, '  '));
    else if (entries.length === 0) io.out('no audit rows');
    else for (const e of entries) io.out(describe(e));
    return 0;
  } finally {
    await store.close();
  }
}
