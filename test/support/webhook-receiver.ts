import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One notification as the receiver saw it. */
export interface ReceivedHook {
  readonly id: string;
  readonly timestamp: string;
  /** true when webhook-signature is a valid v1 HMAC of id.timestamp.body with the secret */
  readonly signed: boolean;
  readonly body: Record<string, unknown>;
  /** the status the receiver answered */
  readonly status: number;
}

/** What to do with a request: answer this status, or hang without answering. */
export type HookReply = number | 'hang';

/** A customer's webhook endpoint on 127.0.0.1 that checks Standard Webhooks signatures. */
export interface WebhookReceiver {
  readonly url: string;
  readonly received: readonly ReceivedHook[];
  /** replies for the next requests, in order; after them, 200 */
  script(replies: readonly HookReply[] | ((n: number) => HookReply)): void;
  /** the accepted (2xx) deliveries */
  delivered(): ReceivedHook[];
  /** forgets what was received */
  clear(): void;
  close(): Promise<void>;
}

/** Starts a receiver that verifies signatures made with `secret` (on `port`, or any free one). */
export async function startWebhookReceiver(secret: string, port = 0): Promise<WebhookReceiver> {
  const received: ReceivedHook[] = [];
  let replies: readonly HookReply[] | ((n: number) => HookReply) = [];
  let count = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = count++;
      const reply: HookReply = typeof replies === 'function' ? replies(n) : (replies[n] ?? 200);
      const raw = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id'] ?? '');
      const timestamp = String(req.headers['webhook-timestamp'] ?? '');
      const expected = createHmac('sha256', secret).update(`${id}.${timestamp}.${raw}`).digest('base64');
      const given = String(req.headers['webhook-signature'] ?? '').split(' ').map((p) => p.replace(/^v1,/, ''));
      const signed = given.some((g) => g.length === expected.length && timingSafeEqual(Buffer.from(g), Buffer.from(expected)));
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        body = { unparsable: raw };
      }
      if (reply === 'hang') {
        received.push({ id, timestamp, signed, body, status: 0 });
        return;
      }
      received.push({ id, timestamp, signed, body, status: reply });
      res.writeHead(reply, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/hooks/ferry`,
    received,
    script(r) {
      replies = r;
      count = 0;
    },
    delivered: () => received.filter((h) => h.status >= 200 && h.status < 300),
    clear() {
      received.length = 0;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
