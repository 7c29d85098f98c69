import type Database from 'better-sqlite3';

import { NOTIFICATION_HOLD_MS } from './instance-id.js';
import type { NewNotification, Notification, NotificationOutcome } from './types.js';

/** The outbox's tables; part of the ledger's schema. */
export const OUTBOX_SCHEMA = `
CREATE TABLE IF NOT EXISTS outbox (
  id TEXT PRIMARY KEY, profile TEXT NOT NULL, url TEXT NOT NULL, event TEXT NOT NULL, body TEXT NOT NULL,
  batch_id TEXT, state TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL,
  retry_until INTEGER NOT NULL, last_error TEXT, created_at INTEGER NOT NULL, delivered_at INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt_at);
CREATE TABLE IF NOT EXISTS disabled_endpoints (
  url TEXT PRIMARY KEY, profile TEXT NOT NULL, reason TEXT NOT NULL, at INTEGER NOT NULL
);
`;

interface OutboxRow {
  id: string; profile: string; url: string; event: string; body: string; batch_id: string | null; state: Notification['state'];
  attempts: number; next_attempt_at: number; retry_until: number; last_error: string | null; created_at: number; delivered_at: number | null;
}

function toNotification(r: OutboxRow): Notification {
  return {
    id: r.id, profile: r.profile, url: r.url, event: r.event, body: r.body, batchId: r.batch_id, state: r.state, attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at, retryUntil: r.retry_until, lastError: r.last_error, createdAt: r.created_at, deliveredAt: r.delivered_at,
  };
}

/**
 * The notification outbox on SQLite. Rows are inserted by the caller's transaction (the state
 * change they report), so a crash neither loses nor invents one; a sender works them off.
 */
export class SqliteOutbox {
  constructor(private readonly db: Database.Database, private readonly stmt: (sql: string) => Database.Statement) {}

  /** Inserts notifications; call inside the transaction of the state change. Known ids are kept. */
  insert(notifications: readonly NewNotification[], now: number): void {
    const st = this.stmt(`INSERT OR IGNORE INTO outbox (id, profile, url, event, body, batch_id, state, attempts, next_attempt_at, retry_until, created_at)
      VALUES (?, ?, ?, ?, ?, ?, CASE WHEN EXISTS (SELECT 1 FROM disabled_endpoints WHERE url = ?) THEN 'disabled' ELSE 'pending' END, 0, ?, ?, ?)`);
    for (const n of notifications) st.run(n.id, n.profile, n.url, n.event, n.body, n.batchId, n.url, now, n.retryUntil, now);
  }

  /** Due notifications, held for a minute (their next attempt moves on) as the interface promises. */
  due(now: number, limit: number): Notification[] {
    return this.db.transaction((): Notification[] => {
      const rows = this.stmt("SELECT * FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, created_at LIMIT ?").all(now, limit) as OutboxRow[];
      const hold = this.stmt('UPDATE outbox SET next_attempt_at = ? WHERE id = ?');
      for (const r of rows) hold.run(now + NOTIFICATION_HOLD_MS, r.id);
      return rows.map((r) => toNotification({ ...r, next_attempt_at: now + NOTIFICATION_HOLD_MS }));
    }).immediate();
  }

  /**
   * Puts the first attempts that a sender took out and never settled back in line, for a process
   * that holds the store alone (SQLite: at its exclusive open), so every hold is a dead sender's.
   * A first attempt is due from its insert (or replay) on, so a later next attempt can only be a
   * hold. A retry that was held keeps its hold: it cannot be told from the retry's back-off.
   */
  releaseHolds(now: number): number {
    return this.stmt("UPDATE outbox SET next_attempt_at = ? WHERE state = 'pending' AND attempts = 0 AND next_attempt_at > ?").run(now, now).changes;
  }

  nextAt(): number | undefined {
    const r = this.stmt("SELECT MIN(next_attempt_at) AS at FROM outbox WHERE state = 'pending'").get() as { at: number | null };
    return r.at ?? undefined;
  }

  settle(id: string, o: NotificationOutcome, now: number): void {
    if (o.state === 'delivered') {
      this.stmt("UPDATE outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = ?, last_error = NULL WHERE id = ?").run(now, id);
    } else if (o.state === 'pending') {
      this.stmt("UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ? AND state = 'pending'").run(o.nextAttemptAt, o.lastError, id);
    } else {
      this.stmt("UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = ? WHERE id = ?").run(o.lastError, id);
    }
  }

  disable(url: string, profile: string, reason: string, now: number): void {
    this.db.transaction(() => {
      this.stmt('INSERT INTO disabled_endpoints (url, profile, reason, at) VALUES (?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET reason = excluded.reason, at = excluded.at').run(url, profile, reason, now);
      this.stmt("UPDATE outbox SET state = 'disabled', last_error = ? WHERE url = ? AND state = 'pending'").run(reason, url);
    })();
  }

  disabled(): { url: string; profile: string; reason: string; at: number }[] {
    return this.stmt('SELECT url, profile, reason, at FROM disabled_endpoints ORDER BY at DESC').all() as { url: string; profile: string; reason: string; at: number }[];
  }

  list(q: { limit: number; state?: Notification['state'] }): Notification[] {
    const rows = q.state === undefined
      ? this.stmt('SELECT * FROM outbox ORDER BY created_at DESC LIMIT ?').all(q.limit)
      : this.stmt('SELECT * FROM outbox WHERE state = ? ORDER BY created_at DESC LIMIT ?').all(q.state, q.limit);
    return (rows as OutboxRow[]).map(toNotification);
  }

  counts(): Record<Notification['state'], number> {
    const counts: Record<Notification['state'], number> = { pending: 0, delivered: 0, dead: 0, disabled: 0 };
    for (const r of this.stmt('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state').all() as { state: Notification['state']; n: number }[]) counts[r.state] = r.n;
    return counts;
  }

  replay(id: string, retryUntil: number, now: number): Notification | undefined {
    return this.db.transaction(() => {
      const r = this.stmt('SELECT * FROM outbox WHERE id = ?').get(id) as OutboxRow | undefined;
      if (r === undefined) return undefined;
      this.stmt('DELETE FROM disabled_endpoints WHERE url = ?').run(r.url);
      this.stmt("UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, retry_until = ?, last_error = NULL WHERE id = ?").run(now, retryUntil, id);
      return toNotification({ ...r, state: 'pending', attempts: 0, next_attempt_at: now, retry_until: retryUntil, last_error: null });
    })();
  }
}
