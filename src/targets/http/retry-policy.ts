import { durationMs } from '../../profiles/schema-helpers.js';
import type { HttpTarget } from '../../profiles/schema.js';

/** How often and how patiently a request is retried. */
export interface RetryPolicy {
  /** total attempts, the first one included */
  readonly attempts: number;
  /** the backoff before the second attempt, before jitter */
  readonly baseDelayMs: number;
  /** the longest wait between two attempts, Retry-After included */
  readonly maxDelayMs: number;
}

/** Defaults of `target.retry`. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseDelayMs: 500, maxDelayMs: 5 * 60_000 };

/** The retry policy of a target; `baseDelayMs` (for tests) overrides `retry.baseDelay`. */
export function retryPolicyOf(target: HttpTarget, baseDelayMs?: number): RetryPolicy {
  return retryPolicyFrom(target.retry, baseDelayMs);
}

/** A retry policy from `retry` settings as targets and export sources write them. */
export function retryPolicyFrom(retry: HttpTarget['retry'], baseDelayMs?: number): RetryPolicy {
  return {
    attempts: retry?.attempts ?? DEFAULT_RETRY.attempts,
    baseDelayMs: baseDelayMs ?? (retry?.baseDelay === undefined ? DEFAULT_RETRY.baseDelayMs : durationMs(retry.baseDelay)),
    maxDelayMs: retry?.maxDelay === undefined ? DEFAULT_RETRY.maxDelayMs : durationMs(retry.maxDelay),
  };
}

/**
 * Whether an answer with this status is worth another attempt: 5xx, 429 and 408. Every other
 * status is the target's verdict on the request and would come back the same.
 */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

/**
 * The backoff after failed attempt number `attempt` (1-based): "full jitter", a uniform draw
 * between 0 and `min(maxDelay, base × 2^(attempt-1))`, so that many clients that failed together
 * do not come back together.
 */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const draw = Math.min(1, Math.max(0, random()));
  return Math.round(ceiling * draw);
}

/** The wait before the next attempt: the target's Retry-After when it gave one, else the backoff; never more than maxDelay. */
export function retryDelayMs(attempt: number, policy: RetryPolicy, retryAfterMs: number | undefined, random: () => number): number {
  if (retryAfterMs !== undefined) return Math.min(policy.maxDelayMs, Math.max(0, retryAfterMs));
  return backoffDelayMs(attempt, policy, random);
}

const DELAY_SECONDS = /^\s*(\d+)\s*$/;

/**
 * Milliseconds to wait according to a Retry-After header (RFC 9110 §10.2.3): delay-seconds, or an
 * HTTP date. A date is measured against the answer's own `Date` header when there is one, so that
 * a server whose clock is off from ours still gets the wait it asked for; else against `now`
 * (epoch ms). A date in the past means no wait. `undefined` when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, dateHeader: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const seconds = DELAY_SECONDS.exec(value);
  if (seconds !== null) return Number(seconds[1]) * 1000;
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  const serverNow = dateHeader === undefined ? Number.NaN : Date.parse(dateHeader);
  const reference = Number.isNaN(serverNow) ? now : serverNow;
  return Math.max(0, at - reference);
}
