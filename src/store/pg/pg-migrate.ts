import type pg from 'pg';

import { FerryError } from '../../errors.js';
import { MIGRATIONS } from './pg-schema.js';
import { inPgTransaction } from './pg-transaction.js';

/**
 * The first key of ferry's advisory locks ('FRRY'); the second is the schema's hash, so stores in
 * different schemas of one database migrate independently.
 */
const LOCK_CLASS = 0x46525259;

/** The newest migration this build knows. */
export const LATEST_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/**
 * Brings the store's schema up to date, in one transaction that holds an advisory lock: when
 * several instances start at once, one migrates while the others wait on the lock, then find
 * every migration recorded in `ferry_migrations` and apply nothing. A failing migration rolls
 * back whole, the schema included.
 */
export async function migrate(pool: pg.Pool, schema: string | undefined): Promise<number[]> {
  return inPgTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext(coalesce($2, current_schema(), \'\')))', [LOCK_CLASS, schema ?? null]);
    // the name was checked against a strict pattern (pg-url.ts): it needs no quoting
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query('CREATE TABLE IF NOT EXISTS ferry_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const applied = new Set((await client.query<{ version: number }>('SELECT version FROM ferry_migrations')).rows.map((r) => r.version));
    const newest = Math.max(0, ...applied);
    if (newest > LATEST_VERSION) {
      throw new FerryError('E_STORE', `the store's schema is at version ${newest}, newer than this ferry knows (${LATEST_VERSION}): upgrade ferry on this machine`);
    }
    const done: number[] = [];
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO ferry_migrations (version) VALUES ($1)', [m.version]);
      done.push(m.version);
    }
    return done;
  });
}

/**
 * For a read-only open, which does not migrate: the schema version, or a clear error when the
 * database holds no ferry ledger yet.
 */
export async function schemaVersion(pool: pg.Pool, shownUrl: string): Promise<number> {
  const found = await pool.query<{ present: boolean }>("SELECT to_regclass('ferry_migrations') IS NOT NULL AS present");
  if (found.rows[0]?.present !== true) {
    throw new FerryError('E_STORE', `no ferry ledger at ${shownUrl} yet: start ferry on it (or run ferry migrate-store) first`);
  }
  const r = await pool.query<{ version: number | null }>('SELECT max(version) AS version FROM ferry_migrations');
  return r.rows[0]?.version ?? 0;
}
