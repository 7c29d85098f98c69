import { resolve } from 'node:path';

import { InputError } from '../errors.js';
import { leaseMsFromEnv } from './instance-id.js';
import { SqliteStore } from './sqlite-store.js';
import type { StateStore } from './types.js';

/** How a command opens the store: the daemon and `ferry run` exclusively (on SQLite), `status` read-only. */
export interface OpenMode {
  readonly exclusive: boolean;
  readonly readonly?: boolean;
}

/** A store URL with its password masked, for messages and logs. */
export function shownStoreUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/**
 * Opens the state store a `--store` URL names: `sqlite:<path>` (one instance, embedded) or
 * `postgres://…` / `postgresql://…` (several instances; schema migrations applied at open).
 */
export async function openStore(url: string, mode: OpenMode): Promise<StateStore> {
  const leaseMs = leaseMsFromEnv();
  if (url.startsWith('sqlite:')) return SqliteStore.open(resolve(url.slice('sqlite:'.length)), { ...mode, leaseMs });
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { PgStore } = await import('./pg/pg-store.js');
    return PgStore.open(url, { ...mode, leaseMs });
  }
  throw new InputError('E_USAGE', `--store ${shownStoreUrl(url)}: use sqlite:<path> or postgres://user@host:5432/database`);
}
