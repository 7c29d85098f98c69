import { type AuditDbRow, AUDIT_GENESIS, auditDetailText, auditHash, AuditVerifier, toAuditEntry } from '../audit-chain.js';
import type { AuditEntry, AuditVerdict, NewAuditEntry } from '../types.js';
import type { Queryable } from './types.js';

/**
 * The advisory lock every append takes ('FRAU'): with several instances on one ledger, two
 * appends that read the same last row would fork the chain; the lock makes them take turns.
 */
const AUDIT_LOCK = 0x46524155;

/** Rows read per query while verifying, so a long trail never sits in memory whole. */
const VERIFY_PAGE = 1000;

/**
 * The audit trail on PostgreSQL (the table: migration 2 in pg-schema.ts). `append` must run on a
 * transaction's client: the advisory lock is held until that transaction ends.
 */
export class PgAudit {
  constructor(private readonly db: Queryable) {}

  /** Run it in a transaction (the action's own, when there is one). */
  async append(entry: NewAuditEntry): Promise<AuditEntry> {
    await this.db.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
    const last = (await this.db.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1')).rows[0];
    const row = { seq: (last?.seq ?? 0) + 1, at: Date.now(), actor: entry.actor, action: entry.action, subject: entry.subject, detail: auditDetailText(entry.detail), prev_hash: last?.hash ?? AUDIT_GENESIS };
    const full: AuditDbRow = { ...row, hash: auditHash(row.prev_hash, row) };
    await this.db.query('INSERT INTO audit (seq, at, actor, action, subject, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [full.seq, full.at, full.actor, full.action, full.subject, full.detail, full.prev_hash, full.hash]);
    return toAuditEntry(full);
  }

  async list(query: { limit: number; before?: number }): Promise<AuditEntry[]> {
    const rows = (query.before === undefined
      ? await this.db.query<AuditDbRow>('SELECT * FROM audit ORDER BY seq DESC LIMIT $1', [query.limit])
      : await this.db.query<AuditDbRow>('SELECT * FROM audit WHERE seq < $1 ORDER BY seq DESC LIMIT $2', [query.before, query.limit])).rows;
    return rows.map(toAuditEntry);
  }

  async verify(): Promise<AuditVerdict> {
    const verifier = new AuditVerifier();
    let after = 0;
    for (;;) {
      const rows = (await this.db.query<AuditDbRow>('SELECT * FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2', [after, VERIFY_PAGE])).rows;
      for (const row of rows) {
        const broken = verifier.next(row);
        if (broken !== undefined) return broken;
        after = row.seq;
      }
      if (rows.length < VERIFY_PAGE) return verifier.done();
    }
  }
}
