import { SECRET_KEYS } from '../profiles/connection-schema.js';

const MASK = '***';

/** A URL with the password of its user part masked (`amqp://ferry:***@mq:5672`). */
export function maskedUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, `$1:${MASK}@`);
}

/**
 * A copy of a connection (or any configuration object) for API answers: every value under a
 * secret key (password, privateKey, token, secret, …) is `***`, and credentials in URLs too.
 */
export function maskedConnection(value: unknown): Record<string, unknown> {
  const walk = (v: unknown, key: string | undefined): unknown => {
    if (key !== undefined && SECRET_KEYS.has(key) && v !== undefined && v !== null) return MASK;
    if (typeof v === 'string') return maskedUrl(v);
    if (Array.isArray(v)) return v.map((x) => walk(x, undefined));
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  const out = walk(value, undefined);
  return out !== null && typeof out === 'object' && !Array.isArray(out) ? (out as Record<string, unknown>) : {};
}
