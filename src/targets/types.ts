/** One request's worth of records, as the orchestrator hands it to a sink. */
export interface DeliveryChunk {
  /**
   * The idempotency key of this chunk: derived from the file's content hash, the profile version
   * and the records, so it is identical across retries, restarts and re-drops of the same file.
   */
  readonly key: string;
  /** the JSON of each record, in source order: bytes as spooled (sent without decoding), or text */
  readonly records: readonly (Buffer | string)[];
  /** the source row number of each record (same order), when known, for messages */
  readonly rows?: readonly number[];
  /** names for body templates ($file, $batch, $profile) */
  readonly file: string;
  readonly batch: string;
  readonly profile: string;
}

/** What happened to one record. */
export type RecordOutcome =
  | { readonly status: 'delivered'; readonly targetId?: string }
  | { readonly status: 'failed'; readonly error: string };

/** What happened to a chunk: one outcome per record, same order; plus what it took. */
export interface ChunkResult {
  readonly outcomes: readonly RecordOutcome[];
  /** HTTP requests made, including retries and split halves */
  readonly requests: number;
  readonly retries: number;
}

/** Observer of a sink's requests, for metrics and logs (never per record). */
export interface SinkEvents {
  /** `status` of the failed attempt's answer, or the `error` it got instead of one */
  onRetry?(info: { key: string; attempt: number; delayMs: number; reason: string; status?: number; error?: unknown }): void;
  /** one request, answered (`status`) or not (`error`) */
  onRequest?(info: { key: string; status: number | undefined; durationMs: number; error?: unknown }): void;
}

/**
 * Delivers chunks of records to a target and reports per-record outcomes. A chunk whose target is
 * unreachable after every retry rejects with a TransientError (E_TARGET_UNAVAILABLE); a 401/403
 * rejects with an InputError E_TARGET_AUTH so that the profile is suspended instead of retried.
 */
export interface Sink {
  deliver(chunk: DeliveryChunk, signal: AbortSignal): Promise<ChunkResult>;
  close(): Promise<void>;
}
