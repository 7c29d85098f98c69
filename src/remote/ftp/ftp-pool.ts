import { FerryError, TransientError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { RemoteHealth } from '../types.js';
import type { FtpSession } from './ftp-connect.js';
import { isConnectionFailure, isFtpReply } from './ftp-errors.js';

/** How the pool behaves; every field has a default in {@link createFtpFs}. */
export interface FtpPoolOptions {
  readonly label: string;
  /** simultaneous control connections (one operation runs on each at a time) */
  readonly max: number;
  readonly open: () => Promise<FtpSession>;
  readonly mapError: (err: unknown, what: string) => FerryError;
  /** first wait after a failed connection attempt; doubles up to `backoffMaxMs` */
  readonly backoffMs: number;
  readonly backoffMaxMs: number;
  /** an unused connection is closed after this long, before the server's idle timeout does it */
  readonly idleMs: number;
  readonly log: Logger | undefined;
}

type Grant = FtpSession | 'slot';

interface Waiter {
  grant(value: Grant): void;
}

/**
 * Control connections to one server. basic-ftp runs one command at a time per client, so each
 * operation borrows a whole session; at most `max` exist. A session whose connection broke (any
 * error that is not a server reply) is closed, never reused. After a failed connection attempt the
 * next one waits with exponential backoff; operations asked for meanwhile fail at once with
 * E_REMOTE_UNAVAILABLE (the caller retries on its next poll) instead of hammering the server.
 */
export class FtpPool {
  private readonly idle: FtpSession[] = [];
  private readonly idleTimers = new Map<FtpSession, NodeJS.Timeout>();
  private readonly live = new Set<FtpSession>();
  private readonly waiters: Waiter[] = [];
  /** sessions open, being opened, or reserved for a waiter */
  private size = 0;
  private closed = false;
  private failures = 0;
  private nextAttemptAt = 0;
  private state: RemoteHealth['state'] = 'unknown';
  private lastError: string | null = null;
  private lastErrorAt: number | null = null;
  private lastOkAt: number | null = null;

  constructor(private readonly options: FtpPoolOptions) {}

  /** Borrows a session (waiting while all are busy); give it back with {@link release}. */
  async acquire(signal?: AbortSignal): Promise<FtpSession> {
    signal?.throwIfAborted();
    for (;;) {
      if (this.closed) throw new TransientError('E_REMOTE_UNAVAILABLE', `${this.options.label}: the connection was closed`);
      const idle = this.idle.pop();
      if (idle !== undefined) {
        clearTimeout(this.idleTimers.get(idle));
        this.idleTimers.delete(idle);
        if (!idle.client.closed) return idle;
        this.drop(idle);
        continue;
      }
      if (this.size < this.options.max) {
        this.size++;
        return this.connect();
      }
      const granted = await this.wait(signal);
      if (granted !== 'slot') return granted;
      if (this.closed) {
        this.freeSlot();
        continue;
      }
      return this.connect();
    }
  }

  /** Gives a session back; one that is not `reusable` (its connection broke or is out of step) is closed. */
  release(session: FtpSession, reusable: boolean): void {
    if (!reusable || this.closed || session.client.closed) {
      this.drop(session);
      return;
    }
    session.uses++;
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      waiter.grant(session);
      return;
    }
    this.idle.push(session);
    const timer = setTimeout(() => {
      const at = this.idle.indexOf(session);
      if (at >= 0) this.idle.splice(at, 1);
      this.idleTimers.delete(session);
      this.drop(session);
    }, this.options.idleMs);
    timer.unref();
    this.idleTimers.set(session, timer);
  }

  /**
   * Runs one operation on a borrowed session. An idempotent operation that failed because a reused
   * session had gone stale (the server dropped it while idle) is tried once more on a fresh one.
   */
  async run<T>(what: string, fn: (session: FtpSession) => Promise<T>, signal?: AbortSignal, idempotent = true): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const session = await this.acquire(signal);
      const reused = session.uses > 0;
      const abort = (): void => session.client.close();
      signal?.addEventListener('abort', abort, { once: true });
      try {
        const result = await fn(session);
        this.release(session, true);
        this.noteOk();
        return result;
      } catch (err) {
        const inStep = !session.client.closed && (isFtpReply(err) || err instanceof FerryError);
        this.release(session, inStep);
        signal?.throwIfAborted();
        const e = this.options.mapError(err, what);
        if (!inStep && reused && idempotent && attempt === 1 && e.code === 'E_REMOTE_UNAVAILABLE') continue;
        if (isConnectionFailure(e)) this.noteDown(e);
        throw e;
      } finally {
        signal?.removeEventListener('abort', abort);
      }
    }
  }

  /** Records that the server answered. */
  noteOk(): void {
    if (this.state === 'down') this.options.log?.info({ connection: this.options.label }, 'ftp server reachable again');
    this.state = 'ok';
    this.lastOkAt = Date.now();
  }

  /** Records a failure of the connection itself (not a refusal by the server). */
  noteDown(err: FerryError): void {
    if (this.state !== 'down') this.options.log?.warn({ connection: this.options.label, code: err.code, err: err.message }, 'ftp server unreachable');
    this.state = 'down';
    this.lastError = `${err.code}: ${err.message}`;
    this.lastErrorAt = Date.now();
  }

  health(): RemoteHealth {
    return { label: this.options.label, state: this.state, lastError: this.lastError, lastErrorAt: this.lastErrorAt, lastOkAt: this.lastOkAt };
  }

  /** Closes every connection, busy ones included; waiting operations fail. */
  close(): void {
    this.closed = true;
    for (const session of [...this.live]) session.client.close();
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
    this.idle.length = 0;
    for (const waiter of this.waiters.splice(0)) {
      this.size++;
      waiter.grant('slot');
    }
  }

  /** Opens a session in a slot already counted in `size`. */
  private async connect(): Promise<FtpSession> {
    const waitMs = this.nextAttemptAt - Date.now();
    if (waitMs > 0) {
      this.freeSlot();
      throw new TransientError(
        'E_REMOTE_UNAVAILABLE',
        `${this.options.label} is unavailable (${this.lastError ?? 'connection failed'}); next attempt in ${Math.ceil(waitMs / 1000)} s`,
        { retryAfterMs: waitMs },
      );
    }
    let session: FtpSession;
    try {
      session = await this.options.open();
    } catch (err) {
      this.freeSlot();
      const e = this.options.mapError(err, 'connecting');
      this.failures++;
      const delay = Math.min(this.options.backoffMaxMs, this.options.backoffMs * 2 ** (this.failures - 1));
      this.nextAttemptAt = Date.now() + delay;
      this.noteDown(e);
      throw e;
    }
    this.failures = 0;
    this.nextAttemptAt = 0;
    this.live.add(session);
    this.noteOk();
    if (this.closed) {
      this.drop(session);
      throw new TransientError('E_REMOTE_UNAVAILABLE', `${this.options.label}: the connection was closed`);
    }
    return session;
  }

  private drop(session: FtpSession): void {
    session.client.close();
    if (this.live.delete(session)) this.freeSlot();
  }

  /** Frees a slot, or hands it straight to the longest waiting operation. */
  private freeSlot(): void {
    const waiter = this.waiters.shift();
    if (waiter !== undefined) waiter.grant('slot');
    else this.size--;
  }

  private wait(signal: AbortSignal | undefined): Promise<Grant> {
    return new Promise<Grant>((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        grant: (value) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(value);
        },
      };
      this.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
