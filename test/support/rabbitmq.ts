/**
 * The RabbitMQ server of the development and CI machines (127.0.0.1:5672, guest/guest; override
 * with FERRY_TEST_AMQP_URL) as tests use it: uniquely named exchanges and queues, deleted after
 * the test; reading what arrived; and closing ferry's connections from the broker's side.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { type AddressInfo, connect as connectTcp } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { promisify } from 'node:util';

import { connect, type ChannelModel, type ConfirmChannel, type GetMessage, type Options } from 'amqplib';

const run = promisify(execFile);

/** The broker's URL, with credentials. */
export const AMQP_URL = process.env.FERRY_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
/** The broker's port. */
export const AMQP_PORT = Number(new URL(AMQP_URL).port || 5672);

/** A name no other test (or earlier run) uses: `ferry-test-<what>-<time>-<random>`. */
export function uniqueName(what: string): string {
  return `ferry-test-${what}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** A message as a consumer of the queue saw it. */
export interface SeenMessage {
  readonly id: string | undefined;
  readonly body: string;
  readonly persistent: boolean;
  readonly contentType: string | undefined;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly redelivered: boolean;
}

/** A connection of the test itself to the broker, and what it declared. */
export interface TestBroker {
  readonly channel: ConfirmChannel;
  /** a durable direct exchange, deleted by cleanup() */
  exchange(name: string, type?: string): Promise<void>;
  /** a durable queue, optionally bound to `exchange` with `routingKey`; deleted by cleanup() */
  queue(name: string, bind?: { exchange: string; routingKey: string }, options?: Options.AssertQueue): Promise<void>;
  /** publishes straight to a queue and waits for the broker's confirm */
  send(queue: string, body: string | Buffer, properties?: Options.Publish): Promise<void>;
  /** takes (and acknowledges) every message waiting in the queue, in order */
  drain(queue: string): Promise<SeenMessage[]>;
  /** messages ready in the queue, and messages delivered to a consumer but not yet acknowledged */
  depth(queue: string): Promise<{ ready: number; unacked: number; consumers: number }>;
  /** deletes every exchange and queue declared here and closes the connection */
  cleanup(): Promise<void>;
}

function seen(m: GetMessage): SeenMessage {
  const p = m.properties;
  return {
    id: typeof p.messageId === 'string' ? p.messageId : undefined,
    body: m.content.toString('utf8'),
    persistent: p.deliveryMode === 2,
    contentType: typeof p.contentType === 'string' ? p.contentType : undefined,
    headers: p.headers ?? {},
    redelivered: m.fields.redelivered,
  };
}

/** Connects the test to the broker. */
export async function openTestBroker(): Promise<TestBroker> {
  let model: ChannelModel;
  try {
    model = await connect(AMQP_URL, { clientProperties: { connection_name: 'ferry test fixture' } });
  } catch (err) {
    throw new Error(`the AMQP tests need RabbitMQ at ${new URL(AMQP_URL).host} (guest/guest): start it (service rabbitmq-server start; .ci/run does) or set FERRY_TEST_AMQP_URL`, { cause: err });
  }
  model.on('error', () => undefined);
  const channel = await model.createConfirmChannel();
  const exchanges: string[] = [];
  const queues: string[] = [];
  return {
    channel,
    async exchange(name, type = 'direct') {
      await channel.assertExchange(name, type, { durable: true });
      exchanges.push(name);
    },
    async queue(name, bind, options = {}) {
      await channel.assertQueue(name, { durable: true, ...options });
      queues.push(name);
      if (bind !== undefined) await channel.bindQueue(name, bind.exchange, bind.routingKey);
    },
    async send(queue, body, properties = {}) {
      channel.sendToQueue(queue, typeof body === 'string' ? Buffer.from(body) : body, { persistent: true, ...properties });
      await channel.waitForConfirms();
    },
    async drain(queue) {
      const out: SeenMessage[] = [];
      for (;;) {
        const m = await channel.get(queue, { noAck: true });
        if (m === false) return out;
        out.push(seen(m));
      }
    },
    async depth(queue) {
      // rabbitmqctl knows the unacknowledged count, which a passive declare does not tell
      const { stdout } = await run('rabbitmqctl', ['list_queues', 'name', 'messages_ready', 'messages_unacknowledged', 'consumers', '-q', '--no-table-headers']);
      const line = stdout.split('\n').map((l) => l.split('\t')).find((cols) => cols[0] === queue);
      return { ready: Number(line?.[1] ?? 0), unacked: Number(line?.[2] ?? 0), consumers: Number(line?.[3] ?? 0) };
    },
    async cleanup() {
      for (const q of queues) await channel.deleteQueue(q).catch(() => undefined);
      for (const e of exchanges) await channel.deleteExchange(e).catch(() => undefined);
      await model.close().catch(() => undefined);
    },
  };
}

/**
 * Closes, from the broker's side (`rabbitmqctl close_connection`, as an operator or a broker
 * restart would), every connection whose client-given name contains `name`; returns how many.
 */
export async function closeConnectionsNamed(name: string): Promise<number> {
  const { stdout } = await run('rabbitmqctl', ['list_connections', 'pid', 'client_properties', '-q', '--no-table-headers']);
  const pids = stdout.split('\n').filter((l) => l.includes(name)).map((l) => l.split('\t')[0] ?? '').filter((p) => p !== '');
  for (const pid of pids) await run('rabbitmqctl', ['close_connection', pid, 'closed by a ferry test']);
  return pids.length;
}

/**
 * The workspace's orders profile (see ordersProfile) with an AMQP target instead of HTTP: the
 * connection `bus` of connections.yaml, whose URL comes from ${FERRY_TEST_BUS_URL}.
 */
export function withAmqpTarget(profile: string, target: { exchange: string; routingKey: string; batchSize?: number; perMessage?: 'record' | 'batch'; traceHeaders?: boolean }): string {
  const block = [
    'target:',
    '  type: amqp',
    '  connection: bus',
    `  exchange: ${target.exchange}`,
    `  routingKey: ${target.routingKey}`,
    `  batchSize: ${target.batchSize ?? 10}`,
    ...(target.perMessage === undefined ? [] : [`  perMessage: ${target.perMessage}`]),
    ...(target.traceHeaders === undefined ? [] : [`  traceHeaders: ${String(target.traceHeaders)}`]),
    '  retry: { attempts: 6, baseDelay: 50ms, maxDelay: 1s }',
    '  timeout: 10s',
    '',
  ].join('\n');
  return profile.replace(/target:\n(?: {2}.*\n)+/, block);
}

/** connections.yaml with the broker `bus` (URL from ${FERRY_TEST_BUS_URL}), for {@link withAmqpTarget} and amqp sources. */
export const BUS_CONNECTIONS = 'bus:\n  type: amqp\n  url: "${FERRY_TEST_BUS_URL}"\n  heartbeat: 10s\n';

/** The broker URL through a proxy on `port` (for fault injection), with the same credentials. */
export function urlVia(port: number): string {
  const url = new URL(AMQP_URL);
  url.port = String(port);
  return url.toString();
}

/**
 * A TLS front for the broker on 127.0.0.1 (a free port): it terminates TLS with the given
 * certificate and passes the bytes on to the broker's plain port, as a TLS listener would.
 */
export async function startTlsFront(cert: { certPem: string; keyPem: string }): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<{ destroy(): void }>();
  const server = createTlsServer({ cert: cert.certPem, key: cert.keyPem }, (client) => {
    const upstream = connectTcp(AMQP_PORT, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  server.on('tlsClientError', () => undefined);
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
