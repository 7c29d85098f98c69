/**
 * "The same content is processed once per profile": the check for an earlier batch with the same
 * content and the recording of this batch's content hash happen as one step, so that two copies of
 * a file staged at the same time (the same scan, or batches resumed together after a crash) cannot
 * both miss each other and both be delivered.
 */
import type { BatchRow, EarlierBatch, StateStore } from '../store/types.js';

/** An earlier batch of the same profile with the same content. */
export type EarlierContent = EarlierBatch;

/** The tail of the calls running per key in this process; see {@link alone}. */
const held = new Map<string, Promise<void>>();

/** Runs `fn` after every earlier call with the same key in this process has finished. */
async function alone<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const before = held.get(key) ?? Promise.resolve();
  const run = before.then(fn);
  const settled = run.then(() => undefined, () => undefined);
  held.set(key, settled);
  try {
    return await run;
  } finally {
    if (held.get(key) === settled) held.delete(key);
  }
}

/**
 * A batch other than `b` that delivered this content (completed or partial), or that is still on
 * its way to do so: unfinished, with this content hash, not skipped and not failing.
 */
export async function earlierContent(store: StateStore, b: BatchRow, hash: string): Promise<EarlierContent | undefined> {
  // one indexed query instead of the processed one and then every unfinished batch of every profile
  return store.findEarlierContent(b.profile, hash, b.id);
}

/**
 * Looks for an earlier batch with the same content and lets `commit` record the outcome (this
 * batch skipped, or staged with its hash), with no other batch of the profile doing the same for
 * this content in between. A reprocessing batch is never a duplicate. The guard is per process:
 * on a shared PostgreSQL store two instances can still race, as before.
 */
export function claimContent(store: StateStore, b: BatchRow, hash: string, commit: (earlier: EarlierContent | undefined) => Promise<BatchRow>): Promise<BatchRow> {
  return alone(`${b.profile}\u0000${hash}`, async () => commit(b.reprocessOf === null ? await earlierContent(store, b, hash) : undefined));
}
