/** One message to publish: its id, its body and the records of the chunk it carries. */
export interface OutgoingMessage {
  /** the AMQP `message_id`: the same on every retry, restart and re-drop of the file */
  readonly id: string;
  readonly body: Buffer;
  /** the first record of the chunk it carries, and how many */
  readonly first: number;
  readonly count: number;
}

/** What the broker made of one published message. */
export type PublishVerdict =
  /** confirmed (basic.ack) and routed to at least one queue (or not mandatory) */
  | { readonly kind: 'ack' }
  /** confirmed, but returned first (basic.return): no queue was bound for it */
  | { readonly kind: 'returned'; readonly reason: string }
  /** refused (basic.nack): the broker could not take it; sent again */
  | { readonly kind: 'nack' }
  /** no confirm came: the connection or channel was lost, or the broker did not answer in time */
  | { readonly kind: 'lost'; readonly reason: string };

/** How one attempt at a chunk's messages ended, for metrics. */
export type PublishOutcome = 'confirmed' | 'nacked' | 'lost';

/** Observer of an AMQP sink (never per record). */
export interface AmqpSinkEvents {
  /** one attempt at the messages of a chunk still unconfirmed, from the first publish to the last verdict */
  onPublish?(info: { key: string; messages: number; outcome: PublishOutcome; durationMs: number }): void;
  onRetry?(info: { key: string; attempt: number; delayMs: number; reason: string }): void;
}
