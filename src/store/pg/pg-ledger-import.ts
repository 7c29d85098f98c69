import type Database from 'better-sqlite3';
import pg from 'pg';

import { InputError } from '../../errors.js';
import { DEFAULT_LEASE_MS } from '../instance-id.js';
import { PgStore } from './pg-store.js';
import { inPgTransaction } from './pg-transaction.js';
import { parsePgUrl } from './pg-url.js';
import type { Queryable } from './types.js';

type SqlValue = string | number | bigint | Buffer | boolean | null;
type Row = Record<string, SqlValue>;

/**
 * The ledger's tables in the order they are copied, with the order rows are read in. Instances
 * are not copied: they are processes, and the SQLite one is stopped.
 */
const TABLES: readonly { readonly name: string; readonly order: string }[] = [
  { name: 'runs', order: 'started_at, rowid' },
  { name: 'batches', order: 'created_at, rowid' },
  { name: 'chunks', order: 'rowid' },
  { name: 'profile_versions', order: 'rowid' },
  { name: 'profile_saves', order: 'id' },
  { name: 'row_problems', order: 'rowid' },
  { name: 'source_health', order: 'rowid' },
  { name: 'schedules', order: 'rowid' },
  { name: 'profile_problems', order: 'rowid' },
  { name: 'arrivals', order: 'rowid' },
  { name: 'alerts', order: 'id' },
  { name: 'watermarks', order: 'rowid' },
  { name: 'outbox', order: 'rowid' },
  { name: 'disabled_endpoints', order: 'rowid' },
  // the chain's hashes cover only copied values, so `ferry audit --verify` holds on the target too
  { name: 'audit', order: 'seq' },
];

/** Tables whose ids PostgreSQL generates: their sequences go on after the copied ids. */
const IDENTITY_TABLES = ['alerts', 'profile_saves'];

/** Rows per INSERT statement: far below PostgreSQL's 65,535 parameters, and bounded in memory. */
const ROWS_PER_INSERT = 500;

/**
 * Makes SQLite batches fit the PostgreSQL ledger: the first batch of each listing identity (not a
 * reprocess) becomes its `listed` claim, and nobody holds a batch any more (the SQLite process is
 * stopped; an instance on PostgreSQL takes the unfinished ones over at once).
 */
function batchRows(): (row: Row) => Row {
  const claimed = new Set<string>();
  return (row) => {
    const identity = JSON.stringify([row.profile, row.source_path, row.source_size, row.source_mtime_ms]);
    const listed = row.reprocess_of === null && !claimed.has(identity);
    if (listed) claimed.add(identity);
    return { ...row, listed, owner: null, lease_until: null };
  };
}

async function insertRows(db: Queryable, table: string, columns: readonly string[], rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) return;
  const values: SqlValue[] = [];
  const tuples = rows.map((row) => `(${columns.map((c) => {
    values.push(row[c] ?? null);
    return `$${values.length}`;
  }).join(', ')})`);
  await db.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, values);
}

/** Copies one table; returns how many rows. */
async function copyTable(source: Database.Database, target: Queryable, table: { name: string; order: string }): Promise<number> {
  const sqliteColumns = (source.prepare(`PRAGMA table_info(${table.name})`).all() as { name: string }[]).map((c) => c.name);
  if (sqliteColumns.length === 0) return 0; // a ledger from before the table existed
  const pgColumns = new Set((await target.query<{ column_name: string }>('SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1', [table.name])).rows.map((r) => r.column_name));
  const transform = table.name === 'batches' ? batchRows() : (row: Row): Row => row;
  const columns = [...sqliteColumns, ...(table.name === 'batches' ? ['listed'] : [])].filter((c) => pgColumns.has(c));
  let slice: Row[] = [];
  let count = 0;
  for (const row of source.prepare(`SELECT ${sqliteColumns.join(', ')} FROM ${table.name} ORDER BY ${table.order}`).iterate() as IterableIterator<Row>) {
    slice.push(transform(row));
    count += 1;
    if (slice.length === ROWS_PER_INSERT) {
      await insertRows(target, table.name, columns, slice);
      slice = [];
    }
  }
  await insertRows(target, table.name, columns, slice);
  return count;
}

/**
 * Copies a whole SQLite ledger into a PostgreSQL store, in one transaction: the target ends up with
 * all of it or none. The target's schema is brought up to date first. A target that holds a
 * ledger already is refused, unless `force`, which replaces what it holds. Returns the rows
 * copied per table. The caller holds the SQLite store's instance lock, so nothing writes to it.
 */
export async function importSqliteLedger(source: Database.Database, url: string, options: { force: boolean }): Promise<Record<string, number>> {
  await (await PgStore.open(url, { exclusive: false, leaseMs: DEFAULT_LEASE_MS })).close();
  const target = parsePgUrl(url);
  const pool = new pg.Pool({ connectionString: target.connectionString, options: target.options, max: 1, fallback_application_name: 'ferry migrate-store' });
  pool.on('error', () => undefined);
  try {
    return await inPgTransaction(pool, async (db) => {
      const held = (await db.query<{ name: string; n: string }>(TABLES.map((t) => `SELECT '${t.name}' AS name, count(*) AS n FROM ${t.name}`).join(' UNION ALL '))).rows.filter((r) => r.n !== '0');
      if (held.length > 0 && !options.force) {
        throw new InputError('E_USAGE', `${target.shown} holds a ledger already (${held.map((r) => `${r.n} ${r.name}`).join(', ')}); --force replaces it`);
      }
      if (held.length > 0) await db.query(`TRUNCATE ${TABLES.map((t) => t.name).join(', ')} RESTART IDENTITY`);
      const counts: Record<string, number> = {};
      for (const table of TABLES) counts[table.name] = await copyTable(source, db, table);
      for (const table of IDENTITY_TABLES) {
        await db.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), max(id)) FROM ${table} HAVING max(id) IS NOT NULL`);
      }
      return counts;
    });
  } finally {
    await pool.end();
  }
}
