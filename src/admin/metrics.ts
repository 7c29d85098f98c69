import { Registry } from 'prom-client';

import { registerLedgerMetrics } from '../metrics/ledger-metrics.js';
import type { MetricsRegistry } from '../metrics/metrics-registry.js';
import type { StateStore } from '../store/types.js';

/** What `/metrics` reads: the daemon's registry, or else the ledger and the run slots alone. */
export interface MetricsSources {
  readonly store: StateStore;
  /** runs going on and waiting for a slot (FERRY_MAX_RUNS) */
  readonly runs?: () => { inUse: number; queued: number };
  /** the daemon's metrics, in-process observations included */
  readonly metrics?: MetricsRegistry;
}

/**
 * `GET /metrics` in the Prometheus text format (see MetricsRegistry for the families). An admin
 * server started without the daemon's registry still serves the ledger families, from a registry
 * made for the one scrape.
 */
export async function renderMetrics(sources: MetricsSources): Promise<{ contentType: string; text: string }> {
  if (sources.metrics !== undefined) return sources.metrics.render();
  const registry = new Registry();
  registerLedgerMetrics(registry, sources.store, sources.runs === undefined ? {} : { runs: sources.runs });
  return { contentType: registry.contentType, text: await registry.metrics() };
}
