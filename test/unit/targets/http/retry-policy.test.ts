import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  backoffDelayMs,
  DEFAULT_RETRY,
  isRetryableStatus,
  parseRetryAfter,
  retryDelayMs,
  retryPolicyOf,
} from '../../../../src/targets/http/retry-policy.js';

const policy = { attempts: 8, baseDelayMs: 500, maxDelayMs: 5_000 };

describe('retry policy', () => {
  it('defaults to 8 attempts, 500 ms base and a 5 minute cap', () => {
    assert.deepEqual(retryPolicyOf({ type: 'http', url: 'https://x.example/' }), DEFAULT_RETRY);
    assert.deepEqual(DEFAULT_RETRY, { attempts: 8, baseDelayMs: 500, maxDelayMs: 300_000 });
  });

  it('reads target.retry, and lets a test override the base', () => {
    const target = { type: 'http' as const, url: 'https://x.example/', retry: { attempts: 3, maxDelay: '1m', baseDelay: '2s' } };
    assert.deepEqual(retryPolicyOf(target), { attempts: 3, baseDelayMs: 2000, maxDelayMs: 60_000 });
    assert.equal(retryPolicyOf(target, 10).baseDelayMs, 10);
  });

  it('doubles the ceiling per attempt, up to maxDelay', () => {
    const top = (attempt: number): number => backoffDelayMs(attempt, policy, () => 1);
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(top), [500, 1000, 2000, 4000, 5000, 5000]);
  });

  it('draws the delay uniformly below the ceiling (full jitter)', () => {
    assert.equal(backoffDelayMs(3, policy, () => 0), 0);
    assert.equal(backoffDelayMs(3, policy, () => 0.25), 500);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelayMs(2, policy, Math.random);
      assert.ok(d >= 0 && d <= 1000, String(d));
    }
  });

  it('takes Retry-After instead of the backoff, but never beyond maxDelay', () => {
    assert.equal(retryDelayMs(1, policy, 2000, () => 1), 2000);
    assert.equal(retryDelayMs(1, policy, 0, () => 1), 0);
    assert.equal(retryDelayMs(1, policy, 3_600_000, () => 1), 5000);
    assert.equal(retryDelayMs(1, policy, undefined, () => 1), 500);
  });

  it('retries 5xx, 429 and 408, and nothing else', () => {
    assert.deepEqual([500, 502, 503, 504, 429, 408].map(isRetryableStatus), [true, true, true, true, true, true]);
    assert.deepEqual([400, 401, 403, 404, 409, 413, 422, 200, 307].map(isRetryableStatus), new Array(9).fill(false));
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 10, 23, 12, 0, 0);

  it('reads delay-seconds', () => {
    assert.equal(parseRetryAfter('120', undefined, now), 120_000);
    assert.equal(parseRetryAfter(' 0 ', undefined, now), 0);
  });

  it('reads an HTTP date against our clock when the answer has no Date header', () => {
    assert.equal(parseRetryAfter('Mon, 23 Nov 2026 12:00:30 GMT', undefined, now), 30_000);
  });

  it('reads an HTTP date against the answer\'s Date header, whatever our clock says', () => {
    const date = 'Sat, 01 Jan 2000 00:00:00 GMT';
    assert.equal(parseRetryAfter('Sat, 01 Jan 2000 00:00:05 GMT', date, now), 5000);
  });

  it('treats a date in the past as no wait', () => {
    assert.equal(parseRetryAfter('Mon, 23 Nov 2026 11:00:00 GMT', undefined, now), 0);
  });

  it('falls back to our clock when the Date header is unreadable', () => {
    assert.equal(parseRetryAfter('Mon, 23 Nov 2026 12:00:10 GMT', 'yesterday', now), 10_000);
  });

  it('ignores what it cannot read', () => {
    for (const value of [undefined, '', 'soon', '-5', '1.5', '10s']) assert.equal(parseRetryAfter(value, undefined, now), undefined, String(value));
  });
});
