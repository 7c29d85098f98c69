import { maskedUrl } from '../admin/masked.js';
import { durationMs } from '../profiles/schema-helpers.js';
import type { LoadedProfile } from '../profiles/types.js';
import type { Endpoint } from './types.js';

/** Per attempt, unless `notify[].timeout` says otherwise (Standard Webhooks suggests 15–30 s). */
export const DEFAULT_NOTIFY_TIMEOUT_MS = 15_000;

/**
 * How to send to `url` for a profile, from its current `notify` entry; undefined when it has none.
 * The outbox keeps URLs with their password masked, so an entry matches by its masked URL too, and
 * the endpoint carries the real one.
 */
export function endpointOf(loaded: LoadedProfile | undefined, url: string): Endpoint | undefined {
  const entry = loaded?.profile.notify?.find((n) => n.url === url) ?? loaded?.profile.notify?.find((n) => maskedUrl(n.url) === url);
  if (entry === undefined) return undefined;
  return { url: entry.url, secret: entry.secret, allowPrivate: entry.allowPrivate === true, timeoutMs: entry.timeout === undefined ? DEFAULT_NOTIFY_TIMEOUT_MS : durationMs(entry.timeout) };
}
