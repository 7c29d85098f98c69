import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createLogger } from '../../../src/log.js';
import type { Metrics } from '../../../src/metrics/types.js';
import { TARGETS } from '../../../src/registry.js';
import { startHttpTarget } from '../../support/http-target.js';
import { chunkOf, never, orders } from './http-sink-harness.js';

/** Metrics that remember what they were told. */
function recordingMetrics(): Metrics & { deliveries: [string, string, number][]; retries: [string, string][] } {
  const deliveries: [string, string, number][] = [];
  const retries: [string, string][] = [];
  return {
    deliveries,
    retries,
    observeDelivery: (profile, outcome, seconds) => deliveries.push([profile, outcome, seconds]),
    countRetry: (profile, reason) => retries.push([profile, reason]),
    countPollError: () => undefined,
    countNotification: () => undefined,
  };
}

describe('HTTP target sink: what it reports to /metrics', () => {
  it('observes every request with its class and counts each retry with the reason: 429, timeout, network', async (t) => {
    const target = await startHttpTarget({ script: [{ status: 429 }, { hang: true }, { destroyAfterBody: true }, {}] });
    const metrics = recordingMetrics();
    const sink = TARGETS.http(
      { type: 'http', url: `${target.url}/v1/orders`, timeout: '300ms', retry: { attempts: 5, baseDelay: '10ms', maxDelay: '20ms' } },
      { log: createLogger('silent'), profile: 'orders', metrics },
    );
    t.after(async () => {
      await sink.close();
      await target.close();
    });
    const result = await sink.deliver(chunkOf(orders(3)), never);
    assert.equal(result.outcomes.filter((o) => o.status === 'delivered').length, 3);
    assert.deepEqual(metrics.deliveries.map(([profile, outcome]) => [profile, outcome]), [['orders', '429'], ['orders', 'timeout'], ['orders', 'network'], ['orders', '2xx']]);
    const timedOut = metrics.deliveries[1]?.[2] ?? 0;
    assert.ok(timedOut >= 0.25 && timedOut < 5, `the hanging request took ${timedOut} s, in seconds`);
    assert.deepEqual(metrics.retries, [['orders', '429'], ['orders', 'timeout'], ['orders', 'network']]);
  });
});
