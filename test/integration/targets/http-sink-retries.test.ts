import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';

import { createHttpSink } from '../../../src/targets/http/http-sink.js';

import type { RecordedRequest } from '../../support/http-target.js';
import { chunkOf, never, orders, rejection, setup } from './http-sink-harness.js';

/** Every request carried the chunk's key and exactly the bytes of the first one. */
function assertSameKeyAndBody(requests: readonly RecordedRequest[], key = 'ferry-key-1'): void {
  const first = requests[0];
  assert.ok(first);
  for (const req of requests) {
    assert.equal(req.idempotencyKey, key);
    assert.ok(req.body.equals(first.body), `request ${req.index} carried other bytes than the first`);
  }
}

describe('HTTP sink: retries', () => {
  it('retries 503 and 500 with the same key and body, then delivers', async (t) => {
    const retries: { attempt: number; reason: string }[] = [];
    const { target, sink } = await setup(t, {}, { script: [{ status: 503 }, { status: 500 }, {}] }, {
      events: { onRetry: (info) => retries.push({ attempt: info.attempt, reason: info.reason }) },
    });
    const result = await sink.deliver(chunkOf(orders(4)), never);
    assert.equal(result.outcomes.filter((o) => o.status === 'delivered').length, 4);
    assert.equal(result.requests, 3);
    assert.equal(result.retries, 2);
    assert.equal(target.requests.length, 3);
    assertSameKeyAndBody(target.requests);
    assert.deepEqual(retries, [
      { attempt: 2, reason: '503 Service Unavailable' },
      { attempt: 3, reason: '500 Internal Server Error' },
    ]);
  });

  it('waits the seconds a 429 asks for in Retry-After', async (t) => {
    const { target, sink } = await setup(t, {}, { script: [{ status: 429, retryAfter: '1' }, {}] });
    await sink.deliver(chunkOf(orders(2)), never);
    const [first, second] = target.requests;
    assert.ok(first && second);
    assert.ok(second.receivedAt - first.receivedAt >= 950, `waited ${second.receivedAt - first.receivedAt} ms`);
    assertSameKeyAndBody(target.requests);
  });

  it('reads a Retry-After date against the answer\'s own Date header, not our clock', async (t) => {
    // The server's clock is years off ours; only the difference between its two dates counts.
    const serverNow = Date.UTC(2001, 0, 1, 12, 0, 0);
    const headers = { date: new Date(serverNow).toUTCString() };
    const retryAfter = new Date(serverNow + 1000).toUTCString();
    const { target, sink } = await setup(t, {}, { script: [{ status: 429, retryAfter, headers }, {}] });
    await sink.deliver(chunkOf(orders(2)), never);
    const [first, second] = target.requests;
    assert.ok(first && second);
    const waited = second.receivedAt - first.receivedAt;
    assert.ok(waited >= 950 && waited < 2500, `waited ${waited} ms`);
    assertSameKeyAndBody(target.requests);
  });

  it('waits no longer than retry.maxDelay, whatever Retry-After says', async (t) => {
    const { target, sink } = await setup(t, { retry: { maxDelay: '200ms' } }, { script: [{ status: 503, retryAfter: '3600' }, {}] });
    await sink.deliver(chunkOf(orders(1)), never);
    const [first, second] = target.requests;
    assert.ok(first && second);
    const waited = second.receivedAt - first.receivedAt;
    assert.ok(waited >= 180 && waited < 1500, `waited ${waited} ms`);
  });

  it('times out a target that never answers, destroys the socket and retries with the same key and body', async (t) => {
    const reasons: string[] = [];
    const { target, sink } = await setup(t, { timeout: { headers: '150ms' } }, { script: [{ hang: true }, {}] }, {
      events: { onRetry: (info) => reasons.push(info.reason) },
    });
    const result = await sink.deliver(chunkOf(orders(3)), never);
    assert.equal(result.outcomes.length, 3);
    assert.ok(result.outcomes.every((o) => o.status === 'delivered'));
    assert.equal(target.requests.length, 2);
    assertSameKeyAndBody(target.requests);
    assert.match(reasons[0] ?? '', /no response headers within 150 ms.*E_TARGET_TIMEOUT/);
  });

  it('times out a target that never reads the request', async (t) => {
    const { target, sink } = await setup(t, { timeout: { headers: '150ms' } }, { script: [{ hangBeforeBody: true }, {}] });
    const result = await sink.deliver(chunkOf(orders(1)), never);
    assert.equal(result.outcomes[0]?.status, 'delivered');
    assert.equal(target.requests.length, 2);
  });

  it('times out an answer whose body stops half-way, and retries', async (t) => {
    let calls = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        calls++;
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        if (calls === 1) res.write('{"results":');
        else res.end(`{"results":[]}${' '.repeat(86)}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const reasons: string[] = [];
    const sink = createHttpSink({ type: 'http', url: `http://127.0.0.1:${port}/`, timeout: { body: '150ms' } }, {
      baseDelayMs: 10,
      events: { onRetry: (info) => reasons.push(info.reason) },
    });
    t.after(() => sink.close());
    const result = await sink.deliver(chunkOf(orders(1)), never);
    assert.equal(result.outcomes[0]?.status, 'delivered');
    assert.equal(calls, 2);
    assert.match(reasons[0] ?? '', /no complete response body within 150 ms.*E_TARGET_TIMEOUT/);
  });

  it('retries when the connection is destroyed after the body was sent', async (t) => {
    const { target, sink } = await setup(t, {}, { script: [{ destroyAfterBody: true }, {}] });
    const result = await sink.deliver(chunkOf(orders(3)), never);
    assert.ok(result.outcomes.every((o) => o.status === 'delivered'));
    assert.deepEqual(target.requests.map((r) => r.outcome), ['destroyed', 'ok']);
    assertSameKeyAndBody(target.requests);
  });

  it('gives up after retry.attempts with E_TARGET_UNAVAILABLE naming the last answer', async (t) => {
    const { target, sink } = await setup(t, { retry: { attempts: 3 } }, { script: () => ({ status: 502 }) });
    await assert.rejects(sink.deliver(chunkOf(orders(2)), never), (error: Error) => {
      assert.ok(rejection('E_TARGET_UNAVAILABLE', 'TransientError')(error));
      assert.match(error.message, /after 3 attempts; the last one got: 502 Bad Gateway/);
      return true;
    });
    assert.equal(target.requests.length, 3);
    assertSameKeyAndBody(target.requests);
  });

  it('gives up on a target that refuses connections with E_TARGET_UNAVAILABLE', async (t) => {
    const { target, sink } = await setup(t, { retry: { attempts: 2 } });
    await target.close();
    await assert.rejects(sink.deliver(chunkOf(orders(1)), never), (error: Error) => {
      assert.ok(rejection('E_TARGET_UNAVAILABLE', 'TransientError')(error));
      assert.match(error.message, /after 2 attempts; the last one got: the connection was refused/);
      return true;
    });
  });
});
