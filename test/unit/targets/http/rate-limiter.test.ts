import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { RateLimiter } from '../../../../src/targets/http/rate-limiter.js';

describe('RateLimiter', () => {
  it('spaces requests 1/rate apart, the first one at once', async () => {
    const limiter = new RateLimiter(50);
    const started = performance.now();
    const times: number[] = [];
    const order: string[] = [];
    const takes = [0, 1, 2, 3].map((i) => limiter.take().then(() => {
      times.push(performance.now() - started);
      order.push(`take ${i}`);
    }));
    // a 5 ms timer set at the same time: the first request leaves before it, the second after it,
    // however late a busy machine runs both (timers fire in the order they are due)
    const probe = new Promise<void>((resolve) => setTimeout(() => {
      order.push('5 ms');
      resolve();
    }, 5));
    await Promise.all([...takes, probe]);
    assert.deepEqual(order, ['take 0', '5 ms', 'take 1', 'take 2', 'take 3']);
    assert.ok((times[3] ?? 0) >= 58, `fourth after ${times[3]} ms; 50/s means 60 ms`);
  });

  it('lets a request go at once after a quiet spell', async () => {
    const limiter = new RateLimiter(10);
    await limiter.take();
    await new Promise((resolve) => setTimeout(resolve, 110));
    const started = performance.now();
    await limiter.take();
    assert.ok(performance.now() - started < 10);
  });

  it('rejects a waiting request with the abort reason', async () => {
    const limiter = new RateLimiter(1);
    await limiter.take();
    const controller = new AbortController();
    const waiting = limiter.take(controller.signal);
    controller.abort(new Error('stop'));
    await assert.rejects(waiting, /stop/);
  });
});
