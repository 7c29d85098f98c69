import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** How long a lease on a batch runs unless renewed (FERRY_LEASE_MS; default 30 s). */
export const DEFAULT_LEASE_MS = 30_000;

/** The lease time of this process: FERRY_LEASE_MS, else 30 s. */
export function leaseMsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const n = Number(env.FERRY_LEASE_MS ?? DEFAULT_LEASE_MS);
  if (!Number.isInteger(n) || n < 500) throw new Error(`FERRY_LEASE_MS must be a whole number of milliseconds of at least 500, not "${env.FERRY_LEASE_MS ?? ''}"`);
  return n;
}

/** A new instance id, `<host>:<pid>:<random>`: new at every start, so a restarted process is a new instance. */
export function newInstanceId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/**
 * How long `dueNotifications` holds what it hands out: another instance sharing the outbox does not
 * send it meanwhile, and if the sender dies it is due again after this.
 */
export const NOTIFICATION_HOLD_MS = 60_000;
