import { InputError, TransientError } from '../errors.js';
import { isLocalName, isPrivateAddress } from '../notify/address-guard.js';
import type { ExportProfile } from '../profiles/export-schema.js';
import { durationMs, parseRate } from '../profiles/schema-helpers.js';
import { RateLimiter } from '../targets/http/rate-limiter.js';
import { readPath } from '../targets/http/response-outcomes.js';
import { isRetryableStatus, parseRetryAfter, retryDelayMs, retryPolicyFrom, type RetryPolicy } from '../targets/http/retry-policy.js';
import { sleep } from '../targets/http/sleep.js';
import { guardedGet, PrivateAddressError } from './guarded-get.js';
import type { PageContext } from './types.js';

type Source = ExportProfile['source'];

/** Fills `{since}` and `{param.x}` into a URL template, URL-encoded. */
export function fillUrl(template: string, vars: Readonly<Record<string, string>>): URL {
  const filled = template.replace(/\{(since|param\.[A-Za-z][A-Za-z0-9_]*)\}/g, (_m, key: string) => encodeURIComponent(vars[key] ?? ''));
  return new URL(filled);
}

/**
 * Refuses an API on a literal loopback, private or link-local address, or a local name, before any
 * request. A name is checked again when it is resolved for each connection (see guardedGet), so
 * pointing it inside after the check (DNS rebinding) does not help.
 */
function refusePrivate(url: URL): void {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isLocalName(host) || isPrivateAddress(host)) throw new InputError('E_EXPORT_SOURCE', `${url.hostname} is a loopback, private or link-local address; set source.allowPrivate: true to read from there`);
}

/** The next URL of a `Link: <…>; rel="next"` header. */
function linkNext(header: string | null, base: URL): URL | undefined {
  if (header === null) return undefined;
  for (const part of header.split(',')) {
    const m = /<([^>]*)>\s*;(?:[^,]*?)rel="?([^";]+)"?/i.exec(part);
    if (m !== null && (m[2] ?? '').split(/\s+/).includes('next')) return new URL(m[1] ?? '', base);
  }
  return undefined;
}

async function getJson(url: URL, ctx: PageContext, timeoutMs: number, policy: RetryPolicy, allowPrivate: boolean): Promise<{ body: unknown; link: string | null }> {
  for (let attempt = 1; ; attempt++) {
    let status = 0;
    let retryAfter: number | undefined;
    let reason: string;
    try {
      const res = await guardedGet(url, { accept: 'application/json', ...(await ctx.headers()) }, allowPrivate, AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]));
      status = res.status;
      if (res.ok) {
        try {
          return { body: JSON.parse(res.text) as unknown, link: res.header('link') };
        } catch {
          throw new InputError('E_EXPORT_SOURCE', `${url.origin}${url.pathname} answered with text that is not JSON`);
        }
      }
      if (status >= 300 && status < 400) throw new InputError('E_EXPORT_SOURCE', `${url.origin}${url.pathname} answered HTTP ${status}; redirects are not followed`);
      if (!isRetryableStatus(status)) throw new InputError('E_EXPORT_SOURCE', `${url.origin}${url.pathname} answered HTTP ${status}`);
      retryAfter = parseRetryAfter(res.header('retry-after') ?? undefined, res.header('date') ?? undefined, Date.now());
      reason = `HTTP ${status}`;
    } catch (err) {
      if (err instanceof InputError || ctx.signal.aborted) throw err;
      if (err instanceof PrivateAddressError) throw new InputError('E_EXPORT_SOURCE', `${err.message.replace('allowPrivate', 'source.allowPrivate')}`);
      reason = err instanceof Error ? err.message : String(err);
    }
    if (attempt >= policy.attempts) throw new TransientError('E_EXPORT_SOURCE_UNAVAILABLE', `${url.origin}${url.pathname} failed ${attempt} times; last: ${reason}`);
    await sleep(retryDelayMs(attempt, policy, retryAfter, Math.random), ctx.signal);
  }
}

/**
 * The records of an export's API, page by page: follows `next` (Link header, a cursor, page
 * numbers or offsets) until a page is empty or has no next, at most `maxPages` pages. Network
 * errors, timeouts, 429 and 5xx are retried with backoff; other statuses fail the export. With
 * `rate`, requests leave at most that often.
 */
export async function* fetchPages(source: Source, ctx: PageContext): AsyncGenerator<unknown[]> {
  const timeoutMs = source.timeout === undefined ? 30_000 : durationMs(source.timeout);
  const policy = retryPolicyFrom(source.retry);
  const maxPages = source.maxPages ?? 10_000;
  const next = source.next;
  const perSecond = source.rate === undefined ? undefined : parseRate(source.rate);
  const limiter = perSecond === undefined ? undefined : new RateLimiter(perSecond);
  let url: URL | undefined = fillUrl(source.url, ctx.vars);
  const allowPrivate = source.allowPrivate === true;
  if (!allowPrivate) refusePrivate(url);
  const first = url;
  let page = next !== undefined && 'page' in next ? (next.start ?? 1) : 0;
  let offset = 0;
  for (let n = 0; url !== undefined && n < maxPages; n++) {
    await limiter?.take(ctx.signal);
    const { body, link } = await getJson(url, ctx, timeoutMs, policy, allowPrivate);
    const items = readPath(body, source.items);
    if (!Array.isArray(items)) throw new InputError('E_EXPORT_SOURCE', `the page at ${url.pathname} has no array at ${source.items ?? 'its top level'}`);
    if (items.length > 0) yield items;
    if (next === undefined || items.length === 0) return;
    if ('link' in next) {
      url = linkNext(link, url);
      // a Link header may point anywhere: the same origin only
      if (url !== undefined && url.origin !== first.origin) throw new InputError('E_EXPORT_SOURCE', `the next page is on another origin (${url.origin}); ferry follows pages on ${first.origin} only`);
    } else if ('cursor' in next) {
      const cursor = readPath(body, next.cursor);
      if (cursor === undefined || cursor === null || cursor === '') return;
      url = new URL(first);
      url.searchParams.set(next.param, String(cursor));
    } else if ('page' in next) {
      page++;
      url = new URL(first);
      url.searchParams.set(next.page, String(page));
    } else {
      offset += items.length;
      if (items.length < next.size) return;
      url = new URL(first);
      url.searchParams.set(next.offset, String(offset));
    }
  }
}
