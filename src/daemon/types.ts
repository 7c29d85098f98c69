/** The daemon's shared shapes. */

/** The answer to a run request: the run (new or joined), or why none could be queued. */
export type RunAnswer = { readonly runId: string; readonly coalesced: boolean } | { readonly busy: string };
