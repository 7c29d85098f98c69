import type { Options } from 'amqplib';

import { AmqpLink } from '../../amqp/amqp-link.js';
import { brokerError } from '../../amqp/broker-error.js';
import { InputError, TransientError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Connection } from '../../profiles/connection-schema.js';
import { durationMs } from '../../profiles/schema-helpers.js';
import type { AmqpTarget } from '../../profiles/schema.js';
import { retryDelayMs, retryPolicyFrom } from '../http/retry-policy.js';
import { sleep } from '../http/sleep.js';
import type { ChunkResult, DeliveryChunk, RecordOutcome, Sink } from '../types.js';
import { chunkMessages } from './chunk-messages.js';
import { ConfirmPublisher, type PublishPlan } from './confirm-publisher.js';
import { describeRoute } from './describe-route.js';
import type { AmqpSinkEvents, OutgoingMessage, PublishOutcome, PublishVerdict } from './types.js';

/** Options of {@link createAmqpSink}; all for observing and testing. */
export interface AmqpSinkOptions {
  readonly log: Logger;
  readonly profile: string;
  readonly events?: AmqpSinkEvents;
  /** the first backoff before jitter; overrides `target.retry.baseDelay` (default 500 ms) */
  readonly baseDelayMs?: number;
  readonly random?: () => number;
}

const DEFAULT_CONFIRM_TIMEOUT_MS = 30_000;

function notify(fn: () => void): void {
  try {
    fn();
  } catch {
    // an observer's failure is its own business
  }
}

function unroutable(reason: string, route: string): RecordOutcome {
  return { status: 'failed', error: `the broker returned the message as unroutable (${reason}): no queue is bound to ${route} [E_TARGET_UNROUTABLE]` };
}

/**
 * The AMQP target of a profile (`target.type: amqp`): each chunk's records are published to
 * `exchange` with `routingKey` on a confirm channel, one message per record (message id: the chunk
 * key and the record's position) or, with `perMessage: batch`, one per chunk (message id: the
 * chunk key). A chunk is delivered once the broker confirmed every message; a nack or a lost
 * connection sends the unconfirmed messages again, with the same ids and bytes, after a backoff
 * as the HTTP sink's (`target.retry`). With `mandatory` (the default) a message no queue is bound
 * for comes back and its records fail, instead of vanishing.
 */
export function createAmqpSink(target: AmqpTarget, connection: Connection | undefined, options: AmqpSinkOptions): Sink {
  if (connection?.type !== 'amqp') throw new InputError('E_PROFILE_INVALID', `target.connection of profile ${options.profile} must be a type: amqp connection`);
  const publisher = new ConfirmPublisher(new AmqpLink(connection, `ferry ${options.profile} (target)`, options.log));
  const routingKey = target.routingKey ?? '';
  const route = describeRoute(target.exchange, routingKey);
  const perMessage = target.perMessage ?? 'record';
  const policy = retryPolicyFrom(target.retry, options.baseDelayMs);
  const random = options.random ?? Math.random;
  const closed = new AbortController();
  const trace = target.traceHeaders === true;
  const fixedHeaders: Record<string, string | number | boolean> = { ...target.headers, ...(trace ? { 'x-ferry-profile': options.profile } : {}) };

  const planFor = (chunk: DeliveryChunk): PublishPlan => ({
    exchange: target.exchange,
    routingKey,
    timeoutMs: target.timeout === undefined ? DEFAULT_CONFIRM_TIMEOUT_MS : durationMs(target.timeout),
    // the same properties on every attempt: a resend is the same message
    properties: (m: OutgoingMessage): Options.Publish => ({
      messageId: m.id,
      persistent: target.persistent ?? true,
      mandatory: target.mandatory ?? true,
      contentType: target.contentType ?? 'application/json',
      appId: 'ferry',
      headers: { ...fixedHeaders, ...(trace ? { 'x-ferry-batch': chunk.batch, 'x-ferry-file': chunk.file } : {}), ...(perMessage === 'batch' ? { 'x-ferry-count': m.count } : {}) },
    }),
  });

  const deliver = async (chunk: DeliveryChunk, signal: AbortSignal): Promise<ChunkResult> => {
    const messages = chunkMessages(chunk, perMessage);
    const outcomes = new Array<RecordOutcome | undefined>(chunk.records.length);
    const plan = planFor(chunk);
    let unconfirmed = messages;
    let requests = 0;
    let retries = 0;
    const record = (m: OutgoingMessage, verdict: PublishVerdict): void => {
      // the message id is what a consumer sees: the result file names it as the record's target id
      const outcome: RecordOutcome = verdict.kind === 'returned' ? unroutable(verdict.reason, route) : { status: 'delivered', targetId: m.id };
      for (let i = m.first; i < m.first + m.count; i++) outcomes[i] = outcome;
    };
    for (let n = 1; ; n++) {
      const started = performance.now();
      requests++;
      let reason: string;
      let outcome: PublishOutcome = 'lost';
      try {
        const verdicts = await publisher.publish(unconfirmed, plan, signal);
        const again: OutgoingMessage[] = [];
        let lost: string | undefined;
        unconfirmed.forEach((m, i) => {
          const v = verdicts[i];
          if (v?.kind === 'ack' || v?.kind === 'returned') record(m, v);
          else {
            again.push(m);
            if (v?.kind === 'lost') lost ??= v.reason;
          }
        });
        outcome = again.length === 0 ? 'confirmed' : lost === undefined ? 'nacked' : 'lost';
        unconfirmed = again;
        reason = lost ?? `the broker refused (nacked) ${again.length} of ${verdicts.length} messages`;
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        const failure = brokerError(err, publisher.where);
        if (failure.kind === 'input') throw failure;
        reason = failure.message;
      }
      notify(() => options.events?.onPublish?.({ key: chunk.key, messages: messages.length, outcome, durationMs: performance.now() - started }));
      if (unconfirmed.length === 0) break;
      if (n >= policy.attempts) {
        throw new TransientError(
          'E_TARGET_UNAVAILABLE',
          `the broker ${publisher.where} did not confirm ${unconfirmed.length} of ${messages.length} messages to ${route} after ${n} attempt${n === 1 ? '' : 's'}; the last one got: ${reason}`,
        );
      }
      const delayMs = retryDelayMs(n, policy, undefined, random);
      retries++;
      notify(() => options.events?.onRetry?.({ key: chunk.key, attempt: n + 1, delayMs, reason }));
      await sleep(delayMs, signal);
    }
    return { outcomes: outcomes.map((o) => o ?? { status: 'failed', error: 'no confirm was recorded' }), requests, retries };
  };

  return {
    async deliver(chunk: DeliveryChunk, signal: AbortSignal): Promise<ChunkResult> {
      if (closed.signal.aborted) throw closed.signal.reason;
      if (signal.aborted) throw signal.reason;
      if (chunk.records.length === 0) return { outcomes: [], requests: 0, retries: 0 };
      const both = AbortSignal.any([signal, closed.signal]);
      try {
        return await deliver(chunk, both);
      } catch (err) {
        throw signal.aborted ? signal.reason : err;
      }
    },
    async close(): Promise<void> {
      closed.abort(new Error('the AMQP sink was closed'));
      await publisher.close();
    },
  };
}
