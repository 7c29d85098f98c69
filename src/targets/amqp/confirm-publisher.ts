import type { ConfirmChannel, Message, Options } from 'amqplib';

import { AmqpLink } from '../../amqp/amqp-link.js';
import { brokerError, errorText } from '../../amqp/broker-error.js';
import { crashPoint } from '../../util/crash-point.js';
import type { OutgoingMessage, PublishVerdict } from './types.js';

/** Where one publish goes and how long its confirms may take. */
export interface PublishPlan {
  readonly exchange: string;
  readonly routingKey: string;
  readonly timeoutMs: number;
  /** the properties of a message (message id, persistence, headers…) */
  properties(message: OutgoingMessage): Options.Publish;
}

/**
 * Publishes on one confirm channel of one connection, both opened when needed and again after a
 * loss. Every message gets a verdict: confirmed, returned (basic.return before its confirm: no
 * queue took it), nacked, or lost (the channel closed, or no confirm came in time). Channel-level
 * refusals that no retry mends (a missing exchange, no permission) reject as InputErrors.
 */
export class ConfirmPublisher {
  private channel: ConfirmChannel | undefined;
  private creating: Promise<ConfirmChannel> | undefined;
  /** why the broker returned a message, by message id, until its confirm arrives */
  private readonly returned = new Map<string, string>();

  constructor(private readonly link: AmqpLink) {}

  get where(): string {
    return this.link.where;
  }

  private open(): Promise<ConfirmChannel> {
    if (this.channel !== undefined) return Promise.resolve(this.channel);
    this.creating ??= this.create().finally(() => {
      this.creating = undefined;
    });
    return this.creating;
  }

  private async create(): Promise<ConfirmChannel> {
    const model = await this.link.open();
    let ch: ConfirmChannel;
    try {
      ch = await model.createConfirmChannel();
    } catch (err) {
      throw brokerError(err, this.link.where);
    }
    // every chunk in flight listens for the close; many at once is normal, not a leak
    ch.setMaxListeners(0);
    ch.on('error', (err: Error) => {
      this.link.lastError = err;
    });
    ch.on('return', (msg: Message) => {
      const id: unknown = msg.properties.messageId;
      if (typeof id !== 'string') return;
      const f = msg.fields as Message['fields'] & { replyCode?: number; replyText?: string };
      this.returned.set(id, `${f.replyCode ?? 312} ${f.replyText ?? 'NO_ROUTE'}`);
    });
    ch.on('close', () => {
      if (this.channel === ch) this.channel = undefined;
    });
    // an error of an earlier channel must not explain what goes wrong on this one
    this.link.lastError = undefined;
    this.channel = ch;
    return ch;
  }

  /**
   * Publishes `messages` and resolves with a verdict for each once every one has one. Rejects only
   * when the signal aborts, when no channel can be opened (a FerryError), or when the broker
   * closed the channel for a reason no retry mends.
   */
  async publish(messages: readonly OutgoingMessage[], plan: PublishPlan, signal: AbortSignal): Promise<PublishVerdict[]> {
    const ch = await this.open();
    if (signal.aborted) throw signal.reason;
    const verdicts = await this.publishOn(ch, messages, plan, signal);
    const closedBy = this.link.lastError;
    if (verdicts.some((v) => v.kind === 'lost') && closedBy !== undefined) {
      const failure = brokerError(closedBy, this.link.where);
      if (failure.kind === 'input') throw failure;
    }
    return verdicts;
  }

  private publishOn(ch: ConfirmChannel, messages: readonly OutgoingMessage[], plan: PublishPlan, signal: AbortSignal): Promise<PublishVerdict[]> {
    return new Promise((resolve, reject) => {
      const verdicts = new Array<PublishVerdict | undefined>(messages.length);
      let open = messages.length;
      let finished = false;
      let confirmedOne = false;
      let timer: NodeJS.Timeout | undefined;

      const finish = (lostReason?: string): void => {
        if (finished) return;
        finished = true;
        cleanup();
        // a connection's close, with the broker's reason, comes right after the close of its channels
        setImmediate(() => {
          const reason = lostReason ?? this.link.lastReason('the channel to the broker was closed');
          resolve(messages.map((_, i) => {
            const v = verdicts[i];
            return v === undefined || (v.kind === 'lost' && v.reason === '') ? { kind: 'lost', reason } : v;
          }));
        });
      };
      const settle = (i: number, verdict: PublishVerdict): void => {
        if (finished || verdicts[i] !== undefined) return;
        verdicts[i] = verdict;
        if (--open === 0) finish();
      };
      const onClose = (): void => finish();
      const onAbort = (): void => {
        if (finished) return;
        finished = true;
        cleanup();
        reject(signal.reason);
      };
      const cleanup = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        ch.off('close', onClose);
        signal.removeEventListener('abort', onAbort);
      };
      ch.on('close', onClose);
      signal.addEventListener('abort', onAbort, { once: true });

      const confirmed = (i: number, id: string) => (err: unknown): void => {
        if (err === null || err === undefined) {
          if (!confirmedOne) {
            confirmedOne = true;
            // the broker holds (some of) this chunk, and ferry has not recorded it: a kill here
            // must lead to a resend under the same ids
            crashPoint('amqp-after-publish');
          }
          const returned = this.returned.get(id);
          this.returned.delete(id);
          settle(i, returned === undefined ? { kind: 'ack' } : { kind: 'returned', reason: returned });
        } else if (errorText(err) === 'message nacked') {
          this.returned.delete(id);
          settle(i, { kind: 'nack' });
        } else {
          // the reason is filled in when the close is complete (see finish)
          settle(i, { kind: 'lost', reason: '' });
        }
      };

      const publishFrom = (start: number): void => {
        for (let i = start; i < messages.length; i++) {
          if (finished) return;
          const m = messages[i];
          if (m === undefined) continue;
          let room: boolean;
          try {
            room = ch.publish(plan.exchange, plan.routingKey, m.body, plan.properties(m), confirmed(i, m.id));
          } catch (err) {
            finish(this.link.lastError === undefined ? errorText(err) : undefined);
            return;
          }
          if (!room) {
            // the channel's buffer is full: go on once it has drained (or the close ends it all)
            ch.once('drain', () => publishFrom(i + 1));
            return;
          }
        }
      };
      timer = setTimeout(() => {
        const reason = `the broker did not confirm within ${plan.timeoutMs} ms`;
        // a broker that stopped answering gets a new connection on the next attempt
        this.channel = undefined;
        this.link.discard(reason);
        finish(reason);
      }, plan.timeoutMs);
      publishFrom(0);
    });
  }

  async close(): Promise<void> {
    this.channel = undefined;
    await this.link.close();
  }
}
