import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';

import { RunSlots, runSlotsFromEnv } from '../../../src/daemon/run-slots.js';

describe('RunSlots (the global run limit)', () => {
  it('lets at most max runs in at once and the others in, in order, as runs end', async () => {
    const slots = new RunSlots(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const run = async (n: number): Promise<void> => {
      const release = await slots.acquire();
      running++;
      peak = Math.max(peak, running);
      order.push(n);
      await delay(20);
      running--;
      release();
      release();
    };
    await Promise.all([1, 2, 3, 4, 5].map(run));
    assert.equal(peak, 2);
    assert.deepEqual(order, [1, 2, 3, 4, 5]);
    assert.equal(slots.inUse, 0);
    assert.equal(slots.queued, 0);
  });

  it('reads FERRY_MAX_RUNS and refuses nonsense', () => {
    assert.equal(runSlotsFromEnv({}).max, 4);
    assert.equal(runSlotsFromEnv({ FERRY_MAX_RUNS: '1' }).max, 1);
    assert.throws(() => runSlotsFromEnv({ FERRY_MAX_RUNS: '0' }), /at least 1/);
    assert.throws(() => runSlotsFromEnv({ FERRY_MAX_RUNS: 'many' }), /whole number/);
  });
});
