import { hostname } from 'node:os';

import type Database from 'better-sqlite3';

import type { InstanceInfo, ScheduleState } from './types.js';

/** The table of instances; batches get `owner` and `lease_until` columns (see ADDED_COLUMNS). */
export const LEASE_SCHEMA = `
CREATE TABLE IF NOT EXISTS instances (
  id TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL, started_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL
);
`;

/** Instances not seen for this long are forgotten. */
const FORGET_AFTER_MS = 7 * 24 * 3600_000;

/**
 * Leases, instances and schedule claims on SQLite. One process holds a SQLite store at a time (the
 * instance lock), so any batch another instance id holds belongs to a process that is gone; the
 * leases are still kept, so that `ferry status` reads the same on SQLite and PostgreSQL.
 */
export class SqliteLeases {
  constructor(private readonly db: Database.Database, private readonly stmt: (sql: string) => Database.Statement, readonly instanceId: string, readonly leaseMs: number) {}

  register(): void {
    const now = Date.now();
    this.stmt('DELETE FROM instances WHERE last_seen_at < ?').run(now - FORGET_AFTER_MS);
    this.stmt('INSERT OR REPLACE INTO instances (id, host, pid, started_at, last_seen_at) VALUES (?, ?, ?, ?, ?)').run(this.instanceId, hostname(), process.pid, now, now);
  }

  /** The ids of the batches taken over. */
  takeOver(profile: string | undefined): string[] {
    const until = Date.now() + this.leaseMs;
    const sql = `UPDATE batches SET owner = ?, lease_until = ? WHERE state != 'done' AND (owner IS NULL OR owner != ?)${profile === undefined ? '' : ' AND profile = ?'} RETURNING id`;
    const args = [this.instanceId, until, this.instanceId, ...(profile === undefined ? [] : [profile])];
    return (this.stmt(sql).all(...args) as { id: string }[]).map((r) => r.id);
  }

  renew(): void {
    const now = Date.now();
    this.db.transaction(() => {
      this.stmt("UPDATE batches SET lease_until = ? WHERE owner = ? AND state != 'done'").run(now + this.leaseMs, this.instanceId);
      this.stmt('UPDATE instances SET last_seen_at = ? WHERE id = ?').run(now, this.instanceId);
    }).immediate();
  }

  list(): InstanceInfo[] {
    const now = Date.now();
    const rows = this.stmt('SELECT * FROM instances ORDER BY started_at DESC LIMIT 50').all() as { id: string; host: string; pid: number; started_at: number; last_seen_at: number }[];
    return rows.map((r) => ({
      id: r.id, host: r.host, pid: r.pid, startedAt: r.started_at, lastSeenAt: r.last_seen_at,
      alive: now - r.last_seen_at <= this.leaseMs,
      holds: (this.stmt("SELECT id FROM batches WHERE owner = ? AND state != 'done' ORDER BY created_at").all(r.id) as { id: string }[]).map((b) => b.id),
    }));
  }

  claimScheduleFire(st: Omit<ScheduleState, 'updatedAt'>): boolean {
    return this.db.transaction((): boolean => {
      const row = this.stmt('SELECT last_due FROM schedules WHERE profile = ?').get(st.profile) as { last_due: number } | undefined;
      if (row !== undefined && row.last_due >= st.lastDue) return false;
      this.stmt(`INSERT INTO schedules (profile, expression, time_zone, last_due, next_due, updated_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (profile) DO UPDATE SET expression = excluded.expression, time_zone = excluded.time_zone, last_due = excluded.last_due,
        next_due = excluded.next_due, updated_at = excluded.updated_at`).run(st.profile, st.expression, st.timeZone, st.lastDue, st.nextDue, Date.now());
      return true;
    }).immediate();
  }
}
