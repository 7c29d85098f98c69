import { randomUUID } from 'node:crypto';

import { maskedUrl } from '../admin/masked.js';
import { ERROR_CODES } from '../errors.js';
import { durationMs } from '../profiles/schema-helpers.js';
import type { LoadedProfile } from '../profiles/types.js';
import type { BatchRow, NewNotification } from '../store/types.js';

/** Failing notifications are retried this long unless `notify[].retryFor` says otherwise. */
export const DEFAULT_RETRY_FOR_MS = 24 * 3600 * 1000;

/** The events of a batch's life that customer servers can be told about. */
export type BatchEvent = 'file.received' | 'batch.completed' | 'batch.partial' | 'batch.failed' | 'file.rejected';

/**
 * The notifications of one event for every `notify` entry of the profile that wants it, each with
 * its own `webhook-id`. Written to the outbox with the state change they report.
 */
export function notificationsFor(loaded: LoadedProfile, event: string, payload: Record<string, unknown>, batchId: string | null, now: Date = new Date()): NewNotification[] {
  const body = JSON.stringify({ type: event, profile: loaded.id, ...payload, at: now.toISOString().replace(/\.\d{3}Z$/, 'Z') });
  return (loaded.profile.notify ?? [])
    .filter((n) => n.on === undefined || (n.on as readonly string[]).includes(event))
    .map((n) => ({
      id: `msg_${randomUUID().replace(/-/g, '')}`,
      // the outbox (ledger, API, logs) never holds a password inside the URL; the sender looks it up
      profile: loaded.id, url: maskedUrl(n.url), event, body, batchId,
      retryUntil: now.getTime() + (n.retryFor === undefined ? DEFAULT_RETRY_FOR_MS : durationMs(n.retryFor)),
    }));
}

/** The event a settled batch reports: by its status, a whole-file rejection apart. */
export function batchEvent(b: BatchRow): BatchEvent | undefined {
  if (b.status === 'completed') return 'batch.completed';
  if (b.status === 'partial') return 'batch.partial';
  if (b.status !== 'failed') return undefined;
  // the file itself was refused (unreadable, too many bad rows); anything else is a failed delivery
  const kind: string | undefined = b.errorCode === null ? undefined : (ERROR_CODES as Readonly<Record<string, string>>)[b.errorCode];
  return kind === 'input' && !/^E_(TARGET|REMOTE)_/.test(b.errorCode ?? '') ? 'file.rejected' : 'batch.failed';
}

/** The body fields of a batch event (per the notifications contract). */
export function batchPayload(b: BatchRow): Record<string, unknown> {
  return {
    batch: b.id, file: b.fileName,
    rows: { total: b.rowsTotal, delivered: b.rowsDelivered, rejected: b.rowsRejected, failed: b.rowsFailed, skipped: b.rowsSkipped },
    resultFile: b.resultFile,
    ...(b.errorCode === null ? {} : { error: { code: b.errorCode, message: b.errorMessage } }),
  };
}
