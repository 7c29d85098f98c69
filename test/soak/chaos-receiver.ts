/**
 * A notification endpoint for the soak test that fails at random: 5xx, 429 with Retry-After, the
 * connection destroyed after the body, or a short hang before a 2xx. Every request is kept with
 * its webhook-id, body and whether its Standard Webhooks signature was valid.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One notification attempt as the endpoint saw it. */
export interface ChaosHook {
  readonly id: string;
  readonly body: string;
  readonly signed: boolean;
  /** the status answered, or `destroyed` */
  readonly outcome: number | 'destroyed';
}

/** What the endpoint does with one request. */
export type HookChaos = { readonly status: number; readonly retryAfter?: string; readonly delayMs?: number } | 'destroy';

/** A running chaos endpoint; see {@link startChaosReceiver}. */
export interface ChaosReceiver {
  readonly url: string;
  readonly received: readonly ChaosHook[];
  close(): Promise<void>;
}

function isSigned(secret: string, id: string, timestamp: string, raw: string, header: string): boolean {
  const expected = createHmac('sha256', secret).update(`${id}.${timestamp}.${raw}`).digest('base64');
  return header.split(' ').map((p) => p.replace(/^v1,/, '')).some((g) => g.length === expected.length && timingSafeEqual(Buffer.from(g), Buffer.from(expected)));
}

/** Starts the endpoint on 127.0.0.1; `decide` picks what happens to each request. */
export async function startChaosReceiver(secret: string, path: string, decide: () => HookChaos): Promise<ChaosReceiver> {
  const received: ChaosHook[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id'] ?? '');
      const signed = isSigned(secret, id, String(req.headers['webhook-timestamp'] ?? ''), raw, String(req.headers['webhook-signature'] ?? ''));
      const step = decide();
      if (step === 'destroy') {
        received.push({ id, body: raw, signed, outcome: 'destroyed' });
        req.socket.destroy();
        return;
      }
      received.push({ id, body: raw, signed, outcome: step.status });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (step.retryAfter !== undefined) headers['retry-after'] = step.retryAfter;
      const answer = (): void => {
        if (!res.socket?.destroyed) res.writeHead(step.status, headers).end('{}');
      };
      if ((step.delayMs ?? 0) <= 0) {
        answer();
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        answer();
      }, step.delayMs);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    close: () => new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
