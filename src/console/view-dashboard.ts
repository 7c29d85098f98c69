/**
 * The dashboard (`#/dashboard`): rows per minute, error rate and delivery latency over the last
 * hour from GET /api/stats, refreshed every 10 s while the page is open.
 */
import { call, describeError } from './api.js';
import { lineChart } from './charts.js';
import { el, notice, replace } from './dom.js';
import type { Cleanup } from './router.js';
import type { Bucket } from './types.js';

const REFRESH_MS = 10_000;
const MINUTES = 60;

interface StatsAnswer {
  readonly from: string;
  readonly to: string;
  readonly buckets: Bucket[];
}

const count = (v: number): string => (v >= 1000 ? `${(v / 1000).toFixed(v >= 10_000 ? 0 : 1)}k` : String(Math.round(v * 10) / 10));
const percent = (v: number): string => `${Math.round(v * 1000) / 10}%`;
const millis = (v: number): string => (v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);

function charts(buckets: readonly Bucket[]): HTMLElement[] {
  const times = buckets.map((b) => new Date(b.at));
  return [
    lineChart({
      title: 'Rows per minute',
      times,
      format: count,
      series: [
        { name: 'delivered', cls: 's-ok', values: buckets.map((b) => b.rowsDelivered) },
        { name: 'rejected or failed', cls: 's-bad', values: buckets.map((b) => b.rowsRejected + b.rowsFailed) },
      ],
    }, 'chart-rows'),
    lineChart({
      title: 'Error rate (rejected and failed rows of all rows)',
      times,
      format: percent,
      minMax: 0.1,
      // a minute without rows has no rate, rather than a rate of 0
      series: [{ name: 'error rate', cls: 's-bad', values: buckets.map((b) => (b.rowsDelivered + b.rowsRejected + b.rowsFailed === 0 ? null : b.errorRate)) }],
    }, 'chart-errors'),
    lineChart({
      title: 'Delivery latency (claim to settled, mean per batch)',
      times,
      format: millis,
      series: [{ name: 'latency', cls: 's-info', values: buckets.map((b) => b.latencyMs) }],
    }, 'chart-latency'),
  ];
}

/** Renders `#/dashboard`. */
export function renderDashboard(root: HTMLElement): Cleanup {
  const totals = el('p', { 'data-testid': 'stats-totals' }, 'Loading…');
  const body = el('div', { class: 'charts' });
  const updated = el('small', {});
  replace(root, el('div', { class: 'title-row' }, el('h1', {}, 'Dashboard'), el('span', {}, `last ${MINUTES} minutes`), updated), totals, body);
  const load = (): void => {
    call<StatsAnswer>(`/api/stats?minutes=${MINUTES}`).then(({ buckets }) => {
      const sum = buckets.reduce((t, b) => ({ delivered: t.delivered + b.rowsDelivered, bad: t.bad + b.rowsRejected + b.rowsFailed, batches: t.batches + b.batches }), { delivered: 0, bad: 0, batches: 0 });
      totals.textContent = `${sum.batches} batches, ${sum.delivered} rows delivered, ${sum.bad} rejected or failed.`;
      replace(body, charts(buckets));
      updated.textContent = `updated ${new Date().toLocaleTimeString()}`;
    }, (error: unknown) => replace(totals, notice('error', describeError(error))));
  };
  load();
  const timer = setInterval(load, REFRESH_MS);
  return () => clearInterval(timer);
}
