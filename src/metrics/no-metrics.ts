import type { Metrics } from './types.js';

/** Metrics that go nowhere: for `ferry run`, `ferry reprocess` and tests, which serve no `/metrics`. */
export const NO_METRICS: Metrics = {
  observeDelivery: () => undefined,
  countRetry: () => undefined,
  countPollError: () => undefined,
  countNotification: () => undefined,
};
