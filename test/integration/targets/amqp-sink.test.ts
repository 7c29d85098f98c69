/**
 * The AMQP sink against the RabbitMQ server: what a message looks like, confirms, nacks retried
 * under the same ids, unroutable records, a missing exchange, refused credentials, and a connection
 * cut in the middle of a chunk. Each test declares its own exchange and queue and deletes them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { createLogger } from '../../../src/log.js';
import type { AmqpTarget } from '../../../src/profiles/schema.js';
import { createAmqpSink, type AmqpSinkOptions } from '../../../src/targets/amqp/amqp-sink.js';
import type { Sink } from '../../../src/targets/types.js';
import { createSelfSignedCert } from '../../../scripts/test-servers/self-signed-cert.js';
import { startFaultProxy } from '../../support/fault-proxy.js';
import { AMQP_PORT, AMQP_URL, closeConnectionsNamed, openTestBroker, startTlsFront, type TestBroker, uniqueName } from '../../support/rabbitmq.js';
import { chunkOf, never, orders, rejection } from './http-sink-harness.js';

const log = createLogger('silent');

function sinkFor(target: Omit<AmqpTarget, 'type' | 'connection'>, url = AMQP_URL, options: Partial<AmqpSinkOptions> = {}): Sink {
  return createAmqpSink({ type: 'amqp', connection: 'bus', ...target }, { type: 'amqp', url }, { log, profile: 'erp-orders', baseDelayMs: 20, ...options });
}

describe('AMQP sink (RabbitMQ on 127.0.0.1)', () => {
  let broker: TestBroker;
  before(async () => {
    broker = await openTestBroker();
  });
  after(async () => {
    await broker.cleanup();
  });

  /** An exchange and a queue bound to it with routing key `orders`. */
  async function route(what: string): Promise<{ exchange: string; queue: string }> {
    const exchange = uniqueName(`${what}-x`);
    const queue = uniqueName(`${what}-q`);
    await broker.exchange(exchange);
    await broker.queue(queue, { exchange, routingKey: 'orders' });
    return { exchange, queue };
  }

  it('publishes one persistent JSON message per record, message id = chunk key + position, confirmed before delivered', async () => {
    const { exchange, queue } = await route('deliver');
    const sink = sinkFor({ exchange, routingKey: 'orders', headers: { 'x-tenant': 'acme' }, traceHeaders: true });
    try {
      const result = await sink.deliver(chunkOf(orders(5), 'ferry-abc'), never);
      assert.deepEqual(result.outcomes.map((o) => o.status), Array(5).fill('delivered'));
      assert.deepEqual(result.outcomes.map((o) => (o.status === 'delivered' ? o.targetId : '')), [0, 1, 2, 3, 4].map((i) => `ferry-abc.${i}`));
      const got = await broker.drain(queue);
      assert.deepEqual(got.map((m) => m.id), [0, 1, 2, 3, 4].map((i) => `ferry-abc.${i}`));
      assert.deepEqual(got.map((m) => JSON.parse(m.body) as unknown), orders(5));
      for (const m of got) {
        assert.equal(m.persistent, true);
        assert.equal(m.contentType, 'application/json');
        assert.equal(m.headers['x-tenant'], 'acme');
        assert.equal(m.headers['x-ferry-batch'], 'b-42');
        assert.equal(m.headers['x-ferry-file'], 'orders.csv');
      }
    } finally {
      await sink.close();
    }
  });

  it('perMessage: batch publishes the chunk as one JSON array under the chunk key', async () => {
    const { exchange, queue } = await route('batch');
    const sink = sinkFor({ exchange, routingKey: 'orders', perMessage: 'batch', batchSize: 3 });
    try {
      const result = await sink.deliver(chunkOf(orders(3), 'ferry-chunk'), never);
      assert.deepEqual(result.outcomes, Array(3).fill({ status: 'delivered', targetId: 'ferry-chunk' }));
      const got = await broker.drain(queue);
      assert.equal(got.length, 1);
      assert.equal(got[0]?.id, 'ferry-chunk');
      assert.equal(got[0]?.headers['x-ferry-count'], 3);
      assert.deepEqual(JSON.parse(got[0]?.body ?? '') as unknown, orders(3));
    } finally {
      await sink.close();
    }
  });

  it('fails the records of a message no queue is bound for (mandatory: basic.return), instead of dropping them', async () => {
    const { exchange, queue } = await route('unroutable');
    const sink = sinkFor({ exchange, routingKey: 'nobody-listens' });
    try {
      const result = await sink.deliver(chunkOf(orders(3)), never);
      assert.equal(result.retries, 0, 'an unroutable message is a verdict, not retried');
      for (const o of result.outcomes) {
        assert.equal(o.status, 'failed');
        assert.match(o.status === 'failed' ? o.error : '', new RegExp(`returned the message as unroutable \\(312 NO_ROUTE\\): no queue is bound to exchange '${exchange}' with routing key 'nobody-listens' \\[E_TARGET_UNROUTABLE\\]`));
      }
      assert.deepEqual(await broker.drain(queue), []);
      // the channel survives a return: once a queue is bound for the key, the same sink gets through
      await broker.channel.bindQueue(queue, exchange, 'nobody-listens');
      const next = await sink.deliver(chunkOf(orders(1), 'ferry-after-return'), never);
      assert.deepEqual(next.outcomes, [{ status: 'delivered', targetId: 'ferry-after-return.0' }]);
    } finally {
      await sink.close();
    }
  });

  it('retries the nacked messages with the same ids until the broker takes them', async () => {
    const exchange = uniqueName('nack-x');
    const queue = uniqueName('nack-q');
    await broker.exchange(exchange);
    // a full queue refuses further publishes with a nack
    await broker.queue(queue, { exchange, routingKey: 'orders' }, { arguments: { 'x-max-length': 3, 'x-overflow': 'reject-publish' } });
    const seen: string[] = [];
    let drains = 0;
    const sink = sinkFor({ exchange, routingKey: 'orders' }, AMQP_URL, {
      events: {
        onRetry: () => {
          drains++;
          void broker.drain(queue).then((ms) => seen.push(...ms.map((m) => m.id ?? '')));
        },
      },
      baseDelayMs: 300,
      random: () => 1,
    });
    try {
      const result = await sink.deliver(chunkOf(orders(6), 'ferry-nack'), never);
      assert.ok(result.retries >= 1 && drains >= 1, `retried (${result.retries})`);
      assert.deepEqual(result.outcomes.map((o) => o.status), Array(6).fill('delivered'));
      seen.push(...(await broker.drain(queue)).map((m) => m.id ?? ''));
      assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4, 5].map((i) => `ferry-nack.${i}`).sort(), 'every record once, under its own id');
    } finally {
      await sink.close();
    }
  });

  it('refuses a missing exchange at once (E_TARGET_REJECTED), and wrong credentials (E_TARGET_AUTH)', async () => {
    const missing = sinkFor({ exchange: uniqueName('missing-x'), routingKey: 'orders' });
    try {
      await assert.rejects(missing.deliver(chunkOf(orders(2)), never), (err: unknown) => rejection('E_TARGET_REJECTED', 'InputError')(err) && /no exchange/.test((err as Error).message));
    } finally {
      await missing.close();
    }
    const url = new URL(AMQP_URL);
    url.password = 'wrong-password';
    const refused = sinkFor({ exchange: 'amq.direct', routingKey: 'orders' }, url.toString());
    try {
      await assert.rejects(refused.deliver(chunkOf(orders(2)), never), (err: unknown) => rejection('E_TARGET_AUTH', 'InputError')(err) && !(err as Error).message.includes('wrong-password'));
    } finally {
      await refused.close();
    }
  });

  it('a connection cut in the middle of a chunk: the unconfirmed messages go again under the same ids, nothing is lost', async () => {
    const { exchange, queue } = await route('cut');
    const proxy = await startFaultProxy(AMQP_PORT);
    const url = new URL(AMQP_URL);
    url.port = String(proxy.port);
    // the handshake is a few hundred bytes; 40 kB in, the client is half-way through 400 messages
    proxy.cutAfterBytes(40_000, 'client');
    let retries = 0;
    const sink = sinkFor({ exchange, routingKey: 'orders' }, url.toString(), { events: { onRetry: () => retries++ } });
    try {
      const records = orders(400);
      const result = await sink.deliver(chunkOf(records, 'ferry-cut'), never);
      assert.ok(retries >= 1, 'the cut was noticed and the chunk retried');
      assert.deepEqual(result.outcomes.map((o) => o.status), Array(400).fill('delivered'));
      const got = await broker.drain(queue);
      const bodies = new Map<string, Set<string>>();
      for (const m of got) bodies.set(m.id ?? '', (bodies.get(m.id ?? '') ?? new Set()).add(m.body));
      assert.equal(bodies.size, 400, 'every record arrived');
      for (const [id, b] of bodies) assert.equal(b.size, 1, `${id}: a duplicate carries the same body`);
      assert.deepEqual([...bodies.keys()].sort(), records.map((_, i) => `ferry-cut.${i}`).sort());
    } finally {
      await sink.close();
      await proxy.close();
    }
  });

  it('amqps:// checks the broker certificate against ca: delivered with it, E_TLS_UNTRUSTED without', async () => {
    const { exchange, queue } = await route('tls');
    const cert = await createSelfSignedCert();
    const front = await startTlsFront(cert);
    const url = new URL(AMQP_URL);
    url.protocol = 'amqps:';
    url.port = String(front.port);
    const trusted = createAmqpSink({ type: 'amqp', connection: 'bus', exchange, routingKey: 'orders' }, { type: 'amqp', url: url.toString(), ca: cert.certPem }, { log, profile: 'tls', baseDelayMs: 20 });
    const untrusted = sinkFor({ exchange, routingKey: 'orders' }, url.toString());
    try {
      assert.deepEqual((await trusted.deliver(chunkOf(orders(2), 'ferry-tls'), never)).outcomes.map((o) => o.status), ['delivered', 'delivered']);
      assert.deepEqual((await broker.drain(queue)).map((m) => m.id), ['ferry-tls.0', 'ferry-tls.1']);
      await assert.rejects(untrusted.deliver(chunkOf(orders(1)), never), rejection('E_TLS_UNTRUSTED', 'InputError'));
    } finally {
      await trusted.close();
      await untrusted.close();
      await front.close();
    }
  });

  it('a connection closed by the broker between chunks is opened again for the next one', async () => {
    const { exchange, queue } = await route('closed');
    const sink = createAmqpSink({ type: 'amqp', connection: 'bus', exchange, routingKey: 'orders' }, { type: 'amqp', url: AMQP_URL }, { log, profile: `closed-${queue}`, baseDelayMs: 20 });
    try {
      assert.equal((await sink.deliver(chunkOf(orders(2), 'ferry-c1'), never)).outcomes.length, 2);
      assert.equal(await closeConnectionsNamed(`ferry closed-${queue} (target)`), 1);
      const second = await sink.deliver(chunkOf(orders(2, 3), 'ferry-c2'), never);
      assert.deepEqual(second.outcomes.map((o) => o.status), ['delivered', 'delivered']);
      assert.deepEqual((await broker.drain(queue)).map((m) => m.id), ['ferry-c1.0', 'ferry-c1.1', 'ferry-c2.0', 'ferry-c2.1']);
    } finally {
      await sink.close();
    }
  });
});
