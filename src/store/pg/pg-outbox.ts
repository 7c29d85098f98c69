import type { NewNotification, Notification, NotificationOutcome } from '../types.js';
import { NOTIFICATION_HOLD_MS as HOLD_MS } from '../instance-id.js';
import type { Queryable } from './types.js';

interface OutboxDbRow {
  id: string; profile: string; url: string; event: string; body: string; batch_id: string | null; state: Notification['state'];
  attempts: number; next_attempt_at: number; retry_until: number; last_error: string | null; created_at: number; delivered_at: number | null;
}

function toNotification(r: OutboxDbRow): Notification {
  return {
    id: r.id, profile: r.profile, url: r.url, event: r.event, body: r.body, batchId: r.batch_id, state: r.state, attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at, retryUntil: r.retry_until, lastError: r.last_error, createdAt: r.created_at, deliveredAt: r.delivered_at,
  };
}

/**
 * The notification outbox on PostgreSQL, shared by every instance. Rows are inserted in the
 * transaction of the state change they report; `due` hands each one to a single instance.
 */
export class PgOutbox {
  constructor(private readonly db: Queryable) {}

  /** Inserts notifications; run it on the client of the state change's transaction. Known ids are kept. */
  async insert(notifications: readonly NewNotification[], now: number): Promise<void> {
    for (const n of notifications) {
      await this.db.query(`INSERT INTO outbox (id, profile, url, event, body, batch_id, state, attempts, next_attempt_at, retry_until, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN EXISTS (SELECT 1 FROM disabled_endpoints WHERE url = $3) THEN 'disabled' ELSE 'pending' END, 0, $7, $8, $7)
        ON CONFLICT (id) DO NOTHING`, [n.id, n.profile, n.url, n.event, n.body, n.batchId, now, n.retryUntil]);
    }
  }

  /**
   * Claims what is due: the rows are locked (SKIP LOCKED passes over those another instance is
   * claiming) and their next attempt moves HOLD_MS on in the same statement, so once this commits
   * no other instance sees them as due until the sender settles them or the hold runs out.
   */
  async due(now: number, limit: number): Promise<Notification[]> {
    const rows = (await this.db.query<OutboxDbRow & { due_at: number }>(`WITH picked AS (
        SELECT id, next_attempt_at AS due_at FROM outbox WHERE state = 'pending' AND next_attempt_at <= $1
        ORDER BY next_attempt_at, created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
      UPDATE outbox o SET next_attempt_at = $1::bigint + $3 FROM picked WHERE o.id = picked.id RETURNING o.*, picked.due_at`, [now, limit, HOLD_MS])).rows;
    rows.sort((a, b) => a.due_at - b.due_at || a.created_at - b.created_at || (a.id < b.id ? -1 : 1));
    return rows.map(toNotification);
  }

  async nextAt(): Promise<number | undefined> {
    const r = (await this.db.query<{ at: number | null }>("SELECT min(next_attempt_at) AS at FROM outbox WHERE state = 'pending'")).rows[0];
    return r?.at ?? undefined;
  }

  async settle(id: string, o: NotificationOutcome, now: number): Promise<void> {
    if (o.state === 'delivered') {
      await this.db.query("UPDATE outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = $1, last_error = NULL WHERE id = $2", [now, id]);
    } else if (o.state === 'pending') {
      await this.db.query("UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2 WHERE id = $3 AND state = 'pending'", [o.nextAttemptAt, o.lastError, id]);
    } else {
      await this.db.query("UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = $1 WHERE id = $2", [o.lastError, id]);
    }
  }

  /** Run it in a transaction: the endpoint and its pending notifications are disabled together. */
  async disable(url: string, profile: string, reason: string, now: number): Promise<void> {
    await this.db.query('INSERT INTO disabled_endpoints (url, profile, reason, at) VALUES ($1, $2, $3, $4) ON CONFLICT (url) DO UPDATE SET reason = EXCLUDED.reason, at = EXCLUDED.at', [url, profile, reason, now]);
    await this.db.query("UPDATE outbox SET state = 'disabled', last_error = $1 WHERE url = $2 AND state = 'pending'", [reason, url]);
  }

  async disabled(): Promise<{ url: string; profile: string; reason: string; at: number }[]> {
    return (await this.db.query<{ url: string; profile: string; reason: string; at: number }>('SELECT url, profile, reason, at FROM disabled_endpoints ORDER BY at DESC, url')).rows;
  }

  async list(q: { limit: number; state?: Notification['state'] }): Promise<Notification[]> {
    const r = q.state === undefined
      ? await this.db.query<OutboxDbRow>('SELECT * FROM outbox ORDER BY created_at DESC, id DESC LIMIT $1', [q.limit])
      : await this.db.query<OutboxDbRow>('SELECT * FROM outbox WHERE state = $1 ORDER BY created_at DESC, id DESC LIMIT $2', [q.state, q.limit]);
    return r.rows.map(toNotification);
  }

  async counts(): Promise<Record<Notification['state'], number>> {
    const counts: Record<Notification['state'], number> = { pending: 0, delivered: 0, dead: 0, disabled: 0 };
    for (const r of (await this.db.query<{ state: Notification['state']; n: number }>('SELECT state, count(*) AS n FROM outbox GROUP BY state')).rows) counts[r.state] = r.n;
    return counts;
  }

  /** Run it in a transaction: the row is locked while its endpoint is re-enabled and it is put back in line. */
  async replay(id: string, retryUntil: number, now: number): Promise<Notification | undefined> {
    const found = (await this.db.query<OutboxDbRow>('SELECT * FROM outbox WHERE id = $1 FOR UPDATE', [id])).rows[0];
    if (found === undefined) return undefined;
    await this.db.query('DELETE FROM disabled_endpoints WHERE url = $1', [found.url]);
    const r = await this.db.query<OutboxDbRow>("UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $1, retry_until = $2, last_error = NULL WHERE id = $3 RETURNING *", [now, retryUntil, id]);
    const row = r.rows[0];
    return row === undefined ? undefined : toNotification(row);
  }
}
