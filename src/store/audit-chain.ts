/**
 * The audit trail's hash chain, shared by both stores: each row's hash covers the previous row's
 * hash and the row's own fields, so editing, deleting or reordering a row breaks the chain at that
 * row. The chain is always on: it costs one sha256 per admin action.
 */
import { createHash } from 'node:crypto';

import type { AuditEntry, AuditVerdict, NewAuditEntry } from './side-types.js';

/** The `prev_hash` of the first row. */
export const AUDIT_GENESIS = '0'.repeat(64);

/** Longest detail kept (JSON characters): the trail records what happened, not payloads. */
const DETAIL_LIMIT = 2000;

/**
 * The hash of a row: sha256 over the previous hash and the row's fields as one JSON array, so that
 * no field can bleed into the next (`a|bc` and `ab|c` differ).
 */
export function auditHash(prevHash: string, row: { seq: number; at: number; actor: string; action: string; subject: string; detail: string }): string {
  return createHash('sha256').update(prevHash).update('\n').update(JSON.stringify([row.seq, row.at, row.actor, row.action, row.subject, row.detail])).digest('hex');
}

/** The detail as stored: canonical JSON (keys sorted), cut to a bounded size. */
export function auditDetailText(detail: NewAuditEntry['detail']): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => [k, sorted(x)]));
    return v;
  };
  const text = JSON.stringify(sorted(detail ?? {}));
  return text.length <= DETAIL_LIMIT ? text : JSON.stringify({ truncated: text.slice(0, DETAIL_LIMIT) });
}

/** A stored row as both stores read it back. */
export interface AuditDbRow {
  seq: number; at: number; actor: string; action: string; subject: string; detail: string; prev_hash: string; hash: string;
}

/** The entry a stored row stands for. */
export function toAuditEntry(r: AuditDbRow): AuditEntry {
  return { seq: r.seq, at: r.at, actor: r.actor, action: r.action, subject: r.subject, detail: JSON.parse(r.detail) as Record<string, unknown>, prevHash: r.prev_hash, hash: r.hash };
}

/**
 * Walks rows in ascending seq and says where the chain first breaks: a seq that is not the next
 * one (a row deleted or inserted), a prev_hash that is not the previous row's hash (a row
 * replaced), or a hash that does not match the row's fields (a row edited).
 */
export class AuditVerifier {
  private expectedSeq = 1;
  private prevHash = AUDIT_GENESIS;
  private checked = 0;

  /** Checks the next row; returns the verdict when it is broken, undefined while all is well. */
  next(r: AuditDbRow): AuditVerdict | undefined {
    if (r.seq !== this.expectedSeq) return { ok: false, seq: r.seq, reason: `seq ${r.seq} follows ${this.expectedSeq - 1}: a row is missing or was inserted`, checked: this.checked };
    if (r.prev_hash !== this.prevHash) return { ok: false, seq: r.seq, reason: 'prev_hash is not the hash of the row before', checked: this.checked };
    if (auditHash(r.prev_hash, r) !== r.hash) return { ok: false, seq: r.seq, reason: 'hash does not match the row (the row was changed)', checked: this.checked };
    this.expectedSeq = r.seq + 1;
    this.prevHash = r.hash;
    this.checked += 1;
    return undefined;
  }

  /** The verdict after the last row. */
  done(): AuditVerdict {
    return { ok: true, checked: this.checked };
  }
}
