import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { renderMetrics } from '../../../src/admin/metrics.js';
import { TransientError } from '../../../src/errors.js';
import { MetricsRegistry } from '../../../src/metrics/metrics-registry.js';
import { requestClass } from '../../../src/metrics/request-class.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import type { BatchPatch, NewNotification } from '../../../src/store/types.js';
import { parsePrometheusText, type PromScrape } from '../../support/prometheus-text.js';

const notification = (id: string, url = 'https://erp.example.com/hook'): NewNotification => ({
  id, profile: 'orders', url, event: 'batch.completed', body: '{}', batchId: null, retryUntil: Date.now() + 60_000,
});

async function addBatch(store: SqliteStore, id: string, profile: string, patch: BatchPatch, notifications: NewNotification[] = []): Promise<void> {
  await store.createBatch({ id, runId: 'r1', profile, profileVersion: 'v1', fileName: `${id}.csv`, sourcePath: `/in/${id}.csv`, sourceSize: 1, sourceMtimeMs: 1 });
  await store.updateBatch(id, { state: 'done', ...patch }, notifications);
}

async function scrape(metrics: MetricsRegistry): Promise<PromScrape> {
  return parsePrometheusText((await metrics.render()).text);
}

describe('the metrics registry', () => {
  let dir: string;
  let store: SqliteStore;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-metrics-'));
    store = SqliteStore.open(join(dir, 'ferry.db'), { exclusive: false });
    await store.createRun({ id: 'r1', profile: 'orders', trigger: 'manual' });
    await addBatch(store, 'b1', 'orders', { status: 'completed', rowsTotal: 10, rowsDelivered: 9, rowsSkipped: 1 }, [notification('n-pending'), notification('n-dead'), notification('n-delivered')]);
    await addBatch(store, 'b2', 'orders', { status: 'partial', rowsTotal: 5, rowsDelivered: 3, rowsRejected: 1, rowsFailed: 1 });
    await addBatch(store, 'b3', 'orders', { status: 'failed', errorCode: 'E_CSV_HEADER', errorMessage: 'no column' });
    await addBatch(store, 'b4', 'invoices', { status: 'failed', errorCode: 'E_TARGET_UNAVAILABLE', errorMessage: 'down' }, [notification('n-disabled', 'https://gone.example.com/hook')]);
    await store.settleNotification('n-dead', { state: 'dead', lastError: 'gave up' });
    await store.settleNotification('n-delivered', { state: 'delivered' });
    await store.disableEndpoint('https://gone.example.com/hook', 'invoices', '410');
    await store.addAlert({ profile: 'orders', kind: 'file.missing', message: 'no file', batchId: null });
    await store.recordSourceHealth({ profile: 'orders', connection: 'local:/in', state: 'ok', lastPollAt: Date.now() - 5000, lastOkAt: Date.now() - 5000, lastError: null, lastErrorAt: null, waiting: 2, pid: process.pid });
    await store.recordSourceHealth({ profile: 'invoices', connection: 'sftp://x@h:22', state: 'down', lastPollAt: Date.now(), lastOkAt: null, lastError: 'refused', lastErrorAt: Date.now(), waiting: 0, pid: process.pid });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts the outbox by state in one query, every state present', async () => {
    assert.deepEqual(await store.countNotifications(), { pending: 1, delivered: 1, dead: 1, disabled: 1 });
    const empty = SqliteStore.open(join(dir, 'empty.db'), { exclusive: false });
    try {
      assert.deepEqual(await empty.countNotifications(), { pending: 0, delivered: 0, dead: 0, disabled: 0 });
    } finally {
      await empty.close();
    }
  });

  it('reads batches, rows, alerts, errors, the outbox, sources and runs from the ledger', async () => {
    const metrics = new MetricsRegistry({ processMetrics: false });
    metrics.readLedger(store, { runs: () => ({ inUse: 1, queued: 3 }) });
    const m = await scrape(metrics);
    assert.equal(m.families.get('ferry_batches_total')?.type, 'counter');
    assert.equal(m.value('ferry_batches_total', { profile: 'orders', status: 'completed' }), 1);
    assert.equal(m.value('ferry_batches_total', { profile: 'orders', status: 'partial' }), 1);
    assert.equal(m.value('ferry_batches_total', { profile: 'invoices', status: 'failed' }), 1);
    assert.equal(m.value('ferry_rows_total', { profile: 'orders', outcome: 'delivered' }), 12);
    assert.equal(m.value('ferry_rows_total', { profile: 'orders', outcome: 'rejected' }), 1);
    assert.equal(m.value('ferry_rows_total', { profile: 'orders', outcome: 'failed' }), 1);
    assert.equal(m.value('ferry_rows_total', { profile: 'orders', outcome: 'skipped' }), 1);
    assert.equal(m.value('ferry_alerts_total', { profile: 'orders', kind: 'file.missing' }), 1);
    assert.equal(m.value('ferry_errors_total', { profile: 'orders', code: 'E_CSV_HEADER', stage: 'batch' }), 1);
    assert.equal(m.value('ferry_errors_total', { profile: 'invoices', code: 'E_TARGET_UNAVAILABLE', stage: 'batch' }), 1);
    assert.equal(m.families.get('ferry_notifications')?.type, 'gauge');
    assert.deepEqual(m.samples('ferry_notifications').map((s) => [s.labels.state, s.value]), [['pending', 1], ['dead', 1], ['disabled', 1]], 'the backlog, not what was delivered');
    assert.equal(m.value('ferry_source_up', { profile: 'orders' }), 1);
    assert.equal(m.value('ferry_source_up', { profile: 'invoices' }), 0);
    const age = m.value('ferry_source_poll_age_seconds', { profile: 'orders' }) ?? -1;
    assert.ok(age >= 5 && age <= 7, `poll age ${age}`);
    assert.equal(m.value('ferry_source_waiting_files', { profile: 'orders' }), 2);
    assert.equal(m.value('ferry_runs_in_progress'), 1);
    assert.equal(m.value('ferry_runs_queued'), 3);
  });

  it('reads the ledger at each scrape, so counts move with the store and survive a restart', async () => {
    const metrics = new MetricsRegistry({ processMetrics: false });
    metrics.readLedger(store);
    assert.equal((await scrape(metrics)).value('ferry_batches_total', { profile: 'orders', status: 'completed' }), 1);
    await addBatch(store, 'b5', 'orders', { status: 'completed', rowsTotal: 2, rowsDelivered: 2 });
    const [a, b] = await Promise.all([scrape(metrics), scrape(metrics)]);
    assert.equal(a.value('ferry_batches_total', { profile: 'orders', status: 'completed' }), 2);
    assert.equal(b.value('ferry_rows_total', { profile: 'orders', outcome: 'delivered' }), 14, 'two scrapes at once do not add up each other');
    const restarted = new MetricsRegistry({ processMetrics: false });
    restarted.readLedger(store);
    assert.equal((await scrape(restarted)).value('ferry_rows_total', { profile: 'orders', outcome: 'delivered' }), 14);
    assert.equal((await scrape(restarted)).value('ferry_runs_in_progress'), undefined, 'no run slots, no run gauges');
  });

  it('keeps delivery latency, retries, poll errors and notification attempts of this process', async () => {
    const metrics = new MetricsRegistry({ processMetrics: false });
    metrics.readLedger(store);
    metrics.observeDelivery('orders', '2xx', 0.03);
    metrics.observeDelivery('orders', '2xx', 0.7);
    metrics.observeDelivery('orders', '5xx', 0.004);
    metrics.countRetry('orders', '5xx');
    metrics.countRetry('orders', '5xx');
    metrics.countRetry('orders', 'timeout');
    metrics.countPollError('orders', 'E_REMOTE_UNAVAILABLE');
    metrics.countPollError('orders', 'E_REMOTE_UNAVAILABLE');
    metrics.countNotification('failed');
    const m = await scrape(metrics);
    assert.equal(m.families.get('ferry_delivery_duration_seconds')?.type, 'histogram');
    const ok = { profile: 'orders', outcome: '2xx' };
    assert.equal(m.value('ferry_delivery_duration_seconds_count', ok), 2);
    assert.ok(Math.abs((m.value('ferry_delivery_duration_seconds_sum', ok) ?? 0) - 0.73) < 1e-9);
    assert.equal(m.value('ferry_delivery_duration_seconds_bucket', { ...ok, le: '0.025' }), 0);
    assert.equal(m.value('ferry_delivery_duration_seconds_bucket', { ...ok, le: '0.05' }), 1);
    assert.equal(m.value('ferry_delivery_duration_seconds_bucket', { ...ok, le: '1' }), 2);
    assert.equal(m.value('ferry_delivery_duration_seconds_bucket', { ...ok, le: '+Inf' }), 2);
    assert.equal(m.value('ferry_delivery_duration_seconds_bucket', { profile: 'orders', outcome: '5xx', le: '0.01' }), 1);
    assert.equal(m.value('ferry_delivery_retries_total', { profile: 'orders', reason: '5xx' }), 2);
    assert.equal(m.value('ferry_delivery_retries_total', { profile: 'orders', reason: 'timeout' }), 1);
    assert.equal(m.value('ferry_errors_total', { profile: 'orders', code: 'E_REMOTE_UNAVAILABLE', stage: 'poll' }), 2);
    assert.equal(m.value('ferry_errors_total', { profile: 'orders', code: 'E_CSV_HEADER', stage: 'batch' }), 1, 'beside the ledger errors');
    assert.deepEqual(m.samples('ferry_notification_deliveries_total').map((s) => [s.labels.outcome, s.value]), [['delivered', 0], ['failed', 1], ['dead', 0], ['gone', 0]]);
  });

  it('owns its registry: two daemons in one process do not share series; process metrics carry the ferry_ prefix', async () => {
    const one = new MetricsRegistry();
    const two = new MetricsRegistry();
    one.observeDelivery('orders', '2xx', 0.1);
    const m1 = await scrape(one);
    const m2 = await scrape(two);
    assert.equal(m1.value('ferry_delivery_duration_seconds_count', { profile: 'orders', outcome: '2xx' }), 1);
    assert.equal(m2.samples('ferry_delivery_duration_seconds_count').length, 0);
    assert.ok((m1.value('ferry_process_resident_memory_bytes') ?? 0) > 0);
    assert.ok(m1.families.has('ferry_nodejs_eventloop_lag_seconds'));
    assert.ok(m1.families.has('ferry_nodejs_heap_size_used_bytes'));
    assert.ok(![...m1.families.keys()].some((name) => !name.startsWith('ferry_')), 'every family is ferry_');
    assert.match((await one.render()).contentType, /^text\/plain; version=0\.0\.4/);
  });

  it('serves the ledger families alone when the admin server has no registry', async () => {
    const { contentType, text } = await renderMetrics({ store, runs: () => ({ inUse: 0, queued: 0 }) });
    const m = parsePrometheusText(text);
    assert.match(contentType, /^text\/plain; version=0\.0\.4/);
    assert.equal(m.value('ferry_batches_total', { profile: 'invoices', status: 'failed' }), 1);
    assert.equal(m.value('ferry_runs_in_progress'), 0);
    assert.equal(m.families.has('ferry_process_resident_memory_bytes'), false);
    assert.equal(m.families.has('ferry_delivery_duration_seconds'), false);
  });
});

describe('request classes', () => {
  it('labels an answer by its status class, 429 apart, and a missing answer as timeout or network', () => {
    assert.deepEqual([200, 204, 307, 400, 408, 429, 500, 503].map((s) => requestClass(s)), ['2xx', '2xx', '3xx', '4xx', '4xx', '429', '5xx', '5xx']);
    assert.equal(requestClass(undefined, new TransientError('E_TARGET_TIMEOUT', 'timed out')), 'timeout');
    assert.equal(requestClass(undefined, new TransientError('E_TARGET_UNAVAILABLE', 'ECONNREFUSED')), 'network');
    assert.equal(requestClass(undefined, new Error('anything')), 'network');
  });
});

describe('the Prometheus text reader of the tests', () => {
  it('reads escaped label values and refuses lines it cannot read', () => {
    const m = parsePrometheusText('# HELP x_total An x.\n# TYPE x_total counter\nx_total{a="q\\"uote",b="back\\\\slash\\nline"} 3\n');
    assert.deepEqual(m.samples('x_total')[0]?.labels, { a: 'q"uote', b: 'back\\slash\nline' });
    assert.equal(m.families.get('x_total')?.help, 'An x.');
    assert.throws(() => parsePrometheusText('# TYPE y gauge\ny{a="1"} not-a-number\n'), /not a sample value/);
    assert.throws(() => parsePrometheusText('z 1\n'), /no # TYPE/);
  });
});
