import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';

import { guardedLookup, isLocalName, isPrivateAddress } from './address-guard.js';
import type { Attempt, Endpoint } from './types.js';
import { webhookSignature } from './webhook-signature.js';

/** The Standard Webhooks headers of one attempt. */
export function webhookHeaders(id: string, body: string, secret: string | undefined, nowSeconds: number): Record<string, string> {
  const headers: Record<string, string> = { 'webhook-id': id, 'webhook-timestamp': String(nowSeconds) };
  if (secret !== undefined) headers['webhook-signature'] = `v1,${webhookSignature(secret, id, nowSeconds, body)}`;
  return headers;
}

function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * POSTs one notification. 2xx is delivered; 410 means the endpoint is gone; a private address
 * (unless allowed) or a redirect is refused for good; anything else (network error, timeout, other
 * status) is retried. Redirects are never followed.
 */
export function sendNotification(url: string, id: string, body: string, endpoint: Endpoint, nowSeconds: number): Promise<Attempt> {
  const target = new URL(url);
  if (!endpoint.allowPrivate && (isLocalName(target.hostname) || isPrivateAddress(target.hostname))) {
    return Promise.resolve({ kind: 'refused', reason: `${target.hostname} is a loopback, private or link-local address; set allowPrivate: true to send there` });
  }
  const payload = Buffer.from(body, 'utf8');
  const options: RequestOptions = {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': String(payload.length), 'user-agent': 'ferry', ...webhookHeaders(id, body, endpoint.secret, nowSeconds) },
    lookup: guardedLookup(endpoint.allowPrivate),
    timeout: endpoint.timeoutMs,
  };
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = send(target, options, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) resolve({ kind: 'delivered', status });
      else if (status === 410) resolve({ kind: 'gone' });
      else if (status >= 300 && status < 400) resolve({ kind: 'refused', reason: `HTTP ${status}: redirects are not followed` });
      else {
        const after = retryAfterMs(res.headers['retry-after']);
        resolve({ kind: 'retry', reason: `HTTP ${status}`, ...(after === undefined ? {} : { retryAfterMs: after }) });
      }
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${endpoint.timeoutMs} ms`)));
    req.on('error', (err: Error & { code?: string }) => {
      resolve(err.code === 'E_PRIVATE_ADDRESS' ? { kind: 'refused', reason: err.message } : { kind: 'retry', reason: err.message });
    });
    req.end(payload);
  });
}
