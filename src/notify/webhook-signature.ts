import { createHmac } from 'node:crypto';

/** Standard Webhooks keys may be written `whsec_<base64>`; anything else is used as UTF-8 bytes. */
function keyOf(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
}

/**
 * The Standard Webhooks signature of one message, without the `v1,` prefix: base64 HMAC-SHA256
 * of `id.timestamp.body`. Used both for the notifications ferry sends and the webhooks it takes.
 */
export function webhookSignature(secret: string, id: string, timestamp: string | number, body: string | Buffer): string {
  return createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.`).update(body).digest('base64');
}
