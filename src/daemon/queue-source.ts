import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';

import type { AmqpDelivery, DeliveryVerdict, QueueConsumer } from '../amqp/types.js';
import type { Logger } from '../log.js';
import { type PipelineContext, uploadsDir } from '../pipeline/process-batch.js';
import { safeFileName } from '../pipeline/result-destination.js';
import { combineStatus, defaultParams, processClaimed } from '../pipeline/run-profile.js';
import type { LoadedProfile } from '../profiles/types.js';
import { QUEUE_CONSUMERS } from '../registry.js';
import type { BatchRow } from '../store/types.js';
import { crashPoint } from '../util/crash-point.js';
import { newId } from '../util/ids.js';
import type { RunSlots } from './run-slots.js';

/** Headers a publisher may name the file in; the first one present wins. */
const NAME_HEADERS = ['x-file-name', 'file-name', 'filename'];
/** The extension of a message's file when no name says it, by `format.type`. */
const FORMAT_EXT: Readonly<Record<string, string>> = { csv: '.csv', xlsx: '.xlsx', xml: '.xml', json: '.json', ndjson: '.ndjson' };

/**
 * `source.type: amqp`: each message on `source.queue` is one batch file, processed like an upload:
 * its body is written into the data dir, claimed as a batch and taken to `done`, and only then is
 * the message acknowledged. A message's identity is its message id and the hash of its body; the
 * file it is written to is named after that identity, so the batch's claim (profile, path, size)
 * recognises a redelivery: a message whose batch settled before a crash took the ack with it is
 * acknowledged without being processed again, and one whose batch stopped half-way resumes it.
 * Messages are taken one at a time, in queue order.
 */
export class QueueSource {
  private readonly consumer: QueueConsumer;
  /** the messages being handled, by identity: a redelivered copy waits for the same verdict */
  private readonly handling = new Map<string, Promise<DeliveryVerdict>>();
  private readonly log: Logger;

  constructor(private readonly loaded: LoadedProfile, private readonly ctx: PipelineContext, private readonly slots: RunSlots) {
    const source = loaded.profile.source;
    const connection = loaded.connections.source;
    if (source?.type !== 'amqp' || source.queue === undefined || connection === undefined) throw new Error(`internal: profile ${loaded.id} has no amqp source`);
    const consume = QUEUE_CONSUMERS[connection.type];
    if (consume === undefined) throw new Error(`internal: no queue consumer for ${connection.type} connections`);
    this.log = ctx.log.child({ profile: loaded.id, queue: source.queue });
    const queue = source.queue;
    this.consumer = consume(connection, queue, (d, signal) => this.take(d, queue, signal), { name: `ferry ${loaded.id} (source)`, log: this.log });
  }

  private take(delivery: AmqpDelivery, queue: string, signal: AbortSignal): Promise<DeliveryVerdict> {
    const identity = createHash('sha256').update(`${this.loaded.id}\n${queue}\n${delivery.messageId ?? ''}\n`).update(delivery.body).digest('hex');
    const running = this.handling.get(identity);
    if (running !== undefined) return running;
    const p = this.handle(delivery, identity, signal).finally(() => this.handling.delete(identity));
    this.handling.set(identity, p);
    return p;
  }

  private fileNameOf(delivery: AmqpDelivery, identity: string): string {
    const named = NAME_HEADERS.map((h) => delivery.headers[h]).find((v) => v !== undefined && v.trim() !== '');
    if (named !== undefined) return safeFileName(named.trim());
    const ext = FORMAT_EXT[this.loaded.profile.format?.type ?? 'csv'] ?? '';
    return `${safeFileName(delivery.messageId ?? identity.slice(0, 16))}${ext}`;
  }

  private async handle(delivery: AmqpDelivery, identity: string, signal: AbortSignal): Promise<DeliveryVerdict> {
    const { ctx, loaded } = this;
    const fileName = this.fileNameOf(delivery, identity);
    const ext = extname(fileName).replace(/[^A-Za-z0-9.]/g, '').slice(0, 10);
    const path = join(uploadsDir(ctx.dataDir), `amqp-${identity.slice(0, 32)}${ext}`);
    let batch: BatchRow | undefined = (await ctx.store.listUnfinished()).find((b) => b.profile === loaded.id && b.sourcePath === path);
    if (batch !== undefined && batch.owner !== null && batch.owner !== ctx.store.instanceId) return 'requeue';
    if (signal.aborted) return 'requeue';
    if (batch === undefined || !existsSync(path)) await writeAtomically(path, delivery.body);
    if (batch === undefined) {
      const params = defaultParams(loaded);
      const claim = {
        id: newId('b'), runId: newId('r'), profile: loaded.id, profileVersion: loaded.contentHash, fileName,
        sourceKind: 'local' as const, sourcePath: path, sourceSize: delivery.body.length, sourceMtimeMs: 0,
      };
      batch = await ctx.store.claimFile(claim);
      if (batch === undefined) {
        await rm(path, { force: true });
        this.log.info({ messageId: delivery.messageId, file: fileName }, 'this message was processed before (its acknowledgement was lost); acknowledged again');
        return 'ack';
      }
      await ctx.store.createRun({ id: claim.runId, profile: loaded.id, trigger: 'queue', params: params.texts });
      await ctx.store.profileVersion(loaded.id, loaded.contentHash, loaded.text);
      this.log.info({ batch: batch.id, file: fileName, size: delivery.body.length, messageId: delivery.messageId, redelivered: delivery.redelivered }, 'message received');
    }
    const release = await this.slots.acquire();
    let done: BatchRow;
    try {
      done = await processClaimed(ctx, batch, loaded);
      await ctx.store.finishRun(done.runId, combineStatus([done.status]));
    } catch (err) {
      // ferry is stopping: the batch resumes at the next start, and the message comes back
      if (ctx.signal.aborted) return 'requeue';
      throw err;
    } finally {
      release();
    }
    if (done.state !== 'done') return 'requeue';
    crashPoint('amqp-before-ack');
    return 'ack';
  }

  /** Stops taking messages; resolves once the batch in progress has settled or stopped. */
  stop(): Promise<void> {
    return this.consumer.stop();
  }
}

async function writeAtomically(path: string, body: Buffer): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  const temp = `${path}.part`;
  await writeFile(temp, body);
  await rename(temp, path);
}
