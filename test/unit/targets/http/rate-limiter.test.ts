import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { RateLimiter } from '../../../../src/targets/http/rate-limiter.js';

describe('RateLimiter', () => {
  it('spaces requests 1/rate apart, the first one at once', async () => {
    const limiter = new RateLimiter(50);
    const started = performance.now();
    const times: number[] = [];
    await Promise.all([0, 1, 2, 3].map(() => limiter.take().then(() => times.push(performance.now() - started))));
    assert.ok((times[0] ?? 99) < 10, `first after ${times[0]} ms`);
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
