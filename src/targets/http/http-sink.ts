import { setMaxListeners } from 'node:events';
import { validateHeaderName, validateHeaderValue } from 'node:http';

import { InputError } from '../../errors.js';
import { parseRate } from '../../profiles/schema-helpers.js';
import type { HttpTarget } from '../../profiles/schema.js';
import { compileBodyTemplate, type BodyTemplate } from '../body-template.js';
import type { ChunkResult, DeliveryChunk, RecordOutcome, Sink, SinkEvents } from '../types.js';
import { createTargetAuth } from './auth.js';
import { ConcurrencyLimit } from './concurrency.js';
import { RateLimiter } from './rate-limiter.js';
import { Agents, timeoutsOf } from './request.js';
import { outcomesOf, rejectionText } from './response-outcomes.js';
import { retryPolicyOf } from './retry-policy.js';
import { sendWithRetry, type SinkContext, type Tally } from './send-with-retry.js';

/** Options of {@link createHttpSink}; all for observing and testing. */
export interface HttpSinkOptions {
  readonly events?: SinkEvents;
  /** the first backoff before jitter; overrides `target.retry.baseDelay` (default 500 ms) */
  readonly baseDelayMs?: number;
  /** the jitter's random source, in [0, 1) (default Math.random) */
  readonly random?: () => number;
  /** the wall clock in epoch milliseconds, for Retry-After dates and token lifetimes (default Date.now) */
  readonly now?: () => number;
}

/** Records per request when the profile does not say (as `ferry check` and `ferry preview` assume). */
const DEFAULT_BATCH_SIZE = 100;
const DEFAULT_IDEMPOTENCY_HEADER = 'Idempotency-Key';

function profileError(message: string): InputError {
  return new InputError('E_PROFILE_INVALID', message);
}

/** Fixed request headers: JSON, then the profile's headers (lower-cased, so that a profile's own Content-Type wins). */
function fixedHeaders(target: HttpTarget): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'ferry' };
  for (const [name, value] of Object.entries(target.headers ?? {})) {
    try {
      validateHeaderName(name);
    } catch {
      throw profileError(`target.headers: "${name}" is not a valid HTTP header name`);
    }
    try {
      validateHeaderValue(name, value);
    } catch {
      // the value may be a secret: name the header only
      throw profileError(`target.headers.${name}: the value holds characters that an HTTP header cannot carry (such as a line break)`);
    }
    headers[name.toLowerCase()] = value;
  }
  return headers;
}

function targetUrl(text: string): URL {
  const url = new URL(text);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw profileError(`target.url must be an http: or https: URL, not ${url.protocol}`);
  return url;
}

/**
 * Splits a refused part in halves under derived keys (`key.0`, `key.1`, then `key.1.0` …) until the
 * refused records stand alone, so that one bad record does not sink its batch. The derivation is
 * deterministic: a restart sends the same halves under the same keys.
 */
async function deliverPart(
  ctx: SinkContext,
  template: BodyTemplate,
  response: HttpTarget['response'],
  chunk: DeliveryChunk,
  range: { readonly from: number; readonly to: number; readonly key: string },
  tally: Tally,
  signal: AbortSignal,
): Promise<RecordOutcome[]> {
  const { from, to, key } = range;
  const records = from === 0 && to === chunk.records.length ? chunk.records : chunk.records.slice(from, to);
  const body = template.renderBytes({ records, file: chunk.file, batch: chunk.batch, profile: chunk.profile });
  const result = await sendWithRetry(ctx, { key, body, profile: chunk.profile }, tally, signal);
  if (result.accepted) return outcomesOf(result.answer, response, records.length);
  if (records.length === 1) return [{ status: 'failed', error: rejectionText(result.answer) }];
  const mid = from + Math.ceil((to - from) / 2);
  const [first, second] = await Promise.all([
    deliverPart(ctx, template, response, chunk, { from, to: mid, key: `${key}.0` }, tally, signal),
    deliverPart(ctx, template, response, chunk, { from: mid, to, key: `${key}.1` }, tally, signal),
  ]);
  return [...first, ...second];
}

/**
 * The HTTP target of a profile (`target.type: http`). Each chunk is one request (until the target
 * refuses it with a 4xx, which splits it), carrying the chunk's idempotency key and the same bytes on
 * every retry. Requests use node:http with keep-alive; at most `target.concurrency` are in flight
 * and at most `target.rate` leave per second, across every chunk of the sink.
 *
 * Throws InputError E_PROFILE_INVALID when the target block cannot be used (a bad body template,
 * header or URL); `ferry check` reports those first.
 */
export function createHttpSink(target: HttpTarget, options: HttpSinkOptions = {}): Sink {
  const compiled = compileBodyTemplate(target.body, target.batchSize ?? DEFAULT_BATCH_SIZE);
  if (!compiled.ok) throw profileError(`target.body: ${compiled.message}`);
  const template = compiled.template;
  const url = targetUrl(target.url);
  const now = options.now ?? Date.now;
  const agents = new Agents();
  const timeouts = timeoutsOf(target);
  const auth = createTargetAuth(target.auth, { agents, timeouts, now });
  const rate = target.rate === undefined ? undefined : parseRate(target.rate);
  const ctx: SinkContext = {
    url,
    where: `${url.origin}${url.pathname}`,
    method: target.method ?? 'POST',
    headers: fixedHeaders(target),
    idempotencyHeader: (target.idempotencyHeader ?? DEFAULT_IDEMPOTENCY_HEADER).toLowerCase(),
    auth,
    agents,
    timeouts,
    policy: retryPolicyOf(target, options.baseDelayMs),
    limit: new ConcurrencyLimit(target.concurrency ?? 1),
    rate: rate === undefined || rate <= 0 ? undefined : new RateLimiter(rate),
    events: options.events,
    random: options.random ?? Math.random,
    now,
  };
  // Aborted by close(): every delivery in progress stops, instead of retrying on a closed sink.
  const closed = new AbortController();
  // Every delivery and every pending request listens to these; many at once is normal, not a leak.
  setMaxListeners(0, closed.signal);

  return {
    async deliver(chunk: DeliveryChunk, signal: AbortSignal): Promise<ChunkResult> {
      if (closed.signal.aborted) throw closed.signal.reason;
      if (signal.aborted) throw signal.reason;
      const tally: Tally = { requests: 0, retries: 0 };
      if (chunk.records.length === 0) return { outcomes: [], requests: 0, retries: 0 };
      // One signal for the whole chunk: the caller's, close(), or the first half that failed.
      const inner = new AbortController();
      setMaxListeners(0, inner.signal);
      const stop = (): void => inner.abort(signal.aborted ? signal.reason : closed.signal.reason);
      signal.addEventListener('abort', stop, { once: true });
      closed.signal.addEventListener('abort', stop, { once: true });
      try {
        const range = { from: 0, to: chunk.records.length, key: chunk.key };
        const outcomes = await deliverPart(ctx, template, target.response, chunk, range, tally, inner.signal);
        return { outcomes, requests: tally.requests, retries: tally.retries };
      } catch (error) {
        inner.abort(error);
        throw signal.aborted ? signal.reason : error;
      } finally {
        signal.removeEventListener('abort', stop);
        closed.signal.removeEventListener('abort', stop);
      }
    },

    close(): Promise<void> {
      closed.abort(new Error('the HTTP sink was closed'));
      auth.close();
      agents.destroy();
      return Promise.resolve();
    },
  };
}
