import type Database from 'better-sqlite3';

import { type AuditDbRow, AUDIT_GENESIS, auditDetailText, auditHash, AuditVerifier, toAuditEntry } from './audit-chain.js';
import type { AuditEntry, AuditVerdict, NewAuditEntry } from './types.js';

/**
 * The append-only audit trail. The triggers refuse UPDATE and DELETE through ferry (and through
 * anyone who does not drop them first); the hash chain is what catches someone who does.
 */
export const AUDIT_SCHEMA = `
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL,
  detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
`;

/**
 * The audit trail on SQLite. One process writes the file (the instance lock), and an append runs
 * in an immediate transaction, so the chain stays linear. Synchronous underneath; SqliteStore
 * wraps each call.
 */
export class SqliteAudit {
  constructor(private readonly db: Database.Database, private readonly stmt: (sql: string) => Database.Statement) {}

  /** Appends a row. Inside a caller's transaction it joins it (the action and its row commit together). */
  append(entry: NewAuditEntry): AuditEntry {
    return this.db.transaction((): AuditEntry => {
      const last = this.stmt('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
      const row = { seq: (last?.seq ?? 0) + 1, at: Date.now(), actor: entry.actor, action: entry.action, subject: entry.subject, detail: auditDetailText(entry.detail), prev_hash: last?.hash ?? AUDIT_GENESIS };
      const full: AuditDbRow = { ...row, hash: auditHash(row.prev_hash, row) };
      this.stmt('INSERT INTO audit (seq, at, actor, action, subject, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(full.seq, full.at, full.actor, full.action, full.subject, full.detail, full.prev_hash, full.hash);
      return toAuditEntry(full);
    }).immediate();
  }

  /** A ledger of an older release opened read-only has no audit table yet: it reads as empty. */
  private present(): boolean {
    return this.stmt("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit'").get() !== undefined;
  }

  /** Newest first; `before` keeps rows with a smaller seq (paging). */
  list(query: { limit: number; before?: number }): AuditEntry[] {
    if (!this.present()) return [];
    const rows = (query.before === undefined
      ? this.stmt('SELECT * FROM audit ORDER BY seq DESC LIMIT ?').all(query.limit)
      : this.stmt('SELECT * FROM audit WHERE seq < ? ORDER BY seq DESC LIMIT ?').all(query.before, query.limit)) as AuditDbRow[];
    return rows.map(toAuditEntry);
  }

  verify(): AuditVerdict {
    const verifier = new AuditVerifier();
    if (!this.present()) return verifier.done();
    for (const row of this.stmt('SELECT * FROM audit ORDER BY seq').iterate() as IterableIterator<AuditDbRow>) {
      const broken = verifier.next(row);
      if (broken !== undefined) return broken;
    }
    return verifier.done();
  }
}
