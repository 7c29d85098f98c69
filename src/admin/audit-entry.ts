import { maskedConnection } from './masked.js';
import type { NewAuditEntry, StateStore } from '../store/types.js';

/** The admin changes the audit trail records (docs/admin-api.md, "Audit trail"). */
export type AuditAction = 'profile.save' | 'profile.rollback' | 'profile.disk-edit' | 'run.manual' | 'batch.reprocess' | 'notification.replay';

/**
 * An audit row to write: the detail goes through the same masking as API answers (secret keys and
 * URL passwords become `***`), so a caller cannot put a secret into the trail by mistake.
 */
export function auditEntry(actor: string, action: AuditAction, subject: string, detail: Readonly<Record<string, unknown>> = {}): NewAuditEntry {
  return { actor, action, subject, detail: maskedConnection(detail) };
}

/**
 * Appends an audit row before the action it records. Not caught on purpose: when the trail
 * cannot be written, the action does not happen (the caller answers 500 or exits non-zero).
 */
export async function recordAudit(store: StateStore, actor: string, action: AuditAction, subject: string, detail?: Readonly<Record<string, unknown>>): Promise<void> {
  await store.appendAudit(auditEntry(actor, action, subject, detail));
}
