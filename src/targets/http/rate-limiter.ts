import { sleep } from './sleep.js';

/**
 * A token bucket holding one token, refilled at `perSecond`: requests leave at least
 * `1 / perSecond` apart, so no window of one second ever holds more than `perSecond` of them.
 * A bigger bucket would allow bursts of twice the configured rate, which is what a target's
 * own rate limiter answers with 429.
 */
export class RateLimiter {
  readonly #intervalMs: number;
  readonly #now: () => number;
  #nextAt = Number.NEGATIVE_INFINITY;

  /** `now` is a monotonic clock in milliseconds (default `performance.now`). */
  constructor(perSecond: number, now: () => number = () => performance.now()) {
    this.#intervalMs = 1000 / perSecond;
    this.#now = now;
  }

  /** Resolves when the next request may leave; rejects with the signal's reason if it aborts first. */
  take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    const now = this.#now();
    const at = Math.max(now, this.#nextAt);
    this.#nextAt = at + this.#intervalMs;
    return sleep(at - now, signal);
  }
}
