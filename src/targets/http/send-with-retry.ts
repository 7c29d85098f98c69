import { InputError, TransientError } from '../../errors.js';
import type { SinkEvents } from '../types.js';
import type { TargetAuth } from './auth.js';
import type { ConcurrencyLimit } from './concurrency.js';
import type { RateLimiter } from './rate-limiter.js';
import { exchange, type Agents, type HttpAnswer, type Timeouts } from './request.js';
import { isRetryableStatus, parseRetryAfter, retryDelayMs, type RetryPolicy } from './retry-policy.js';
import { sleep } from './sleep.js';

/** Everything a sink shares between its requests. */
export interface SinkContext {
  readonly url: URL;
  /** origin and path of the target, for messages (never the query, which may hold a key) */
  readonly where: string;
  readonly method: string;
  /** lower-cased names: content type, profile headers */
  readonly headers: Readonly<Record<string, string>>;
  /** lower-cased */
  readonly idempotencyHeader: string;
  readonly auth: TargetAuth;
  readonly agents: Agents;
  readonly timeouts: Timeouts;
  readonly policy: RetryPolicy;
  readonly limit: ConcurrencyLimit;
  readonly rate: RateLimiter | undefined;
  readonly events: SinkEvents | undefined;
  readonly random: () => number;
  /** wall clock, epoch milliseconds */
  readonly now: () => number;
}

/** One request body to deliver under one idempotency key. */
export interface Part {
  readonly key: string;
  readonly body: Buffer;
  readonly profile: string;
}

/** Counts of one chunk's delivery. */
export interface Tally {
  requests: number;
  retries: number;
}

/** A final answer: 2xx (accepted) or a 4xx that is the target's verdict on the records (rejected). */
export interface PartAnswer {
  readonly accepted: boolean;
  readonly answer: HttpAnswer;
}

function header(answer: HttpAnswer, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function statusLine(answer: HttpAnswer): string {
  return answer.statusText === '' ? String(answer.status) : `${answer.status} ${answer.statusText}`;
}

/** Observers must not be able to break a delivery. */
function notify(fn: () => void): void {
  try {
    fn();
  } catch {
    // an observer's failure is its own business
  }
}

function describeLocation(location: URL | undefined): string {
  return location === undefined ? 'an unreadable Location' : `${location.origin}${location.pathname}`;
}

/**
 * One attempt: a request, plus at most one same-origin 307/308 followed and, for OAuth2, at most
 * one new token after a 401/403. Rejects with InputError E_TARGET_REDIRECT for any other redirect.
 */
async function attempt(ctx: SinkContext, part: Part, tally: Tally, signal: AbortSignal): Promise<HttpAnswer> {
  let url = ctx.url;
  let followed = false;
  let renewed = false;
  for (;;) {
    const credentials = await ctx.auth.headers(part.profile, signal);
    await ctx.rate?.take(signal);
    const headers = { ...ctx.headers, ...credentials, [ctx.idempotencyHeader]: part.key, 'content-length': String(part.body.length) };
    const started = performance.now();
    tally.requests++;
    let answer: HttpAnswer;
    try {
      answer = await exchange({ url, method: ctx.method, headers, body: part.body, timeouts: ctx.timeouts, agents: ctx.agents, signal });
    } catch (error) {
      notify(() => ctx.events?.onRequest?.({ key: part.key, status: undefined, durationMs: performance.now() - started, error }));
      throw error;
    }
    notify(() => ctx.events?.onRequest?.({ key: part.key, status: answer.status, durationMs: performance.now() - started }));
    if (answer.status >= 300 && answer.status < 400) {
      const location = resolveLocation(header(answer, 'location'), url);
      // Same method and body to the same server: what 307/308 mean, and no credentials leave it.
      if (!followed && (answer.status === 307 || answer.status === 308) && location?.origin === url.origin) {
        url = location;
        followed = true;
        continue;
      }
      throw new InputError(
        'E_TARGET_REDIRECT',
        `the target ${ctx.where} answered ${statusLine(answer)} with a redirect to ${describeLocation(location)}, which ferry does not follow ` +
          `(only one 307/308 to the same origin is): set target.url of profile ${part.profile} to the final address`,
      );
    }
    if ((answer.status === 401 || answer.status === 403) && ctx.auth.renewable && !renewed) {
      ctx.auth.renew(credentials);
      renewed = true;
      continue;
    }
    return answer;
  }
}

function resolveLocation(location: string | undefined, base: URL): URL | undefined {
  if (location === undefined) return undefined;
  try {
    return new URL(location, base);
  } catch {
    return undefined;
  }
}

function authError(ctx: SinkContext, answer: HttpAnswer, profile: string): InputError {
  const renewed = ctx.auth.renewable ? ', also with a newly issued token' : '';
  return new InputError(
    'E_TARGET_AUTH',
    `the target ${ctx.where} refused our credentials (${answer.status}${renewed}): check target.auth of profile ${profile}`,
  );
}

/**
 * Sends one part until the target gives a verdict: retries network errors, timeouts, 5xx, 429 and
 * 408 with capped exponential backoff and full jitter (or the target's Retry-After), always with
 * the same key and bytes. Holds a concurrency slot only while a request is in flight, never while
 * it waits. Rejects with TransientError E_TARGET_UNAVAILABLE once the attempts are spent,
 * InputError E_TARGET_AUTH on 401/403, or the signal's reason when it aborts.
 */
export async function sendWithRetry(ctx: SinkContext, part: Part, tally: Tally, signal: AbortSignal): Promise<PartAnswer> {
  for (let n = 1; ; n++) {
    let reason: string;
    let retryAfterMs: number | undefined;
    let cause: unknown;
    let status: number | undefined;
    const release = await ctx.limit.acquire(signal);
    try {
      const answer = await attempt(ctx, part, tally, signal);
      status = answer.status;
      if (status >= 200 && status < 300) return { accepted: true, answer };
      if (status === 401 || status === 403) throw authError(ctx, answer, part.profile);
      if (!isRetryableStatus(status)) return { accepted: false, answer };
      const retryAfter = header(answer, 'retry-after');
      retryAfterMs = parseRetryAfter(retryAfter, header(answer, 'date'), ctx.now());
      reason = retryAfterMs === undefined ? statusLine(answer) : `${statusLine(answer)} (Retry-After: ${retryAfter ?? ''})`;
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (!(error instanceof TransientError)) throw error;
      reason = `${error.message} [${error.code}]`;
      cause = error;
    } finally {
      release();
    }
    if (n >= ctx.policy.attempts) {
      throw new TransientError(
        'E_TARGET_UNAVAILABLE',
        `the target ${ctx.where} did not take the request after ${n} attempt${n === 1 ? '' : 's'}; the last one got: ${reason}`,
        { cause, retryAfterMs },
      );
    }
    const delayMs = retryDelayMs(n, ctx.policy, retryAfterMs, ctx.random);
    tally.retries++;
    notify(() => ctx.events?.onRetry?.({ key: part.key, attempt: n + 1, delayMs, reason, status, error: cause }));
    await sleep(delayMs, signal);
  }
}
