import type { LoadedProfile } from '../profiles/types.js';
import type { StateStore } from '../store/types.js';
import type { Sink } from '../targets/types.js';
import { deliverChunks, type ChunkPlan } from './deliver-chunks.js';
import { LineFeed } from './line-feed.js';
import { cutChunks, type SpoolOptions, type SpoolSummary } from './spool.js';

/**
 * True when the profile sends chunks while its file is still read (`target.stream: true`). The
 * profile loader allows it only without a file-level reject limit (`onError: reject-file`,
 * `maxRejected`), which could not be honoured once records are out.
 */
export function streamsDelivery(loaded: LoadedProfile): boolean {
  return loaded.profile.target?.stream === true;
}

/** What a streamed spool and delivery came to. */
export interface StreamOutcome {
  readonly summary: SpoolSummary;
  /** why delivery stopped early (the spool was still completed), or undefined */
  readonly failure: unknown;
}

/**
 * Writes the spool and delivers its chunks at the same time: each piece of record lines the spool
 * writer has written is handed to delivery, which cuts it into the same chunks, under the same
 * keys, as it would cut the finished spool. The spool is completed even when delivery stops early,
 * because the result file is written from it. A file error ends reading but not the spool (the
 * summary says which error); an abort stops both.
 *
 * Safe across a crash because the chunks depend only on the file and the profile: a restart finds
 * no complete spool, writes it again, and sends only the chunks without a committed outcome.
 */
export async function spoolWhileDelivering(
  plan: ChunkPlan,
  store: StateStore,
  sink: Sink,
  signal: AbortSignal,
  spool: (options: SpoolOptions) => Promise<SpoolSummary>,
): Promise<StreamOutcome> {
  const feed = new LineFeed();
  let failure: unknown;
  const delivery = deliverChunks(plan, store, sink, signal, cutChunks(feed, plan.batchSize)).catch((err: unknown) => {
    failure = err;
    feed.drop();
  });
  let summary: SpoolSummary;
  try {
    summary = await spool({
      keepOnInputError: true,
      onRecords: async (lines) => {
        signal.throwIfAborted();
        await feed.push(lines);
      },
    });
  } catch (err) {
    feed.drop();
    await delivery;
    throw err;
  }
  feed.end();
  await delivery;
  return { summary, failure };
}
