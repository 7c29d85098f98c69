import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { RecordedRequest } from '../../support/http-target.js';
import { chunkOf, never, orders, setup } from './http-sink-harness.js';

const DELAY_MS = 100;

/** The most requests the target held at once, each held from its arrival for DELAY_MS. */
function maxInFlight(requests: readonly RecordedRequest[]): number {
  let max = 0;
  for (const r of requests) {
    const open = requests.filter((o) => o.receivedAt <= r.receivedAt && r.receivedAt < o.receivedAt + DELAY_MS).length;
    max = Math.max(max, open);
  }
  return max;
}

function deliverMany(sink: { deliver: (c: ReturnType<typeof chunkOf>, s: AbortSignal) => Promise<unknown> }, n: number): Promise<unknown[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => sink.deliver(chunkOf(orders(2, i * 2 + 1), `k-${i}`), never)));
}

describe('HTTP sink: flow control', () => {
  it('keeps at most target.concurrency requests in flight across chunks', async (t) => {
    const { target, sink } = await setup(t, { concurrency: 2 }, { script: () => ({ delayMs: DELAY_MS }) });
    await deliverMany(sink, 6);
    assert.equal(target.requests.length, 6);
    assert.equal(maxInFlight(target.requests), 2);
  });

  it('sends one request at a time by default', async (t) => {
    const { target, sink } = await setup(t, {}, { script: () => ({ delayMs: DELAY_MS }) });
    await deliverMany(sink, 3);
    assert.equal(maxInFlight(target.requests), 1);
  });

  it('counts a split half as a request in flight like any other', async (t) => {
    const { target, sink } = await setup(t, { concurrency: 2 }, {
      script: (req) => (Array.isArray(req.json) && req.json.length > 1 ? { status: 400, delayMs: DELAY_MS } : { delayMs: DELAY_MS }),
    });
    await sink.deliver(chunkOf(orders(8)), never);
    assert.equal(maxInFlight(target.requests), 2);
  });

  it('sends no more than target.rate requests per second', async (t) => {
    const { target, sink } = await setup(t, { concurrency: 4, rate: '10/s' });
    const started = Date.now();
    await deliverMany(sink, 5);
    // Without the rate, four would leave at once; at 10/s the fifth cannot leave before 400 ms.
    const arrivals = target.requests.map((r) => r.receivedAt - started).sort((a, b) => a - b);
    assert.equal(arrivals.length, 5);
    assert.ok((arrivals[1] ?? 0) >= 95, `the second request arrived after ${arrivals[1]} ms`);
    assert.ok((arrivals[4] ?? 0) >= 395, `the fifth request arrived after ${arrivals[4]} ms`);
  });
});

describe('HTTP sink: abort', () => {
  it('stops a request in flight promptly and rejects with the abort reason', async (t) => {
    const { target, sink } = await setup(t, {}, { script: [{ hang: true }] });
    const controller = new AbortController();
    const delivery = sink.deliver(chunkOf(orders(2)), controller.signal);
    await target.waitForRequests(1);
    const reason = new Error('shutting down');
    const started = Date.now();
    controller.abort(reason);
    await assert.rejects(delivery, (error) => error === reason);
    assert.ok(Date.now() - started < 200);
    assert.equal(target.requests.length, 1);
  });

  it('stops a backoff wait promptly', async (t) => {
    const { target, sink } = await setup(t, {}, { script: () => ({ status: 503 }) }, { baseDelayMs: 60_000, random: () => 1 });
    const controller = new AbortController();
    const delivery = sink.deliver(chunkOf(orders(1)), controller.signal);
    await target.waitForRequests(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const started = Date.now();
    controller.abort(new Error('shutting down'));
    await assert.rejects(delivery, /shutting down/);
    assert.ok(Date.now() - started < 200);
    assert.equal(target.requests.length, 1);
  });

  it('stops chunks waiting for a free slot, and sends them nothing', async (t) => {
    const { target, sink } = await setup(t, {}, { script: () => ({ hang: true }) });
    const controller = new AbortController();
    const deliveries = [0, 1, 2].map((i) => sink.deliver(chunkOf(orders(1), `k-${i}`), controller.signal));
    await target.waitForRequests(1);
    controller.abort(new Error('shutting down'));
    const results = await Promise.allSettled(deliveries);
    assert.ok(results.every((r) => r.status === 'rejected'));
    assert.equal(target.requests.length, 1);
  });

  it('rejects deliveries in progress when the sink closes', async (t) => {
    const { target, sink } = await setup(t, {}, { script: () => ({ hang: true }) });
    const delivery = sink.deliver(chunkOf(orders(1)), never);
    await target.waitForRequests(1);
    await sink.close();
    await assert.rejects(delivery, /the HTTP sink was closed/);
  });
});
