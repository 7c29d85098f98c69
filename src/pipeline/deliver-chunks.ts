import { createHash } from 'node:crypto';

import type { StateStore } from '../store/types.js';
import type { DeliveryChunk, Sink } from '../targets/types.js';
import { crashPoint } from '../util/crash-point.js';
import type { ChunkWatch } from './chunk-watch.js';
import { readSpooledChunks, type SpooledChunk } from './spool.js';

/**
 * The idempotency key of a chunk: the file's content hash, the profile version, the chunk's
 * position and its records. Identical across retries, restarts and re-drops of the same file; the
 * position keeps two identical chunks of one file apart.
 */
export function chunkKey(contentHash: string, profileVersion: string, seq: number, records: readonly (Buffer | string)[]): string {
  const h = createHash('sha256').update(`${contentHash}\n${profileVersion}\n${seq}\n`);
  for (const r of records) h.update(r).update('\n');
  return `ferry-${h.digest('hex').slice(0, 40)}`;
}

/**
 * {@link chunkKey} of records given as their lines, each ending in a line feed: the same bytes
 * hashed in one call instead of two per record.
 */
export function chunkKeyOfLines(contentHash: string, profileVersion: string, seq: number, lines: Buffer): string {
  const h = createHash('sha256').update(`${contentHash}\n${profileVersion}\n${seq}\n`).update(lines);
  return `ferry-${h.digest('hex').slice(0, 40)}`;
}

/** What the delivery loop needs to know about its batch. */
export interface ChunkPlan {
  readonly batchId: string;
  readonly profile: string;
  readonly fileName: string;
  readonly contentHash: string;
  readonly profileVersion: string;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly spoolDir: string;
  /**
   * The batch went from `staged` to `delivering` just now: chunks are committed only while a batch
   * delivers and no batch goes back to `staged`, so none can be recorded and none are asked for.
   */
  readonly fresh?: boolean;
  /** told of each chunk's commit and of the end of delivery (the result file follows it) */
  readonly watch?: ChunkWatch;
}

/**
 * Sends every chunk that has no recorded outcome yet, at most `concurrency` at a time, and
 * commits each chunk's outcome as soon as it is known. Chunks delivered before a crash are skipped,
 * so a restart sends only what is missing, under the same keys. `chunks` are the spool's chunks
 * (default: read from the finished spool; while it is written, cut from what the writer hands over).
 */
export async function deliverChunks(
  plan: ChunkPlan,
  store: StateStore,
  sink: Sink,
  signal: AbortSignal,
  chunks: AsyncIterable<SpooledChunk> = readSpooledChunks(plan.spoolDir, plan.batchSize),
): Promise<void> {
  try {
    await sendChunks(plan, store, sink, signal, chunks);
  } finally {
    // however delivery ends, whoever follows it must not wait for chunks that will not come
    plan.watch?.end();
  }
}

async function sendChunks(plan: ChunkPlan, store: StateStore, sink: Sink, signal: AbortSignal, chunks: AsyncIterable<SpooledChunk>): Promise<void> {
  const done = new Set(plan.fresh === true ? [] : await store.listChunkSeqs(plan.batchId));
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  const send = (seq: number, records: Buffer[], lines: Buffer): void => {
    const chunk: DeliveryChunk = {
      key: chunkKeyOfLines(plan.contentHash, plan.profileVersion, seq, lines),
      records,
      file: plan.fileName,
      batch: plan.batchId,
      profile: plan.profile,
    };
    const p = sink.deliver(chunk, signal).then(async (result) => {
      await store.saveChunk(plan.batchId, {
        seq,
        key: chunk.key,
        count: records.length,
        ids: result.outcomes.map((o) => (o.status === 'delivered' ? o.targetId ?? null : null)),
        errors: result.outcomes.map((o) => (o.status === 'failed' ? o.error : null)),
      });
      plan.watch?.saved(seq);
      crashPoint('after-chunk');
    }).catch((err: unknown) => {
      failure ??= err;
    }).finally(() => {
      inFlight.delete(p);
    });
    inFlight.add(p);
  };

  let seq = 0;
  for await (const { records, bytes } of chunks) {
    if (!done.has(seq)) {
      while (inFlight.size >= plan.concurrency && failure === undefined) await Promise.race(inFlight);
      if (failure !== undefined) break;
      send(seq, records, bytes);
    }
    seq++;
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
}
