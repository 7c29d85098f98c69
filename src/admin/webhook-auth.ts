import type { IncomingHttpHeaders } from 'node:http';

import { webhookSignature } from '../notify/webhook-signature.js';
import { bearerToken, sameSecret } from './admin-tokens.js';

/** How far a signed call's timestamp may be from our clock, either way. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** A profile's `trigger.webhook`: a bearer token, an HMAC secret, or both (either is accepted). */
export interface WebhookCredentials {
  readonly token?: string | undefined;
  readonly secret?: string | undefined;
}

/** The outcome of checking one call. */
export type WebhookCheck = { ok: true; via: 'token' | 'signature' } | { ok: false; status: 401 | 409; message: string };

/** Message ids seen within the tolerance window, so a captured call cannot be replayed. */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();

  /** False when `id` was seen within the window; records it otherwise. */
  firstTime(id: string, nowSeconds: number): boolean {
    for (const [key, at] of this.seen) {
      if (at >= nowSeconds - 2 * WEBHOOK_TOLERANCE_SECONDS) break;
      this.seen.delete(key);
    }
    if (this.seen.has(id)) return false;
    this.seen.set(id, nowSeconds);
    return true;
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Checks a call to `/hooks/<profile>`. A bearer token is compared in constant time. A signature
 * follows Standard Webhooks: `webhook-id`, `webhook-timestamp` (Unix seconds, at most five minutes
 * off) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, several
 * space-separated allowed); an id seen before within the window is a replay (409).
 */
export function checkWebhook(creds: WebhookCredentials, headers: IncomingHttpHeaders, body: Buffer, nowSeconds: number, replays: ReplayGuard): WebhookCheck {
  const auth = header(headers, 'authorization');
  if (creds.token !== undefined && auth !== undefined) {
    const given = bearerToken(auth);
    if (given !== undefined && sameSecret(given, creds.token)) return { ok: true, via: 'token' };
    return { ok: false, status: 401, message: 'the bearer token is not this profile\'s webhook token' };
  }
  const signature = header(headers, 'webhook-signature');
  if (creds.secret !== undefined && signature !== undefined) {
    const id = header(headers, 'webhook-id') ?? '';
    const timestamp = header(headers, 'webhook-timestamp') ?? '';
    if (id === '' || !/^\d{1,12}$/.test(timestamp)) return { ok: false, status: 401, message: 'a signed call needs webhook-id and webhook-timestamp (Unix seconds)' };
    if (Math.abs(nowSeconds - Number(timestamp)) > WEBHOOK_TOLERANCE_SECONDS) return { ok: false, status: 401, message: `webhook-timestamp is more than ${WEBHOOK_TOLERANCE_SECONDS} s away from our clock` };
    const expected = webhookSignature(creds.secret, id, timestamp, body);
    const matches = signature.split(' ').some((part) => part.startsWith('v1,') && sameSecret(part.slice(3), expected));
    if (!matches) return { ok: false, status: 401, message: 'webhook-signature does not match the body' };
    if (!replays.firstTime(id, nowSeconds)) return { ok: false, status: 409, message: `webhook-id ${id} was already received; a replayed call starts nothing` };
    return { ok: true, via: 'signature' };
  }
  return { ok: false, status: 401, message: 'this profile\'s webhook needs ' + [creds.token === undefined ? '' : 'Authorization: Bearer <token>', creds.secret === undefined ? '' : 'a webhook-signature'].filter((x) => x !== '').join(' or ') };
}
