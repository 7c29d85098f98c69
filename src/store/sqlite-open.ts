import Database from 'better-sqlite3';

import { ADMIN_SCHEMA } from './sqlite-admin-tables.js';
import { AUDIT_SCHEMA } from './sqlite-audit.js';
import { LEASE_SCHEMA } from './sqlite-leases.js';
import { OUTBOX_SCHEMA } from './sqlite-outbox.js';
import { ADDED_COLUMNS, SCHEMA } from './sqlite-rows.js';

/**
 * Opens a ledger file. Writable: WAL mode, `synchronous = NORMAL` (every commit survives a killed
 * process; `FERRY_SQLITE_SYNC=full` adds an fsync per commit against power loss), the tables
 * created when missing and the columns of later releases added to older ledgers. Read-only: the
 * file must exist and is left as it is.
 */
export function openSqliteLedger(path: string, readonly: boolean): Database.Database {
  const db = new Database(path, { readonly, fileMustExist: readonly, timeout: 5000 });
  if (readonly) return db;
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${process.env.FERRY_SQLITE_SYNC === 'full' ? 'FULL' : 'NORMAL'}`);
  for (const schema of [SCHEMA, OUTBOX_SCHEMA, ADMIN_SCHEMA, LEASE_SCHEMA, AUDIT_SCHEMA]) db.exec(schema);
  for (const added of ADDED_COLUMNS) {
    const columns = db.prepare(`PRAGMA table_info(${added.table})`).all() as { name: string }[];
    if (!columns.some((c) => c.name === added.column)) db.exec(`ALTER TABLE ${added.table} ADD COLUMN ${added.column} ${added.definition}`);
  }
  return db;
}
