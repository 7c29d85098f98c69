import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

import { InputError } from '../errors.js';

/** A held lock; release() removes it. */
export interface InstanceLock {
  release(): void;
}

interface Holder {
  pid: number;
  host: string;
  since: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock file next to a SQLite store, so that one process at a time works on it. A lock
 * left by a killed process (its pid no longer runs on this host) is taken over; a live holder
 * makes this fail with E_INSTANCE_LOCKED naming that process.
 */
export function acquireInstanceLock(path: string): InstanceLock {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      const me: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      return {
        release: () => {
          try {
            const holder = JSON.parse(readFileSync(path, 'utf8')) as Holder;
            if (holder.pid === process.pid) rmSync(path, { force: true });
          } catch {
            // already gone: nothing to release
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder: Holder | undefined;
      try {
        holder = JSON.parse(readFileSync(path, 'utf8')) as Holder;
      } catch {
        holder = undefined;
      }
      if (holder !== undefined && holder.host === hostname() && isAlive(holder.pid) && holder.pid !== process.pid) {
        throw new InputError('E_INSTANCE_LOCKED', `the state store is in use by ferry process ${holder.pid} on ${holder.host} (since ${holder.since}); one ferry process per SQLite store — stop it first, or use a PostgreSQL store for several instances`);
      }
      if (holder !== undefined && holder.host !== hostname()) {
        throw new InputError('E_INSTANCE_LOCKED', `the state store is locked by ferry process ${holder.pid} on host ${holder.host} (since ${holder.since}); a SQLite store serves one machine — remove ${path} if that process is gone`);
      }
      rmSync(path, { force: true });
    }
  }
  throw new InputError('E_INSTANCE_LOCKED', `could not take the lock ${path}`);
}
