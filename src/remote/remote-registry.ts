import { createHash } from 'node:crypto';

import { InputError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Connection } from '../profiles/connection-schema.js';
import { REMOTE_FILE_SYSTEMS } from '../registry.js';
import type { RemoteFs, RemoteHealth } from './types.js';

/** A RemoteFs that can report its health. */
export type ManagedFs = RemoteFs & { health(): RemoteHealth };

/**
 * One file system (and so one connection pool) per server: every profile that names the same
 * connection shares it, so `maxConnections` limits the whole daemon, not each profile. Inline
 * connections are shared when they are identical.
 */
export class RemoteRegistry {
  private readonly byKey = new Map<string, ManagedFs>();

  constructor(private readonly log: Logger) {}

  /** The file system of a connection; `ref` is the connection's name, or the inline object. */
  get(ref: string | object | undefined, connection: Connection | undefined): ManagedFs {
    const key = ref === undefined || connection === undefined
      ? 'local'
      : typeof ref === 'string' ? `name:${ref}` : `inline:${createHash('sha256').update(JSON.stringify(connection)).digest('hex')}`;
    const existing = this.byKey.get(key);
    if (existing !== undefined) return existing;
    const kind = connection?.type ?? 'local';
    const create = REMOTE_FILE_SYSTEMS[kind];
    if (create === undefined) throw new InputError('E_PROFILE_INVALID', `connections of type ${kind} are not supported by this build`);
    const fs = create(connection, { log: this.log.child({ connection: typeof ref === 'string' ? ref : kind }) });
    this.byKey.set(key, fs);
    return fs;
  }

  /** Health of every connection opened so far. */
  health(): RemoteHealth[] {
    return [...this.byKey.values()].map((fs) => fs.health());
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.byKey.values()].map((fs) => fs.close()));
    this.byKey.clear();
  }
}
