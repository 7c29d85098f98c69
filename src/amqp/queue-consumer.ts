import type { Channel, ConsumeMessage } from 'amqplib';

import type { Logger } from '../log.js';
import type { AmqpConnection } from '../profiles/connection-schema.js';
import { AmqpLink } from './amqp-link.js';
import { errorText } from './broker-error.js';
import type { AmqpDelivery, DeliveryHandler, QueueConsumer, QueueConsumerOptions } from './types.js';

/** Reconnection backoff: 1 s doubling to this (a broker down for an hour is asked once a minute). */
const MAX_RECONNECT_MS = 60_000;
/** Requeues of one message wait at most this long before the message goes back. */
const MAX_REQUEUE_DELAY_MS = 5 * 60_000;

function textHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (typeof v === 'string') out[k] = v;
    else if (Buffer.isBuffer(v)) out[k] = v.toString('utf8');
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}

function deliveryOf(msg: ConsumeMessage): AmqpDelivery {
  const id: unknown = msg.properties.messageId;
  const type: unknown = msg.properties.contentType;
  return {
    body: msg.content,
    messageId: typeof id === 'string' && id !== '' ? id : undefined,
    redelivered: msg.fields.redelivered,
    contentType: typeof type === 'string' ? type : undefined,
    headers: textHeaders(msg.properties.headers),
  };
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Consumes `queue` until stopped, with manual acknowledgements: each delivery gets the verdict of
 * `handle`, given only once the handler has decided, so a crash before that leaves the message on
 * the broker to be delivered again. The queue is not declared (it belongs to the broker's admin);
 * a missing queue, a refused login or a lost connection is logged and tried again with backoff.
 * A requeued message is given back after a delay that doubles per requeue of the same message
 * (by message id), so that a busy profile does not spin the broker. `log` should name the queue:
 * the consumer's own lines do not repeat it.
 */
export function consumeQueue(spec: AmqpConnection, queue: string, handle: DeliveryHandler, options: QueueConsumerOptions & { log: Logger }): QueueConsumer {
  const log = options.log;
  const link = new AmqpLink(spec, options.name, log);
  const stopping = new AbortController();
  const handling = new Set<Promise<void>>();
  const requeues = new Map<string, number>();
  const baseDelay = options.requeueDelayMs ?? 1000;
  let cancel: (() => Promise<void>) | undefined;

  const settle = async (ch: Channel, msg: ConsumeMessage, verdict: 'ack' | 'requeue' | 'reject', key: string): Promise<void> => {
    if (verdict === 'requeue') {
      const n = (requeues.get(key) ?? 0) + 1;
      requeues.set(key, n);
      await wait(Math.min(baseDelay * 2 ** (n - 1), MAX_REQUEUE_DELAY_MS), stopping.signal);
    } else {
      requeues.delete(key);
    }
    try {
      if (verdict === 'ack') ch.ack(msg);
      else ch.nack(msg, false, verdict === 'requeue');
    } catch {
      // the channel is gone: the broker gives the message back by itself, and it is handled again
    }
  };

  const dispatch = (ch: Channel, msg: ConsumeMessage): void => {
    const delivery = deliveryOf(msg);
    const key = delivery.messageId ?? `tag:${msg.fields.deliveryTag}`;
    const p: Promise<void> = handle(delivery, stopping.signal)
      .catch((err: unknown) => {
        if (!stopping.signal.aborted) log.error({ err, messageId: delivery.messageId }, 'a message could not be handled; it goes back to the queue');
        return 'requeue' as const;
      })
      .then((verdict) => settle(ch, msg, verdict, key))
      .finally(() => handling.delete(p));
    handling.add(p);
  };

  const session = async (): Promise<void> => {
    const model = await link.open();
    const ch = await model.createChannel();
    const closed = new Promise<void>((resolve) => ch.once('close', () => resolve()));
    ch.on('error', (err: Error) => {
      link.lastError = err;
    });
    await ch.checkQueue(queue);
    await ch.prefetch(options.prefetch ?? 1);
    const { consumerTag } = await ch.consume(queue, (msg) => {
      // null: the broker cancelled us (the queue was deleted); start over
      if (msg === null) ch.close().catch(() => undefined);
      else dispatch(ch, msg);
    }, { noAck: false });
    cancel = async () => {
      await ch.cancel(consumerTag).catch(() => undefined);
    };
    log.info({ broker: link.where }, 'consuming the queue');
    await closed;
  };

  const loop = async (): Promise<void> => {
    let failures = 0;
    while (!stopping.signal.aborted) {
      try {
        await session();
        failures = 0;
        if (!stopping.signal.aborted) log.warn({ broker: link.where, reason: link.lastReason('the channel was closed') }, 'lost the broker; connecting again');
      } catch (err) {
        if (stopping.signal.aborted) break;
        failures++;
        // the first failure and then every tenth, not one line per attempt
        if (failures === 1 || failures % 10 === 0) log.error({ broker: link.where, failures, reason: link.lastReason(errorText(err)) }, 'cannot consume the queue; trying again');
      }
      cancel = undefined;
      await wait(Math.min(1000 * 2 ** Math.max(0, failures - 1), MAX_RECONNECT_MS), stopping.signal);
    }
  };
  const running = loop();

  return {
    async stop(): Promise<void> {
      stopping.abort(new Error('the consumer is stopping'));
      await cancel?.();
      await Promise.allSettled([...handling]);
      await link.close();
      await running;
    },
  };
}
