import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

import { guardedLookup } from '../notify/address-guard.js';

/** The answer to one GET: status, headers and the body as text. */
export interface GuardedAnswer {
  readonly status: number;
  readonly ok: boolean;
  header(name: string): string | null;
  readonly text: string;
}

/** Thrown when the name resolved to an address the source may not read from (checked at connect time). */
export class PrivateAddressError extends Error {
  readonly code = 'E_PRIVATE_ADDRESS';
}

function headerOf(headers: IncomingHttpHeaders, name: string): string | null {
  const v = headers[name.toLowerCase()];
  if (v === undefined) return null;
  return Array.isArray(v) ? v.join(', ') : v;
}

/**
 * GETs `url` and reads the whole body. The DNS lookup refuses loopback, private and link-local
 * addresses unless `allowPrivate` (so a name re-pointed inside after the profile was checked is
 * still refused: DNS rebinding); redirects are not followed (a 3xx is returned as is). Aborts with
 * `signal`.
 */
export function guardedGet(url: URL, headers: Readonly<Record<string, string>>, allowPrivate: boolean, signal: AbortSignal): Promise<GuardedAnswer> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: 'GET', headers: { ...headers }, lookup: guardedLookup(allowPrivate), signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        resolve({ status, ok: status >= 200 && status < 300, header: (n) => headerOf(res.headers, n), text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', (err: Error & { code?: string }) => reject(err.code === 'E_PRIVATE_ADDRESS' ? new PrivateAddressError(err.message) : err));
    req.end();
  });
}
