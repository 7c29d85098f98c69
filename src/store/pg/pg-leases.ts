import { hostname } from 'node:os';

import { type BatchDbRow, toBatch } from '../sqlite-rows.js';
import type { BatchRow, InstanceInfo, ScheduleState } from '../types.js';
import { DB_NOW_MS, selectBatchesFrom } from './pg-batch-sql.js';
import type { LeaseSettings, Queryable } from './types.js';

/** Instances not seen for this long are forgotten. */
const FORGET_AFTER_MS = 7 * 24 * 3600_000;

interface InstanceDbRow {
  id: string; host: string; pid: number; started_at: number; last_seen_at: number; alive: boolean; holds: string[];
}

/**
 * Leases, instances and schedule claims on PostgreSQL, where several instances share the store.
 * Every time here is the database's (DB_NOW_MS), and every claim is a single statement whose row
 * locks decide between instances racing for the same thing.
 */
export class PgLeases {
  constructor(private readonly db: Queryable, private readonly lease: LeaseSettings) {}

  /** Records this process as an instance; forgets long-gone ones. */
  async register(): Promise<void> {
    await this.db.query(`DELETE FROM instances WHERE last_seen_at < ${DB_NOW_MS} - $1`, [FORGET_AFTER_MS]);
    await this.db.query(`INSERT INTO instances (id, host, pid, started_at, last_seen_at) VALUES ($1, $2, $3, ${DB_NOW_MS}, ${DB_NOW_MS})
      ON CONFLICT (id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at`, [this.lease.instanceId, hostname(), process.pid]);
  }

  /**
   * Leases to this instance the unfinished batches nobody holds: no owner, or an owner whose lease
   * ran out. SKIP LOCKED leaves a batch another instance is taking over right now to that one.
   */
  async takeOver(profile: string | undefined): Promise<BatchRow[]> {
    const sql = selectBatchesFrom(`UPDATE batches SET owner = $1, lease_until = ${DB_NOW_MS} + $2
      WHERE id IN (SELECT id FROM batches WHERE state <> 'done' AND (owner IS NULL OR (owner <> $1 AND (lease_until IS NULL OR lease_until < ${DB_NOW_MS})))
      ${profile === undefined ? '' : 'AND profile = $3'} FOR UPDATE SKIP LOCKED) RETURNING *`);
    const args: unknown[] = [this.lease.instanceId, this.lease.leaseMs, ...(profile === undefined ? [] : [profile])];
    return (await this.db.query<BatchDbRow>(sql, args)).rows.map(toBatch);
  }

  /**
   * Extends this instance's leases and heartbeat, in one statement. The heartbeat is an upsert:
   * an instance forgotten while it was cut off from the database shows up again.
   */
  async renew(): Promise<void> {
    await this.db.query(`WITH renewed AS (UPDATE batches SET lease_until = ${DB_NOW_MS} + $2 WHERE owner = $1 AND state <> 'done')
      INSERT INTO instances (id, host, pid, started_at, last_seen_at) VALUES ($1, $3, $4, ${DB_NOW_MS}, ${DB_NOW_MS})
      ON CONFLICT (id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at`, [this.lease.instanceId, this.lease.leaseMs, hostname(), process.pid]);
  }

  async list(): Promise<InstanceInfo[]> {
    const rows = (await this.db.query<InstanceDbRow>(`SELECT i.*, ${DB_NOW_MS} - i.last_seen_at <= $1 AS alive,
      coalesce((SELECT array_agg(b.id ORDER BY b.created_at, b.id) FROM batches b WHERE b.owner = i.id AND b.state <> 'done'), '{}') AS holds
      FROM instances i ORDER BY i.started_at DESC, i.id LIMIT 50`, [this.lease.leaseMs])).rows;
    return rows.map((r) => ({ id: r.id, host: r.host, pid: r.pid, startedAt: r.started_at, lastSeenAt: r.last_seen_at, alive: r.alive, holds: r.holds }));
  }

  /**
   * A compare-and-set on the schedule's row: the upsert writes only when the stored fire time is
   * earlier, and the row lock makes a second instance with the same fire time see the first's.
   */
  async claimScheduleFire(st: Omit<ScheduleState, 'updatedAt'>): Promise<boolean> {
    const r = await this.db.query(`INSERT INTO schedules (profile, expression, time_zone, last_due, next_due, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (profile) DO UPDATE SET expression = EXCLUDED.expression, time_zone = EXCLUDED.time_zone, last_due = EXCLUDED.last_due,
      next_due = EXCLUDED.next_due, updated_at = EXCLUDED.updated_at WHERE schedules.last_due < EXCLUDED.last_due RETURNING profile`,
    [st.profile, st.expression, st.timeZone, st.lastDue, st.nextDue, Date.now()]);
    return r.rowCount === 1;
  }
}
