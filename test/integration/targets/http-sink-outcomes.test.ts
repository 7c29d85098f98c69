import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createHttpSink } from '../../../src/targets/http/http-sink.js';
import { startHttpTarget } from '../../support/http-target.js';
import { chunkOf, never, orders, rejection, setup } from './http-sink-harness.js';

const response = { items: 'results', id: 'id', error: 'error' };

describe('HTTP sink: per-record outcomes', () => {
  it('reads ids and per-record errors of a 200 as a partial success', async (t) => {
    const { sink } = await setup(t, { response }, {
      script: [{ perRecord: (_record, i) => (i === 1 ? { error: 'invalid vat' } : { id: `ORD-${i}` }) }],
    });
    const result = await sink.deliver(chunkOf(orders(3)), never);
    assert.deepEqual(result.outcomes, [
      { status: 'delivered', targetId: 'ORD-0' },
      { status: 'failed', error: 'invalid vat [E_TARGET_REJECTED]' },
      { status: 'delivered', targetId: 'ORD-2' },
    ]);
    assert.equal(result.requests, 1);
  });

  it('reads a nested items path', async (t) => {
    const { sink } = await setup(t, { response: { items: 'data.results', id: 'ref.id' } }, {
      script: [{ body: { data: { results: [{ ref: { id: 7 } }, { ref: { id: 8 } }] } } }],
    });
    const result = await sink.deliver(chunkOf(orders(2)), never);
    assert.deepEqual(result.outcomes, [{ status: 'delivered', targetId: '7' }, { status: 'delivered', targetId: '8' }]);
  });

  it('fails the records a short answer says nothing about, with E_TARGET_RESPONSE', async (t) => {
    const { sink } = await setup(t, { response }, { script: [{ body: { results: [{ id: 'X1' }] } }] });
    const result = await sink.deliver(chunkOf(orders(3)), never);
    assert.deepEqual(result.outcomes[0], { status: 'delivered', targetId: 'X1' });
    for (const outcome of result.outcomes.slice(1)) {
      assert.equal(outcome.status, 'failed');
      assert.match(outcome.status === 'failed' ? outcome.error : '', /1 entries in "results" of the answer for 3 records.*\[E_TARGET_RESPONSE\]$/);
    }
  });

  it('fails every record when the answer has no array where target.response says', async (t) => {
    const { sink } = await setup(t, { response }, { script: [{ body: 'OK' }] });
    const result = await sink.deliver(chunkOf(orders(2)), never);
    assert.ok(result.outcomes.every((o) => o.status === 'failed' && /not JSON.*\[E_TARGET_RESPONSE\]$/.test(o.error)));
  });

  it('counts every record of a 2xx as delivered when the profile has no target.response', async (t) => {
    const { sink } = await setup(t, {}, { script: [{ status: 202, body: { queued: true } }] });
    const result = await sink.deliver(chunkOf(orders(2)), never);
    assert.deepEqual(result.outcomes, [{ status: 'delivered' }, { status: 'delivered' }]);
  });
});

describe('HTTP sink: a refused batch is split to isolate the bad records', () => {
  const BAD = 'A7';
  const refuseBad = { script: (req: { json: unknown }) => {
    const records = Array.isArray(req.json) ? (req.json as { orderId: string }[]) : [];
    return records.some((r) => r.orderId === BAD) ? { status: 422, body: { message: 'qty must be positive' } } : {};
  } };

  it('delivers the 9 good records of a 10-record chunk and fails the bad one with the target\'s message', async (t) => {
    const { target, sink } = await setup(t, {}, refuseBad);
    const result = await sink.deliver(chunkOf(orders(10), 'k'), never);

    assert.equal(result.outcomes.filter((o) => o.status === 'delivered').length, 9);
    assert.deepEqual(result.outcomes[6], { status: 'failed', error: 'the target refused the record (422 Unprocessable Entity): qty must be positive [E_TARGET_REJECTED]' });
    assert.equal(result.retries, 0);
    assert.equal(result.requests, target.requests.length);
    // Halves: [0-4] [5-9] → [5-7] [8-9] → [5-6] [7] → [5] [6]; the bad record A7 is index 6.
    assert.deepEqual(new Set(target.requests.map((r) => r.idempotencyKey)), new Set(['k', 'k.0', 'k.1', 'k.1.0', 'k.1.1', 'k.1.0.0', 'k.1.0.1', 'k.1.0.0.0', 'k.1.0.0.1']));
    const byKey = new Map(target.requests.map((r) => [r.idempotencyKey, r.json]));
    assert.deepEqual(byKey.get('k.1.1'), orders(2, 9));
    assert.deepEqual(byKey.get('k.1.0.0.1'), orders(1, 7));
    assert.deepEqual((target.acceptedRecords() as { orderId: string }[]).map((r) => r.orderId).sort(), orders(10).map((r) => r.orderId).filter((id) => id !== BAD).sort());
  });

  it('derives the same keys on a second run (a restart)', async () => {
    const keysOfRun = async (): Promise<string[]> => {
      const target = await startHttpTarget(refuseBad);
      const sink = createHttpSink({ type: 'http', url: target.url, concurrency: 3 }, { baseDelayMs: 10 });
      try {
        await sink.deliver(chunkOf(orders(10), 'k'), never);
        return target.requests.map((r) => r.idempotencyKey ?? '').sort();
      } finally {
        await sink.close();
        await target.close();
      }
    };
    assert.deepEqual(await keysOfRun(), await keysOfRun());
  });

  it('fails a single record refused with a non-JSON body with the status line', async (t) => {
    const { sink } = await setup(t, {}, { script: [{ status: 400, body: 'bad' }] });
    const result = await sink.deliver(chunkOf(orders(1)), never);
    assert.deepEqual(result.outcomes, [{ status: 'failed', error: 'the target refused the record (400 Bad Request) [E_TARGET_REJECTED]' }]);
    assert.equal(result.requests, 1);
  });
});

describe('HTTP sink: redirects', () => {
  it('does not follow a redirect to another origin', async (t) => {
    const other = await startHttpTarget();
    t.after(() => other.close());
    const { target, sink } = await setup(t, {}, { script: [{ redirectTo: `${other.url}/v1/orders` }] });
    await assert.rejects(sink.deliver(chunkOf(orders(2)), never), (error: Error) => {
      assert.ok(rejection('E_TARGET_REDIRECT', 'InputError')(error));
      assert.match(error.message, /307 Temporary Redirect with a redirect to http:\/\/127\.0\.0\.1:\d+\/v1\/orders, which ferry does not follow/);
      return true;
    });
    assert.equal(target.requests.length, 1);
    assert.equal(other.requests.length, 0);
  });

  it('does not follow a 302, even to the same origin', async (t) => {
    const { target, sink } = await setup(t, {}, { script: [{ status: 302, redirectTo: '/v2/orders' }] });
    await assert.rejects(sink.deliver(chunkOf(orders(1)), never), rejection('E_TARGET_REDIRECT', 'InputError'));
    assert.equal(target.requests.length, 1);
  });

  it('follows one 308 to the same origin with the same key and body', async (t) => {
    const { target, sink } = await setup(t, {}, { script: [{ status: 308, redirectTo: '/v2/orders' }, {}] });
    const result = await sink.deliver(chunkOf(orders(2)), never);
    assert.equal(result.outcomes.length, 2);
    assert.ok(result.outcomes.every((o) => o.status === 'delivered'));
    assert.deepEqual(target.requests.map((r) => r.path), ['/v1/orders', '/v2/orders']);
    assert.ok(target.requests[1]?.body.equals(target.requests[0]?.body ?? Buffer.alloc(0)));
    assert.equal(target.requests[1]?.idempotencyKey, 'ferry-key-1');
  });
});
