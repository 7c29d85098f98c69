import type Database from 'better-sqlite3';

import { type ScheduleDbRow, toSchedule } from './sqlite-rows.js';
import type { Alert, ArrivalState, LedgerCounts, ProfileProblems, ScheduleState, SourceHealth } from './types.js';

/**
 * What the store keeps beside runs, batches and chunks: profile versions, source health,
 * schedules, profile problems after a reload, expected arrivals, alerts, export watermarks and the
 * counters of /metrics. Synchronous underneath, like the rest of the SQLite store; SqliteStore
 * wraps each call.
 */
export class SqliteSideTables {
  constructor(private readonly db: Database.Database, private readonly stmt: (sql: string) => Database.Statement) {}

  profileVersion(profile: string, contentHash: string, content: string): number {
    const assign = this.db.transaction((): number => {
      const known = this.stmt('SELECT version, content FROM profile_versions WHERE profile = ? AND content_hash = ?').get(profile, contentHash) as { version: number; content: string | null } | undefined;
      if (known !== undefined) {
        // versions recorded before texts were kept get theirs now
        if (known.content === null) this.stmt('UPDATE profile_versions SET content = ? WHERE profile = ? AND content_hash = ?').run(content, profile, contentHash);
        return known.version;
      }
      const last = this.stmt('SELECT MAX(version) AS v FROM profile_versions WHERE profile = ?').get(profile) as { v: number | null };
      const version = (last.v ?? 0) + 1;
      this.stmt('INSERT INTO profile_versions (profile, content_hash, version, first_seen, content) VALUES (?, ?, ?, ?, ?)').run(profile, contentHash, version, Date.now(), content);
      return version;
    });
    return assign.immediate();
  }

  profileContent(profile: string, contentHash: string): string | undefined {
    const row = this.stmt('SELECT content FROM profile_versions WHERE profile = ? AND content_hash = ?').get(profile, contentHash) as { content: string | null } | undefined;
    return row?.content ?? undefined;
  }

  recordSourceHealth(h: SourceHealth): void {
    this.stmt(`INSERT INTO source_health (profile, connection, state, last_poll_at, last_ok_at, last_error, last_error_at, waiting, pid)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (profile) DO UPDATE SET connection = excluded.connection, state = excluded.state,
      last_poll_at = excluded.last_poll_at, last_ok_at = excluded.last_ok_at, last_error = excluded.last_error,
      last_error_at = excluded.last_error_at, waiting = excluded.waiting, pid = excluded.pid`)
      .run(h.profile, h.connection, h.state, h.lastPollAt, h.lastOkAt, h.lastError, h.lastErrorAt, h.waiting, h.pid);
  }

  listSourceHealth(): SourceHealth[] {
    const rows = this.stmt('SELECT * FROM source_health ORDER BY profile').all() as {
      profile: string; connection: string; state: 'ok' | 'down'; last_poll_at: number; last_ok_at: number | null;
      last_error: string | null; last_error_at: number | null; waiting: number; pid: number;
    }[];
    return rows.map((r) => ({ profile: r.profile, connection: r.connection, state: r.state, lastPollAt: r.last_poll_at, lastOkAt: r.last_ok_at, lastError: r.last_error, lastErrorAt: r.last_error_at, waiting: r.waiting, pid: r.pid }));
  }

  saveSchedule(st: Omit<ScheduleState, 'updatedAt'>): void {
    this.stmt(`INSERT INTO schedules (profile, expression, time_zone, last_due, next_due, updated_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (profile) DO UPDATE SET expression = excluded.expression, time_zone = excluded.time_zone, last_due = excluded.last_due,
      next_due = excluded.next_due, updated_at = excluded.updated_at`).run(st.profile, st.expression, st.timeZone, st.lastDue, st.nextDue, Date.now());
  }

  getSchedule(profile: string): ScheduleState | undefined {
    const row = this.stmt('SELECT * FROM schedules WHERE profile = ?').get(profile) as ScheduleDbRow | undefined;
    return row === undefined ? undefined : toSchedule(row);
  }

  listSchedules(): ScheduleState[] {
    return (this.stmt('SELECT * FROM schedules ORDER BY profile').all() as ScheduleDbRow[]).map(toSchedule);
  }

  saveProfileProblems(profile: string, problems: readonly string[]): void {
    if (problems.length === 0) {
      this.stmt('DELETE FROM profile_problems WHERE profile = ?').run(profile);
      return;
    }
    this.stmt(`INSERT INTO profile_problems (profile, problems, since) VALUES (?, ?, ?)
      ON CONFLICT (profile) DO UPDATE SET problems = excluded.problems`).run(profile, JSON.stringify(problems), Date.now());
  }

  listProfileProblems(): ProfileProblems[] {
    const rows = this.stmt('SELECT * FROM profile_problems ORDER BY profile').all() as { profile: string; problems: string; since: number }[];
    return rows.map((r) => ({ profile: r.profile, problems: JSON.parse(r.problems) as string[], since: r.since }));
  }

  getArrivals(profile: string): ArrivalState | undefined {
    const r = this.stmt('SELECT * FROM arrivals WHERE profile = ?').get(profile) as { profile: string; watching_since: number; last_arrival: number | null; last_warned_for: number | null; last_missing_for: number | null } | undefined;
    return r === undefined ? undefined : { profile: r.profile, watchingSince: r.watching_since, lastArrival: r.last_arrival, lastWarnedFor: r.last_warned_for, lastMissingFor: r.last_missing_for };
  }

  saveArrivals(a: ArrivalState): void {
    this.stmt(`INSERT INTO arrivals (profile, watching_since, last_arrival, last_warned_for, last_missing_for) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (profile) DO UPDATE SET watching_since = excluded.watching_since, last_arrival = excluded.last_arrival,
      last_warned_for = excluded.last_warned_for, last_missing_for = excluded.last_missing_for`).run(a.profile, a.watchingSince, a.lastArrival, a.lastWarnedFor, a.lastMissingFor);
  }

  listAlerts(q: { limit: number; profile?: string }): Alert[] {
    const rows = (q.profile === undefined
      ? this.stmt('SELECT * FROM alerts ORDER BY id DESC LIMIT ?').all(q.limit)
      : this.stmt('SELECT * FROM alerts WHERE profile = ? ORDER BY id DESC LIMIT ?').all(q.profile, q.limit)) as { id: number; profile: string; kind: string; message: string; batch_id: string | null; at: number }[];
    return rows.map((r) => ({ id: r.id, profile: r.profile, kind: r.kind, message: r.message, batchId: r.batch_id, at: r.at }));
  }

  ledgerCounts(): LedgerCounts {
    const batches = this.stmt(`SELECT profile, status, COUNT(*) AS count, SUM(rows_total) AS rowsTotal, SUM(rows_delivered) AS rowsDelivered,
      SUM(rows_rejected) AS rowsRejected, SUM(rows_failed) AS rowsFailed, SUM(rows_skipped) AS rowsSkipped FROM batches GROUP BY profile, status ORDER BY profile, status`).all() as LedgerCounts['batches'];
    const alerts = this.stmt('SELECT profile, kind, COUNT(*) AS count FROM alerts GROUP BY profile, kind ORDER BY profile, kind').all() as LedgerCounts['alerts'];
    const errors = this.stmt('SELECT profile, error_code AS code, COUNT(*) AS count FROM batches WHERE error_code IS NOT NULL GROUP BY profile, error_code ORDER BY profile, error_code').all() as LedgerCounts['errors'];
    return { batches, alerts, errors };
  }

  saveWatermark(profile: string, value: string): void {
    this.stmt('INSERT INTO watermarks (profile, since, updated_at) VALUES (?, ?, ?) ON CONFLICT (profile) DO UPDATE SET since = excluded.since, updated_at = excluded.updated_at').run(profile, value, Date.now());
  }

  getWatermark(profile: string): string | undefined {
    return (this.stmt('SELECT since FROM watermarks WHERE profile = ?').get(profile) as { since: string } | undefined)?.since;
  }
}
