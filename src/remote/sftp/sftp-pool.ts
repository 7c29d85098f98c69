import { FerryError, InputError, TransientError, coerceError } from '../../errors.js';
import type { RemoteHealth } from '../types.js';

/** What the pool needs from a connection. */
export interface Pooled {
  readonly broken: Error | undefined;
  /** calls `cb` when the connection breaks; returns the function that stops watching */
  onBroken(cb: (err: Error) => void): () => void;
  end(): Promise<void>;
}

/** Pool settings; the backoff applies to consecutive failed connection attempts only. */
export interface PoolOptions<S extends Pooled> {
  readonly label: string;
  readonly max: number;
  readonly open: () => Promise<S>;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly now?: () => number;
}

interface Waiter<S> {
  resolve(session: S): void;
  reject(err: unknown): void;
}

/**
 * At most `max` connections to one server, each lent to one operation at a time. A connection
 * that breaks is dropped and the next call opens a new one. After a failed attempt to connect,
 * calls fail at once with the last error (and `retryAfterMs`) until the backoff has passed,
 * doubling from 200 ms to 30 s, so that a poller does not hammer a server that is down (OpenSSH's
 * MaxStartups resets aggressive clients). Health is tracked here for `ferry status` and /healthz.
 */
export class ConnectionPool<S extends Pooled> {
  private readonly idle: S[] = [];
  private readonly all = new Set<S>();
  private readonly waiters: Waiter<S>[] = [];
  private readonly unwatch = new Map<S, () => void>();
  private opening = 0;
  private failures = 0;
  private nextAttemptAt = 0;
  private lastConnectError: FerryError | undefined;
  private closed = false;
  private state: RemoteHealth['state'] = 'unknown';
  private lastError: string | null = null;
  private lastErrorAt: number | null = null;
  private lastOkAt: number | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: PoolOptions<S>) {
    this.now = opts.now ?? Date.now;
  }

  /** connections currently open (lent or idle) */
  get size(): number {
    return this.all.size;
  }

  /** Lends a connection; it must come back through `release` or `discard`. */
  acquire(signal?: AbortSignal): Promise<S> {
    if (this.closed) return Promise.reject(new TransientError('E_REMOTE_UNAVAILABLE', `${this.opts.label}: the connection pool is closed`));
    signal?.throwIfAborted();
    return new Promise<S>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter<S> = {
        resolve: (s) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(s);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.pump();
    });
  }

  /** Takes a connection back after a successful (or merely refused) operation. */
  release(session: S): void {
    if (session.broken !== undefined || this.closed) {
      this.discard(session);
      return;
    }
    this.idle.push(session);
    this.pump();
  }

  /** Drops a connection that must not be used again. */
  discard(session: S): void {
    this.unwatch.get(session)?.();
    this.unwatch.delete(session);
    if (this.all.delete(session)) void session.end().catch(() => undefined);
    const i = this.idle.indexOf(session);
    if (i >= 0) this.idle.splice(i, 1);
    this.pump();
  }

  /** Notes that the server answered. */
  noteOk(): void {
    this.state = 'ok';
    this.lastOkAt = this.now();
  }

  /** Notes that the server could not be reached or the connection broke. */
  noteDown(err: unknown): void {
    this.state = 'down';
    this.lastError = coerceError(err).message;
    this.lastErrorAt = this.now();
  }

  health(): RemoteHealth {
    return { label: this.opts.label, state: this.state, lastError: this.lastError, lastErrorAt: this.lastErrorAt, lastOkAt: this.lastOkAt };
  }

  /** Ends every connection; waiting calls fail. */
  async close(): Promise<void> {
    this.closed = true;
    const err = new TransientError('E_REMOTE_UNAVAILABLE', `${this.opts.label}: the connection pool was closed`);
    for (const w of this.waiters.splice(0)) w.reject(err);
    const sessions = [...this.all];
    for (const stop of this.unwatch.values()) stop();
    this.unwatch.clear();
    this.all.clear();
    this.idle.length = 0;
    await Promise.allSettled(sessions.map((s) => s.end()));
  }

  /** A connection broke by itself (not by an abort): the server is down until a call succeeds again. */
  private lost(session: S, why: Error): void {
    if (why.name !== 'AbortError') this.noteDown(why);
    if (this.idle.includes(session)) this.discard(session);
  }

  private backoffError(): FerryError | undefined {
    const wait = this.nextAttemptAt - this.now();
    const last = this.lastConnectError;
    if (this.failures === 0 || wait <= 0 || last === undefined) return undefined;
    const message = `${last.message} (next attempt in ${Math.ceil(wait / 100) / 10} s)`;
    return last.kind === 'transient'
      ? new TransientError(last.code, message, { cause: last, retryAfterMs: wait })
      : new InputError(last.code, message, { cause: last });
  }

  private pump(): void {
    while (this.waiters.length > 0) {
      const session = this.idle.pop();
      if (session !== undefined) {
        if (session.broken !== undefined) {
          this.discard(session);
          return;
        }
        this.waiters.shift()?.resolve(session);
        continue;
      }
      if (this.opening >= this.waiters.length || this.all.size + this.opening >= this.opts.max) return;
      const blocked = this.backoffError();
      if (blocked !== undefined) {
        if (this.all.size + this.opening === 0) for (const w of this.waiters.splice(0)) w.reject(blocked);
        return;
      }
      this.openOne();
    }
  }

  private openOne(): void {
    this.opening++;
    this.opts.open().then(
      (session) => {
        this.opening--;
        this.failures = 0;
        this.lastConnectError = undefined;
        this.noteOk();
        if (this.closed) {
          void session.end().catch(() => undefined);
          return;
        }
        this.all.add(session);
        this.unwatch.set(session, session.onBroken((why) => this.lost(session, why)));
        this.idle.push(session);
        this.pump();
      },
      (err: unknown) => {
        this.opening--;
        const e = err instanceof FerryError ? err : new TransientError('E_REMOTE_UNAVAILABLE', `${this.opts.label}: ${coerceError(err).message}`);
        this.failures++;
        const min = this.opts.minBackoffMs ?? 200;
        this.nextAttemptAt = this.now() + Math.min(min * 2 ** (this.failures - 1), this.opts.maxBackoffMs ?? 30_000);
        this.lastConnectError = e;
        this.noteDown(e);
        // the waiter this attempt was for gets the real error; the others wait for a connection
        // that is still open, or fail with the backoff error in pump()
        this.waiters.shift()?.reject(e);
        this.pump();
      },
    );
  }
}
