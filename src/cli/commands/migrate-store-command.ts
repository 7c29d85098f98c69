import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

import Database from 'better-sqlite3';

import { FerryError } from '../../errors.js';
import { acquireInstanceLock } from '../../store/instance-lock.js';
import { shownStoreUrl } from '../../store/open-store.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import type { GlobalOptions } from '../options.js';
import type { CommandIo } from '../types.js';

/** What `ferry migrate-store` is given. */
export interface MigrateStoreFlags {
  /** `sqlite:<path>`; default: the `--store` setting */
  from?: string;
  /** `postgres://…` */
  to?: string;
  /** replace a ledger the target holds already */
  force?: boolean;
}

/**
 * `ferry migrate-store --from sqlite:<path> --to postgres://… [--force]`: copies a SQLite ledger
 * into a PostgreSQL store, whole, in one transaction. The SQLite store's instance lock is held
 * throughout, so a daemon still running on it makes this refuse (stop it first) and none can start
 * while it copies. Exit 0 copied, 2 refused (usage, a running daemon, a target that is not empty),
 * 1 when the copy failed (nothing was written to the target).
 */
export async function migrateStoreCommand(options: GlobalOptions, flags: MigrateStoreFlags, io: CommandIo): Promise<number> {
  const from = flags.from ?? options.store;
  const to = flags.to ?? '';
  if (!from.startsWith('sqlite:')) {
    io.err(`--from ${shownStoreUrl(from)}: give the SQLite ledger to copy as sqlite:<path>`);
    return 2;
  }
  if (!/^postgres(ql)?:\/\//.test(to)) {
    io.err(`--to ${shownStoreUrl(to)}: give the PostgreSQL store as postgres://user@host:5432/database[?schema=name]`);
    return 2;
  }
  const path = resolve(from.slice('sqlite:'.length));
  if (!existsSync(path)) {
    io.err(`no SQLite ledger at ${path}`);
    return 2;
  }
  try {
    const lock = acquireInstanceLock(`${path}.lock`);
    try {
      // opening it as a store brings an older ledger's tables up to date before they are read
      await SqliteStore.open(path, { exclusive: false }).close();
      const source = new Database(path, { readonly: true, fileMustExist: true });
      try {
        const { importSqliteLedger } = await import('../../store/pg/pg-ledger-import.js');
        const counts = await importSqliteLedger(source, to, { force: flags.force === true });
        io.out(`copied ${path} into ${shownStoreUrl(to)}:`);
        const width = Math.max(...Object.keys(counts).map((t) => t.length));
        for (const [table, n] of Object.entries(counts)) io.out(`  ${table.padEnd(width)}  ${n}`);
        return 0;
      } finally {
        source.close();
      }
    } finally {
      lock.release();
    }
  } catch (err) {
    if (err instanceof FerryError) {
      io.err(`${err.code}: ${err.message}`);
      return err.kind === 'input' ? 2 : 1;
    }
    io.err(`the copy failed; the target is unchanged: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
