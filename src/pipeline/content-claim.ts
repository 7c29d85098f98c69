/**
 * "The same content is processed once per profile": the check for an earlier batch with the same
 * content and the recording of this batch's content hash happen as one step, so that two copies of
 * a file staged at the same time (the same scan, batches resumed together after a crash, or two
 * instances on one PostgreSQL store) cannot both miss each other and both be delivered.
 */
import type { BatchRow, ContentDecision, EarlierBatch, StateStore } from '../store/types.js';

/** An earlier batch of the same profile with the same content. */
export type EarlierContent = EarlierBatch;

/** The tail of the calls running per key in this process; see {@link alone}. */
const held = new Map<string, Promise<void>>();

/**
 * Runs `fn` after every earlier call with the same key in this process has finished. The store
 * makes the claim atomic on its own; this keeps one process's copies of a file from each taking a
 * store connection to wait on one another.
 */
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
 * Looks for an earlier batch with the same content and records what `decide` makes of it (this
 * batch skipped, or staged with its hash) in the same step: see {@link StateStore.claimContent}.
 * A reprocessing batch is never a duplicate.
 */
export function claimContent(store: StateStore, b: BatchRow, hash: string, decide: (earlier: EarlierContent | undefined) => ContentDecision): Promise<{ batch: BatchRow; earlier: EarlierContent | undefined }> {
  return alone(`${b.profile}\u0000${hash}`, async () => {
    if (b.reprocessOf !== null) {
      const { patch, notifications } = decide(undefined);
      return { batch: await store.updateBatch(b.id, patch, notifications), earlier: undefined };
    }
    return store.claimContent(b.id, b.profile, hash, decide);
  });
}
