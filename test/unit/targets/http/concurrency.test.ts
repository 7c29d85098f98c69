import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ConcurrencyLimit } from '../../../../src/targets/http/concurrency.js';

describe('ConcurrencyLimit', () => {
  it('grants up to the limit, then first come, first served', async () => {
    const limit = new ConcurrencyLimit(2);
    const order: string[] = [];
    const a = await limit.acquire();
    const b = await limit.acquire();
    const c = limit.acquire().then((release) => { order.push('c'); return release; });
    const d = limit.acquire().then((release) => { order.push('d'); return release; });
    assert.equal(limit.active, 2);
    a();
    a();
    const releaseC = await c;
    assert.deepEqual(order, ['c']);
    b();
    (await d)();
    releaseC();
    assert.equal(limit.active, 0);
  });

  it('drops a waiter whose signal aborts, with the abort reason', async () => {
    const limit = new ConcurrencyLimit(1);
    const held = await limit.acquire();
    const controller = new AbortController();
    const waiting = limit.acquire(controller.signal);
    controller.abort(new Error('stop'));
    await assert.rejects(waiting, /stop/);
    held();
    assert.equal(limit.active, 0);
    (await limit.acquire())();
  });
});
