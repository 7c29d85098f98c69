import { connect, type ChannelModel } from 'amqplib';

import type { Logger } from '../log.js';
import type { AmqpConnection } from '../profiles/connection-schema.js';
import { brokerAddress, connectOptions } from './broker-address.js';
import { brokerError, errorText } from './broker-error.js';

/**
 * One connection to a broker, opened when first needed and opened again when it was lost: the
 * next caller after a loss gets a new one. Nothing reconnects in the background; whoever needs the
 * broker asks, and decides how long to wait between attempts.
 */
export class AmqpLink {
  /** the broker without credentials, for messages */
  readonly where: string;
  private model: ChannelModel | undefined;
  private opening: Promise<ChannelModel> | undefined;
  private closed = false;
  /** what the broker or the socket said last, to explain the next failure */
  lastError: Error | undefined;

  constructor(private readonly spec: AmqpConnection, private readonly name: string, private readonly log: Logger) {
    this.where = brokerAddress(spec.url);
  }

  /** The open connection; rejects with a FerryError (see brokerError) when it cannot be opened. */
  open(): Promise<ChannelModel> {
    if (this.closed) return Promise.reject(new Error(`the connection to ${this.where} was closed`));
    if (this.model !== undefined) return Promise.resolve(this.model);
    this.opening ??= this.connect().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async connect(): Promise<ChannelModel> {
    const { url, socketOptions } = connectOptions(this.spec, this.name);
    let model: ChannelModel;
    try {
      model = await connect(url, socketOptions);
    } catch (err) {
      throw brokerError(err, this.where);
    }
    // without these listeners a broker-side close would be thrown as an uncaught 'error'
    model.on('error', (err: Error) => {
      this.lastError = err;
    });
    model.on('close', (err?: Error) => {
      // the broker's reason for a close it started (a restart, an operator), for the next message
      if (err !== undefined) this.lastError = err;
      if (this.model === model) this.model = undefined;
    });
    model.on('blocked', (reason: string) => this.log.warn({ broker: this.where, reason }, 'the broker blocks publishing (a resource alarm); messages wait'));
    model.on('unblocked', () => this.log.info({ broker: this.where }, 'the broker takes messages again'));
    if (this.closed) {
      await model.close().catch(() => undefined);
      throw new Error(`the connection to ${this.where} was closed`);
    }
    this.lastError = undefined;
    this.model = model;
    return model;
  }

  /**
   * Gives up on the current connection (it stopped answering): the next `open()` makes a new one.
   * The old one is closed in the background; if the broker never answers that either, the
   * heartbeat ends it.
   */
  discard(reason: string): void {
    const model = this.model;
    this.model = undefined;
    this.lastError = new Error(reason);
    model?.close().catch(() => undefined);
  }

  /** The reason of the last failure, for messages: the broker's own words when it gave some. */
  lastReason(fallback: string): string {
    return this.lastError === undefined ? fallback : errorText(this.lastError);
  }

  /** Closes the connection for good. */
  async close(): Promise<void> {
    this.closed = true;
    const model = this.model ?? (await this.opening?.catch(() => undefined));
    this.model = undefined;
    await model?.close().catch(() => undefined);
  }
}
