/**
 * What the rest of ferry sees of an AMQP broker: deliveries and verdicts. amqplib stays inside
 * src/amqp/ and src/targets/amqp/, so that the daemon depends on these shapes only.
 */

/** One message taken from a queue, not yet acknowledged. */
export interface AmqpDelivery {
  readonly body: Buffer;
  /** the publisher's `message_id`, when it set one */
  readonly messageId: string | undefined;
  /** true when the broker delivered it before (to us or another consumer) without an ack */
  readonly redelivered: boolean;
  readonly contentType: string | undefined;
  /** the message's headers, with text values only (others are left out) */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * What becomes of a delivery: `ack` (done with it), `requeue` (give it back, to be delivered
 * again later) or `reject` (it can never succeed; the broker drops it or dead-letters it).
 */
export type DeliveryVerdict = 'ack' | 'requeue' | 'reject';

/** Decides about one delivery; a rejection of the promise counts as `requeue`. */
export type DeliveryHandler = (delivery: AmqpDelivery, signal: AbortSignal) => Promise<DeliveryVerdict>;

/** A running consumer of one queue. */
export interface QueueConsumer {
  /**
   * Stops taking messages; resolves once the deliveries being handled have their verdicts and the
   * connection is closed. Messages not acknowledged by then go back to the queue.
   */
  stop(): Promise<void>;
}

/** How a consumer behaves. */
export interface QueueConsumerOptions {
  /** shown by the broker as the connection's name (`rabbitmqctl list_connections client_properties`) */
  readonly name: string;
  /** deliveries handled at once (the channel's prefetch; default 1: in order, one at a time) */
  readonly prefetch?: number;
  /** the first wait before a requeued delivery is given back, doubling per requeue of the same message (default 1 s) */
  readonly requeueDelayMs?: number;
}
