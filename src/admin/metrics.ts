import type { SourceHealth, StateStore } from '../store/types.js';

/** What the daemon knows of itself right now, besides the ledger. */
export interface LiveCounts {
  /** runs going on and waiting for a slot (FERRY_MAX_RUNS) */
  readonly runs?: () => { inUse: number; queued: number };
}

/** Escapes a label value for the Prometheus text format. */
function label(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function family(lines: string[], name: string, type: 'counter' | 'gauge', help: string, samples: readonly (readonly [Record<string, string>, number])[]): void {
  lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  for (const [labels, value] of samples) {
    const text = Object.entries(labels).map(([k, v]) => `${k}="${label(v)}"`).join(',');
    lines.push(`${name}${text === '' ? '' : `{${text}}`} ${value}`);
  }
}

/**
 * `GET /metrics` in the Prometheus text format: batches and rows by profile and status, alerts by
 * profile and kind (`file.missing`, …), each source's poll age, and runs in progress and waiting.
 * Counters come from the ledger, so they survive restarts.
 */
export async function renderMetrics(store: StateStore, live: LiveCounts, now: number = Date.now()): Promise<string> {
  const counts = await store.ledgerCounts();
  const sources: SourceHealth[] = await store.listSourceHealth();
  const lines: string[] = [];
  family(lines, 'ferry_batches_total', 'counter', 'Batches (files) by profile and final status.', counts.batches.map((b) => [{ profile: b.profile, status: b.status }, b.count]));
  const rows = counts.batches.flatMap((b) => ([['delivered', b.rowsDelivered], ['rejected', b.rowsRejected], ['failed', b.rowsFailed], ['skipped', b.rowsSkipped]] as const).map(([outcome, n]) => [{ profile: b.profile, outcome }, n ?? 0] as const));
  const summed = new Map<string, readonly [Record<string, string>, number]>();
  for (const [labels, n] of rows) {
    const key = `${labels.profile}\u0000${labels.outcome}`;
    summed.set(key, [labels, (summed.get(key)?.[1] ?? 0) + n]);
  }
  family(lines, 'ferry_rows_total', 'counter', 'Source rows by profile and outcome.', [...summed.values()]);
  family(lines, 'ferry_alerts_total', 'counter', 'Alerts by profile and kind (file.missing, file.late, file.empty, file.unusual).', counts.alerts.map((a) => [{ profile: a.profile, kind: a.kind }, a.count]));
  family(lines, 'ferry_source_up', 'gauge', '1 when the last poll of the source worked.', sources.map((h) => [{ profile: h.profile }, h.state === 'ok' ? 1 : 0]));
  family(lines, 'ferry_source_poll_age_seconds', 'gauge', 'Seconds since the source was last polled.', sources.map((h) => [{ profile: h.profile }, Math.max(0, Math.round((now - h.lastPollAt) / 1000))]));
  family(lines, 'ferry_source_waiting_files', 'gauge', 'Files seen but not yet complete.', sources.map((h) => [{ profile: h.profile }, h.waiting]));
  const runs = live.runs?.();
  if (runs !== undefined) {
    family(lines, 'ferry_runs_in_progress', 'gauge', 'Runs going on now.', [[{}, runs.inUse]]);
    family(lines, 'ferry_runs_queued', 'gauge', 'Runs waiting for a slot (FERRY_MAX_RUNS).', [[{}, runs.queued]]);
  }
  return `${lines.join('\n')}\n`;
}
