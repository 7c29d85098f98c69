/**
 * How one HTTP request to a target ended, as `/metrics` labels it: the status class of the answer
 * (`429` apart, because it means "slow down" rather than "broken"), or why there was none.
 */
export type RequestClass = '2xx' | '3xx' | '4xx' | '429' | '5xx' | 'timeout' | 'network';

/** What became of one attempt to deliver a notification. */
export type NotificationAttempt = 'delivered' | 'failed' | 'dead' | 'gone';

/**
 * What the pipeline and the daemon report as it happens, for `/metrics`. The daemon passes a
 * MetricsRegistry; `ferry run` and tests pass NO_METRICS. Implementations must not throw: an
 * observer never breaks a delivery.
 */
export interface Metrics {
  /** one HTTP request (one attempt) to a profile's target took `seconds` and ended as `outcome` */
  observeDelivery(profile: string, outcome: RequestClass, seconds: number): void;
  /** a request to a profile's target is tried again because of `reason` */
  countRetry(profile: string, reason: RequestClass): void;
  /** a poll of a profile's source failed with `code` */
  countPollError(profile: string, code: string): void;
  /** an attempt to deliver a notification ended so */
  countNotification(outcome: NotificationAttempt): void;
}

/** What the daemon knows of itself right now, besides the ledger. */
export interface LiveCounts {
  /** runs going on and waiting for a slot (FERRY_MAX_RUNS) */
  readonly runs?: () => { inUse: number; queued: number };
}
