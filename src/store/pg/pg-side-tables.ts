import { type ScheduleDbRow, toSchedule } from '../sqlite-rows.js';
import type { Alert, ArrivalState, LedgerCounts, ProfileProblems, ScheduleState, SourceHealth } from '../types.js';
import type { Queryable } from './types.js';

/** A second key for profile-version locks ('PVER'), beside the profile's hash. */
const VERSION_LOCK_CLASS = 0x50564552;

interface SourceHealthDbRow {
  profile: string; connection: string; state: 'ok' | 'down'; last_poll_at: number; last_ok_at: number | null;
  last_error: string | null; last_error_at: number | null; waiting: number; pid: number;
}

interface ArrivalsDbRow {
  profile: string; watching_since: number; last_arrival: number | null; last_warned_for: number | null; last_missing_for: number | null;
}

/**
 * What the store keeps beside runs, batches and chunks, on PostgreSQL: profile versions, source
 * health, schedules, profile problems, expected arrivals, alerts, export watermarks and the
 * counters of /metrics.
 */
export class PgSideTables {
  constructor(private readonly db: Queryable) {}

  /**
   * Numbers a profile's content. Call inside a transaction: the advisory lock on the profile lasts
   * until it ends, so two instances seeing two new contents at once give them 1 and 2, not 1 twice.
   */
  async profileVersion(profile: string, contentHash: string, content: string): Promise<number> {
    await this.db.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [VERSION_LOCK_CLASS, profile]);
    const known = (await this.db.query<{ version: number; content: string | null }>('SELECT version, content FROM profile_versions WHERE profile = $1 AND content_hash = $2', [profile, contentHash])).rows[0];
    if (known !== undefined) {
      // versions recorded before texts were kept get theirs now
      if (known.content === null) await this.db.query('UPDATE profile_versions SET content = $1 WHERE profile = $2 AND content_hash = $3', [content, profile, contentHash]);
      return known.version;
    }
    const r = await this.db.query<{ version: number }>(`INSERT INTO profile_versions (profile, content_hash, version, first_seen, content)
      SELECT $1, $2, coalesce(max(version), 0) + 1, $3, $4 FROM profile_versions WHERE profile = $1 RETURNING version`, [profile, contentHash, Date.now(), content]);
    const version = r.rows[0]?.version;
    if (version === undefined) throw new Error(`profile ${profile}: no version was assigned`);
    return version;
  }

  async profileContent(profile: string, contentHash: string): Promise<string | undefined> {
    const r = (await this.db.query<{ content: string | null }>('SELECT content FROM profile_versions WHERE profile = $1 AND content_hash = $2', [profile, contentHash])).rows[0];
    return r?.content ?? undefined;
  }

  async recordSourceHealth(h: SourceHealth): Promise<void> {
    await this.db.query(`INSERT INTO source_health (profile, connection, state, last_poll_at, last_ok_at, last_error, last_error_at, waiting, pid)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (profile) DO UPDATE SET connection = EXCLUDED.connection, state = EXCLUDED.state,
      last_poll_at = EXCLUDED.last_poll_at, last_ok_at = EXCLUDED.last_ok_at, last_error = EXCLUDED.last_error,
      last_error_at = EXCLUDED.last_error_at, waiting = EXCLUDED.waiting, pid = EXCLUDED.pid`,
    [h.profile, h.connection, h.state, h.lastPollAt, h.lastOkAt, h.lastError, h.lastErrorAt, h.waiting, h.pid]);
  }

  async listSourceHealth(): Promise<SourceHealth[]> {
    const rows = (await this.db.query<SourceHealthDbRow>('SELECT * FROM source_health ORDER BY profile')).rows;
    return rows.map((r) => ({ profile: r.profile, connection: r.connection, state: r.state, lastPollAt: r.last_poll_at, lastOkAt: r.last_ok_at, lastError: r.last_error, lastErrorAt: r.last_error_at, waiting: r.waiting, pid: r.pid }));
  }

  async saveSchedule(st: Omit<ScheduleState, 'updatedAt'>): Promise<void> {
    await this.db.query(`INSERT INTO schedules (profile, expression, time_zone, last_due, next_due, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (profile) DO UPDATE SET expression = EXCLUDED.expression, time_zone = EXCLUDED.time_zone, last_due = EXCLUDED.last_due,
      next_due = EXCLUDED.next_due, updated_at = EXCLUDED.updated_at`, [st.profile, st.expression, st.timeZone, st.lastDue, st.nextDue, Date.now()]);
  }

  async getSchedule(profile: string): Promise<ScheduleState | undefined> {
    const r = (await this.db.query<ScheduleDbRow>('SELECT * FROM schedules WHERE profile = $1', [profile])).rows[0];
    return r === undefined ? undefined : toSchedule(r);
  }

  async listSchedules(): Promise<ScheduleState[]> {
    return (await this.db.query<ScheduleDbRow>('SELECT * FROM schedules ORDER BY profile')).rows.map(toSchedule);
  }

  async saveProfileProblems(profile: string, problems: readonly string[]): Promise<void> {
    if (problems.length === 0) {
      await this.db.query('DELETE FROM profile_problems WHERE profile = $1', [profile]);
      return;
    }
    await this.db.query(`INSERT INTO profile_problems (profile, problems, since) VALUES ($1, $2, $3)
      ON CONFLICT (profile) DO UPDATE SET problems = EXCLUDED.problems`, [profile, JSON.stringify(problems), Date.now()]);
  }

  async listProfileProblems(): Promise<ProfileProblems[]> {
    const rows = (await this.db.query<{ profile: string; problems: string; since: number }>('SELECT * FROM profile_problems ORDER BY profile')).rows;
    return rows.map((r) => ({ profile: r.profile, problems: JSON.parse(r.problems) as string[], since: r.since }));
  }

  async getArrivals(profile: string): Promise<ArrivalState | undefined> {
    const r = (await this.db.query<ArrivalsDbRow>('SELECT * FROM arrivals WHERE profile = $1', [profile])).rows[0];
    return r === undefined ? undefined : { profile: r.profile, watchingSince: r.watching_since, lastArrival: r.last_arrival, lastWarnedFor: r.last_warned_for, lastMissingFor: r.last_missing_for };
  }

  async saveArrivals(a: ArrivalState): Promise<void> {
    await this.db.query(`INSERT INTO arrivals (profile, watching_since, last_arrival, last_warned_for, last_missing_for) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (profile) DO UPDATE SET watching_since = EXCLUDED.watching_since, last_arrival = EXCLUDED.last_arrival,
      last_warned_for = EXCLUDED.last_warned_for, last_missing_for = EXCLUDED.last_missing_for`, [a.profile, a.watchingSince, a.lastArrival, a.lastWarnedFor, a.lastMissingFor]);
  }

  async addAlert(a: Omit<Alert, 'id' | 'at'>): Promise<void> {
    await this.db.query('INSERT INTO alerts (profile, kind, message, batch_id, at) VALUES ($1, $2, $3, $4, $5)', [a.profile, a.kind, a.message, a.batchId, Date.now()]);
  }

  async listAlerts(q: { limit: number; profile?: string }): Promise<Alert[]> {
    const rows = (q.profile === undefined
      ? await this.db.query<{ id: number; profile: string; kind: string; message: string; batch_id: string | null; at: number }>('SELECT * FROM alerts ORDER BY id DESC LIMIT $1', [q.limit])
      : await this.db.query<{ id: number; profile: string; kind: string; message: string; batch_id: string | null; at: number }>('SELECT * FROM alerts WHERE profile = $1 ORDER BY id DESC LIMIT $2', [q.profile, q.limit])).rows;
    return rows.map((r) => ({ id: r.id, profile: r.profile, kind: r.kind, message: r.message, batchId: r.batch_id, at: r.at }));
  }

  async ledgerCounts(): Promise<LedgerCounts> {
    // quoted aliases: PostgreSQL folds unquoted names to lower case
    const batches = (await this.db.query<LedgerCounts['batches'][number]>(`SELECT profile, status, count(*) AS count, sum(rows_total) AS "rowsTotal",
      sum(rows_delivered) AS "rowsDelivered", sum(rows_rejected) AS "rowsRejected", sum(rows_failed) AS "rowsFailed", sum(rows_skipped) AS "rowsSkipped"
      FROM batches GROUP BY profile, status ORDER BY profile, status`)).rows;
    const alerts = (await this.db.query<LedgerCounts['alerts'][number]>('SELECT profile, kind, count(*) AS count FROM alerts GROUP BY profile, kind ORDER BY profile, kind')).rows;
    const errors = (await this.db.query<LedgerCounts['errors'][number]>(`SELECT profile, error_code AS code, count(*) AS count FROM batches
      WHERE error_code IS NOT NULL GROUP BY profile, error_code ORDER BY profile, error_code`)).rows;
    return { batches, alerts, errors };
  }

  async saveWatermark(profile: string, value: string): Promise<void> {
    await this.db.query('INSERT INTO watermarks (profile, since, updated_at) VALUES ($1, $2, $3) ON CONFLICT (profile) DO UPDATE SET since = EXCLUDED.since, updated_at = EXCLUDED.updated_at', [profile, value, Date.now()]);
  }

  async getWatermark(profile: string): Promise<string | undefined> {
    return (await this.db.query<{ since: string }>('SELECT since FROM watermarks WHERE profile = $1', [profile])).rows[0]?.since;
  }
}
