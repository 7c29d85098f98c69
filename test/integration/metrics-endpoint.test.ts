import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { DaemonProcess, until } from '../support/daemon-process.js';
import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { parsePrometheusText, type PromScrape } from '../support/prometheus-text.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

/** A loopback URL nothing listens on: every notification to it fails with a refused connection. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/hooks/ferry`;
}

describe('GET /metrics of a running daemon (prom-client)', () => {
  let target: HttpTarget;
  let ws: Workspace;
  let daemon: DaemonProcess;
  let base: string;
  let contentType: string | null = null;
  const scrape = async (): Promise<PromScrape> => {
    const res = await fetch(`${base}/metrics`);
    contentType = res.headers.get('content-type');
    assert.equal(res.status, 200);
    return parsePrometheusText(await res.text());
  };

  before(async () => {
    // the first request fails with 503, the retry (and everything after) gets 200
    target = await startHttpTarget({ script: [{ status: 503 }] });
    ws = createWorkspace();
    ws.writeProfile('orders', `${ordersProfile(ws, target.url)}notify:\n  - { url: "${await deadUrl()}", allowPrivate: true }\n`);
    writeOrdersCsv(join(ws.inbox, 'm1.csv'), 5, 'M1');
    // no "Order No" column: the file is rejected as a whole (E_CSV_HEADER)
    writeFileSync(join(ws.inbox, 'bad.csv'), 'Customer;SKU\r\nACME;SKU-1\r\n');
    daemon = new DaemonProcess(ws);
    base = await daemon.ready();
  });
  after(async () => {
    await daemon.stop().catch(() => daemon.kill());
    await target.close();
    ws.remove();
  });

  it('shows the delivery latency histogram, the retry with its reason, batches, rows, errors and the waiting notifications', async () => {
    let m = await scrape();
    await until('both files settled and a notification attempt failed', async () => {
      m = await scrape();
      return m.value('ferry_batches_total', { profile: 'orders', status: 'completed' }) === 1
        && m.value('ferry_batches_total', { profile: 'orders', status: 'failed' }) === 1
        && (m.value('ferry_notification_deliveries_total', { outcome: 'failed' }) ?? 0) >= 4;
    });
    assert.match(contentType ?? '', /^text\/plain; version=0\.0\.4; charset=utf-8$/);
    assert.deepEqual(target.requests.map((r) => r.status), [503, 200], 'one chunk: refused once, then taken');

    // one observation per request: the 503 and the 200, each in its own outcome
    assert.equal(m.families.get('ferry_delivery_duration_seconds')?.type, 'histogram');
    for (const outcome of ['5xx', '2xx']) {
      const labels = { profile: 'orders', outcome };
      assert.equal(m.value('ferry_delivery_duration_seconds_count', labels), 1, outcome);
      const buckets = m.samples('ferry_delivery_duration_seconds_bucket', labels);
      assert.equal(buckets.at(-1)?.labels.le, '+Inf');
      assert.equal(buckets.at(-1)?.value, 1);
      assert.ok(buckets.every((b, i) => i === 0 || b.value >= (buckets[i - 1]?.value ?? 0)), 'cumulative buckets');
      assert.ok((m.value('ferry_delivery_duration_seconds_sum', labels) ?? -1) > 0);
    }
    assert.equal(m.value('ferry_delivery_retries_total', { profile: 'orders', reason: '5xx' }), 1);
    assert.equal(m.samples('ferry_delivery_retries_total').length, 1, 'no other retry');

    assert.equal(m.value('ferry_rows_total', { profile: 'orders', outcome: 'delivered' }), 5);
    assert.equal(m.value('ferry_rows_total', { profile: 'orders', outcome: 'rejected' }), 0);
    assert.equal(m.value('ferry_errors_total', { profile: 'orders', code: 'E_CSV_HEADER', stage: 'batch' }), 1);

    // file.received and batch.completed for m1.csv, file.received and file.rejected for bad.csv
    assert.equal(m.value('ferry_notifications', { state: 'pending' }), 4);
    assert.equal(m.value('ferry_notifications', { state: 'dead' }), 0);
    assert.equal(m.value('ferry_notification_deliveries_total', { outcome: 'delivered' }), 0);

    assert.equal(m.value('ferry_source_up', { profile: 'orders' }), 1);
    assert.ok((m.value('ferry_source_poll_age_seconds', { profile: 'orders' }) ?? -1) >= 0);
    assert.equal(m.value('ferry_runs_in_progress'), 0);
    assert.ok((m.value('ferry_process_resident_memory_bytes') ?? 0) > 0);
    assert.ok(m.families.has('ferry_nodejs_eventloop_lag_seconds'));
  });
});
