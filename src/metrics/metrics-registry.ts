import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

import type { StateStore } from '../store/types.js';
import { registerLedgerMetrics } from './ledger-metrics.js';
import type { LiveCounts, Metrics, NotificationAttempt, RequestClass } from './types.js';

/**
 * Request durations to a records API: from a fast local service (10 ms) to a slow batch endpoint
 * near the usual timeouts (60 s); prom-client's default buckets stop at 10 s.
 */
const DELIVERY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

const NOTIFICATION_ATTEMPTS: readonly NotificationAttempt[] = ['delivered', 'failed', 'dead', 'gone'];

/**
 * The metrics of one daemon: its own prom-client Registry (never the global one, so that a test can
 * hold several), with the process metrics of prom-client (`ferry_process_*`, `ferry_nodejs_*`:
 * memory, CPU, event loop lag), the in-process observations the pipeline reports through
 * {@link Metrics}, and, after {@link readLedger}, the families read from the state store at each scrape.
 */
export class MetricsRegistry implements Metrics {
  /** every family of this daemon; `/metrics` renders it */
  readonly registry = new Registry();
  private readonly delivery: Histogram<'profile' | 'outcome'>;
  private readonly retries: Counter<'profile' | 'reason'>;
  private readonly notifications: Counter<'outcome'>;
  private readonly pollErrors = new Map<string, { profile: string; code: string; count: number }>();
  private ledgerRead = false;

  /** `processMetrics: false` leaves out prom-client's process metrics (for tests that compare output). */
  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'ferry_' });
    const registers = [this.registry];
    this.delivery = new Histogram({
      name: 'ferry_delivery_duration_seconds',
      help: 'Duration of each HTTP request (one attempt; a retry is observed again) to a target, by profile and outcome (2xx, 3xx, 4xx, 429, 5xx, timeout, network).',
      labelNames: ['profile', 'outcome'] as const,
      buckets: DELIVERY_BUCKETS,
      registers,
    });
    this.retries = new Counter({
      name: 'ferry_delivery_retries_total',
      help: 'Requests to a target tried again, by profile and the reason of the failed attempt (4xx, 429, 5xx, timeout, network).',
      labelNames: ['profile', 'reason'] as const,
      registers,
    });
    this.notifications = new Counter({
      name: 'ferry_notification_deliveries_total',
      help: 'Attempts to deliver a notification since the daemon started, by outcome: delivered, failed (retried later), dead (dead-lettered), gone (410: endpoint disabled).',
      labelNames: ['outcome'] as const,
      registers,
    });
    // every outcome shows from the start, so that rate() has a series before the first failure
    for (const outcome of NOTIFICATION_ATTEMPTS) this.notifications.inc({ outcome }, 0);
  }

  /**
   * Adds the ledger families (batches, rows, alerts, errors, outbox, sources, runs); they read
   * `store` at each scrape. Once: the store opens after the registry, which the runtime's sinks need.
   */
  readLedger(store: StateStore, live: LiveCounts = {}): void {
    if (this.ledgerRead) throw new Error('internal: the ledger metrics are registered already');
    this.ledgerRead = true;
    registerLedgerMetrics(this.registry, store, live, () => this.pollErrors.values());
  }

  observeDelivery(profile: string, outcome: RequestClass, seconds: number): void {
    this.delivery.observe({ profile, outcome }, seconds);
  }

  countRetry(profile: string, reason: RequestClass): void {
    this.retries.inc({ profile, reason });
  }

  countPollError(profile: string, code: string): void {
    const key = `${profile}\u0000${code}`;
    const known = this.pollErrors.get(key);
    if (known === undefined) this.pollErrors.set(key, { profile, code, count: 1 });
    else known.count++;
  }

  countNotification(outcome: NotificationAttempt): void {
    this.notifications.inc({ outcome });
  }

  /** The Prometheus text of every family, and its content type. */
  async render(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
