/**
 * Read-only views of a ferry ledger and helpers the fault-injection tests share: they look at the
 * ledger the way an operator would (sqlite3 on the file), next to the shared oracle in
 * `invariants.ts`, which they call too.
 */
import Database from 'better-sqlite3';

/** One batch as the ledger holds it (the columns the fault tests assert on). */
export interface LedgerBatch {
  readonly id: string;
  readonly file_name: string;
  readonly state: string;
  readonly status: string;
  readonly error_code: string | null;
  readonly rows_total: number;
  readonly rows_delivered: number;
  readonly created_at: number;
}

/** Every batch of the ledger at `path`, oldest first; none when the file does not exist yet. */
export function ledgerBatches(path: string): LedgerBatch[] {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch {
    return [];
  }
  try {
    return db.prepare('SELECT id, file_name, state, status, error_code, rows_total, rows_delivered, created_at FROM batches ORDER BY created_at, id').all() as LedgerBatch[];
  } finally {
    db.close();
  }
}
