import type { SourceRow } from './types.js';

/**
 * Reads the first `count` rows of a stream of row batches (record readers look at them to list
 * paths for preview), closing the stream when that fails. `ended` says the stream has no more.
 */
export async function readAhead(chunks: AsyncGenerator<SourceRow[]>, count: number): Promise<{ pending: SourceRow[]; ended: boolean }> {
  const pending: SourceRow[] = [];
  try {
    while (pending.length < count) {
      const next = await chunks.next();
      if (next.done === true) return { pending, ended: true };
      for (const row of next.value) pending.push(row);
    }
  } catch (err) {
    await chunks.return(undefined);
    throw err;
  }
  return { pending, ended: false };
}

/** The `batches()` of a reader that read ahead: the rows it holds first, then the rest of the stream. */
export function replayThenStream(first: SourceRow[], chunks: AsyncGenerator<SourceRow[]>): () => AsyncGenerator<SourceRow[]> {
  let held: SourceRow[] = first;
  return async function* batches() {
    try {
      const rows = held;
      held = [];
      if (rows.length > 0) yield rows;
      for (;;) {
        const next = await chunks.next();
        if (next.done === true) return;
        yield next.value;
      }
    } finally {
      await chunks.return(undefined);
    }
  };
}
