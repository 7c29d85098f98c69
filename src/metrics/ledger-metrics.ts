import { Counter, Gauge, type Registry } from 'prom-client';

import type { LedgerCounts, SourceHealth, StateStore } from '../store/types.js';
import type { LiveCounts } from './types.js';

/** Poll failures counted in this process, by profile and code; part of `ferry_errors_total`. */
export type PollErrorCounts = () => Iterable<{ readonly profile: string; readonly code: string; readonly count: number }>;

/** The outbox states `ferry_notifications` shows: what still waits or needs an operator. */
const BACKLOG_STATES = ['pending', 'dead', 'disabled'] as const;

/**
 * Calls `read` once for all the collectors of one scrape: the registry starts every collector in
 * the same tick, so they share the query in flight instead of scanning the ledger each.
 */
function sharedRead<T>(read: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () => {
    inFlight ??= read().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}

/**
 * Registers the families read from the ledger at each scrape: batches, rows, alerts and errors
 * (they survive restarts because they are counted in the store, not in memory), the outbox backlog,
 * each source's last poll, and the runs going on now. Each collector fetches before it resets its
 * samples, so two scrapes at once cannot interleave half-filled families.
 */
export function registerLedgerMetrics(registry: Registry, store: StateStore, live: LiveCounts = {}, pollErrors: PollErrorCounts = () => []): void {
  const ledger = sharedRead<LedgerCounts>(() => store.ledgerCounts());
  const sources = sharedRead<SourceHealth[]>(() => store.listSourceHealth());
  const registers = [registry];

  new Counter({
    name: 'ferry_batches_total', help: 'Batches (one per file taken, a reprocess is a new batch) by profile and status.', labelNames: ['profile', 'status'] as const, registers,
    async collect() {
      const counts = await ledger();
      this.reset();
      for (const b of counts.batches) this.inc({ profile: b.profile, status: b.status }, b.count);
    },
  });
  new Counter({
    name: 'ferry_rows_total', help: 'Source rows by profile and outcome (delivered, rejected, failed, skipped).', labelNames: ['profile', 'outcome'] as const, registers,
    async collect() {
      const counts = await ledger();
      this.reset();
      for (const b of counts.batches) {
        for (const [outcome, n] of [['delivered', b.rowsDelivered], ['rejected', b.rowsRejected], ['failed', b.rowsFailed], ['skipped', b.rowsSkipped]] as const) {
          this.inc({ profile: b.profile, outcome }, n ?? 0);
        }
      }
    },
  });
  new Counter({
    name: 'ferry_alerts_total', help: 'Alerts by profile and kind (file.missing, file.late, file.empty, file.unusual).', labelNames: ['profile', 'kind'] as const, registers,
    async collect() {
      const counts = await ledger();
      this.reset();
      for (const a of counts.alerts) this.inc({ profile: a.profile, kind: a.kind }, a.count);
    },
  });
  new Counter({
    name: 'ferry_errors_total', help: 'Errors by profile and code: failed batches (stage="batch", from the ledger) and failed polls of the source (stage="poll", since the daemon started).', labelNames: ['profile', 'code', 'stage'] as const, registers,
    async collect() {
      const counts = await ledger();
      this.reset();
      for (const e of counts.errors) this.inc({ profile: e.profile, code: e.code, stage: 'batch' }, e.count);
      for (const e of pollErrors()) this.inc({ profile: e.profile, code: e.code, stage: 'poll' }, e.count);
    },
  });
  new Gauge({
    name: 'ferry_notifications', help: 'Notifications in the outbox by state: pending (waiting to be sent or retried), dead (gave up), disabled (endpoint answered 410).', labelNames: ['state'] as const, registers,
    async collect() {
      const counts = await store.countNotifications();
      this.reset();
      for (const state of BACKLOG_STATES) this.set({ state }, counts[state]);
    },
  });
  const perSource = (name: string, help: string, value: (h: SourceHealth) => number): void => {
    new Gauge({
      name, help, labelNames: ['profile'] as const, registers,
      async collect() {
        const health = await sources();
        this.reset();
        for (const h of health) this.set({ profile: h.profile }, value(h));
      },
    });
  };
  perSource('ferry_source_up', '1 when the last poll of the source worked.', (h) => (h.state === 'ok' ? 1 : 0));
  perSource('ferry_source_poll_age_seconds', 'Seconds since the source was last polled.', (h) => Math.max(0, Math.round((Date.now() - h.lastPollAt) / 1000)));
  perSource('ferry_source_waiting_files', 'Files seen but not yet complete.', (h) => h.waiting);
  const runs = live.runs;
  if (runs === undefined) return;
  new Gauge({ name: 'ferry_runs_in_progress', help: 'Runs going on now.', registers, collect() { this.set(runs().inUse); } });
  new Gauge({ name: 'ferry_runs_queued', help: 'Runs waiting for a slot (FERRY_MAX_RUNS).', registers, collect() { this.set(runs().queued); } });
}
