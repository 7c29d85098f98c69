import type { BatchRow } from '../store/types.js';

/** One bucket of the console's charts. */
export interface StatsBucket {
  readonly at: string;
  readonly rowsDelivered: number;
  readonly rowsRejected: number;
  readonly rowsFailed: number;
  readonly batches: number;
  /** (rejected + failed) / rows of the bucket, 0..1 */
  readonly errorRate: number;
  /** mean time from a batch's claim to its settling, or null without batches */
  readonly latencyMs: number | null;
}

/**
 * Buckets settled batches by the minute they settled in (five minutes beyond three hours, so a
 * chart never has more than a few hundred points): rows by outcome, error rate and the mean time a
 * batch took from claim to settling.
 */
export function statsBuckets(settled: readonly BatchRow[], from: number, to: number): StatsBucket[] {
  const width = to - from > 3 * 3600_000 ? 5 * 60_000 : 60_000;
  const start = Math.floor(from / width) * width;
  const count = Math.ceil((to - start) / width);
  const sums = Array.from({ length: count }, () => ({ delivered: 0, rejected: 0, failed: 0, batches: 0, latency: 0 }));
  for (const b of settled) {
    const i = Math.floor((b.updatedAt - start) / width);
    const s = sums[i];
    if (s === undefined) continue;
    s.delivered += b.rowsDelivered;
    s.rejected += b.rowsRejected;
    s.failed += b.rowsFailed;
    s.batches++;
    s.latency += b.updatedAt - b.createdAt;
  }
  return sums.map((s, i) => {
    const rows = s.delivered + s.rejected + s.failed;
    return {
      at: new Date(start + i * width).toISOString(),
      rowsDelivered: s.delivered, rowsRejected: s.rejected, rowsFailed: s.failed, batches: s.batches,
      errorRate: rows === 0 ? 0 : (s.rejected + s.failed) / rows,
      latencyMs: s.batches === 0 ? null : Math.round(s.latency / s.batches),
    };
  });
}
