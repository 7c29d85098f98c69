import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createHttpSink } from '../../../src/targets/http/http-sink.js';
import { startHttpTarget } from '../../support/http-target.js';
import { startOAuthServer } from '../../support/oauth-server.js';
import { chunkOf, never, orders, rejection, setup } from './http-sink-harness.js';

describe('HTTP sink: the request', () => {
  it('wraps the records in the body template and sends JSON, the profile headers and the key', async (t) => {
    const { target, sink } = await setup(t, { body: '{ items: $records, source: "erp", file: $file, count: $count }', headers: { 'X-Tenant': 'acme' } });
    const result = await sink.deliver(chunkOf(orders(3)), never);

    assert.deepEqual(result.outcomes, [{ status: 'delivered' }, { status: 'delivered' }, { status: 'delivered' }]);
    assert.equal(result.requests, 1);
    assert.equal(result.retries, 0);
    const [req] = target.requests;
    assert.ok(req);
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/v1/orders');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['x-tenant'], 'acme');
    assert.equal(req.idempotencyKey, 'ferry-key-1');
    assert.deepEqual(req.json, { items: orders(3), source: 'erp', file: 'orders.csv', count: 3 });
  });

  it('sends a bare JSON array by default, with the method and idempotency header the profile names', async (t) => {
    const { target, sink } = await setup(t, { method: 'PUT', idempotencyHeader: 'X-Request-Id' });
    await sink.deliver(chunkOf(orders(2)), never);
    const [req] = target.requests;
    assert.equal(req?.method, 'PUT');
    assert.equal(req?.headers['x-request-id'], 'ferry-key-1');
    assert.equal(req?.headers['idempotency-key'], undefined);
    assert.deepEqual(req?.json, orders(2));
  });

  it('sends one record unwrapped when batchSize is 1', async (t) => {
    const { target, sink } = await setup(t, { batchSize: 1 });
    await sink.deliver(chunkOf(orders(1)), never);
    assert.deepEqual(target.requests[0]?.json, orders(1)[0]);
  });

  it('refuses a body template that does not compile, as a profile error', () => {
    assert.throws(() => createHttpSink({ type: 'http', url: 'http://127.0.0.1:1/x', body: '{ items: $rows }' }), rejection('E_PROFILE_INVALID', 'InputError'));
  });
});

describe('HTTP sink: auth', () => {
  it('sends a bearer token', async (t) => {
    const { target, sink } = await setup(t, { auth: { type: 'bearer', token: 's3cret-token' } }, { requireBearer: 's3cret-token' });
    const result = await sink.deliver(chunkOf(orders(1)), never);
    assert.equal(result.outcomes[0]?.status, 'delivered');
    assert.equal(target.requests[0]?.headers['authorization'], 'Bearer s3cret-token');
  });

  it('sends basic credentials', async (t) => {
    const { target, sink } = await setup(t, { auth: { type: 'basic', user: 'ferry', password: 'pä:ss' } });
    await sink.deliver(chunkOf(orders(1)), never);
    assert.equal(target.requests[0]?.headers['authorization'], `Basic ${Buffer.from('ferry:pä:ss').toString('base64')}`);
  });

  it('sends a key in the header the profile names', async (t) => {
    const { target, sink } = await setup(t, { auth: { type: 'header', name: 'X-Api-Key', value: 'k-123' } });
    await sink.deliver(chunkOf(orders(1)), never);
    assert.equal(target.requests[0]?.headers['x-api-key'], 'k-123');
  });

  it('gets an OAuth2 token once and reuses it across chunks', async (t) => {
    const oauth = await startOAuthServer({ clientId: 'ferry', clientSecret: 'oauth-s3cret' });
    t.after(() => oauth.close());
    const auth = { type: 'oauth2' as const, tokenUrl: oauth.tokenUrl, clientId: 'ferry', clientSecret: 'oauth-s3cret', scope: 'orders.write' };
    const { target, sink } = await setup(t, { auth }, { requireBearer: (token) => oauth.isValid(token) });
    for (let i = 0; i < 3; i++) {
      const result = await sink.deliver(chunkOf(orders(2), `k-${i}`), never);
      assert.equal(result.requests, 1);
    }
    assert.equal(oauth.tokensIssued, 1);
    assert.equal(oauth.requests[0]?.form.get('grant_type'), 'client_credentials');
    assert.equal(oauth.requests[0]?.form.get('scope'), 'orders.write');
    assert.deepEqual(target.requests.map((r) => r.outcome), ['ok', 'ok', 'ok']);
  });

  it('gets a new OAuth2 token before the old one expires, without a refused request', async (t) => {
    const oauth = await startOAuthServer({ clientId: 'ferry', clientSecret: 'oauth-s3cret', expiresIn: 1 });
    t.after(() => oauth.close());
    const auth = { type: 'oauth2' as const, tokenUrl: oauth.tokenUrl, clientId: 'ferry', clientSecret: 'oauth-s3cret' };
    const { target, sink } = await setup(t, { auth }, { requireBearer: (token) => oauth.isValid(token) });
    await sink.deliver(chunkOf(orders(1), 'k-1'), never);
    await new Promise((resolve) => setTimeout(resolve, 950));
    await sink.deliver(chunkOf(orders(1), 'k-2'), never);
    assert.equal(oauth.tokensIssued, 2);
    assert.deepEqual(target.requests.map((r) => r.outcome), ['ok', 'ok']);
  });

  it('gets a new OAuth2 token once when the target refuses the cached one', async (t) => {
    const oauth = await startOAuthServer({ clientId: 'ferry', clientSecret: 'oauth-s3cret' });
    t.after(() => oauth.close());
    const auth = { type: 'oauth2' as const, tokenUrl: oauth.tokenUrl, clientId: 'ferry', clientSecret: 'oauth-s3cret' };
    const { target, sink } = await setup(t, { auth }, { requireBearer: (token) => oauth.isValid(token) });
    await sink.deliver(chunkOf(orders(1), 'k-1'), never);
    oauth.revokeAll();
    const result = await sink.deliver(chunkOf(orders(1), 'k-2'), never);
    assert.equal(result.outcomes[0]?.status, 'delivered');
    assert.equal(result.requests, 2);
    assert.equal(oauth.tokensIssued, 2);
    assert.deepEqual(target.requests.map((r) => r.outcome), ['ok', 'unauthorized', 'ok']);
  });

  it('reports refused OAuth2 client credentials as E_TARGET_AUTH without the secret', async (t) => {
    const oauth = await startOAuthServer({ clientId: 'ferry', clientSecret: 'right-s3cret' });
    t.after(() => oauth.close());
    const auth = { type: 'oauth2' as const, tokenUrl: oauth.tokenUrl, clientId: 'ferry', clientSecret: 'wrong-s3cret' };
    const { target, sink } = await setup(t, { auth });
    await assert.rejects(sink.deliver(chunkOf(orders(1)), never), (error: Error) => {
      assert.ok(rejection('E_TARGET_AUTH', 'InputError')(error));
      assert.match(error.message, /invalid_client.*check target\.auth of profile erp-orders/);
      assert.doesNotMatch(error.message, /s3cret/);
      return true;
    });
    assert.equal(target.requests.length, 0);
  });

  for (const status of [401, 403]) {
    it(`stops at once on ${status}: E_TARGET_AUTH after exactly one request, no secret in the message`, async (t) => {
      const { target, sink } = await setup(t, { auth: { type: 'bearer', token: 'tok-s3cret' } }, { script: () => ({ status }) });
      await assert.rejects(sink.deliver(chunkOf(orders(5)), never), (error: Error) => {
        assert.ok(rejection('E_TARGET_AUTH', 'InputError')(error));
        assert.match(error.message, new RegExp(`refused our credentials \\(${status}\\): check target\\.auth of profile erp-orders`));
        assert.doesNotMatch(error.message, /tok-s3cret/);
        return true;
      });
      assert.equal(target.requests.length, 1);
    });
  }

  it('refuses a credential that cannot be sent in a header, without quoting it', () => {
    const target = { type: 'http' as const, url: 'http://127.0.0.1:1/x', auth: { type: 'bearer' as const, token: 'tok-s3cret\r\nX-Evil: 1' } };
    assert.throws(() => createHttpSink(target), (error: Error) => {
      assert.ok(rejection('E_PROFILE_INVALID', 'InputError')(error));
      assert.doesNotMatch(error.message, /s3cret/);
      return true;
    });
  });

  it('stops at once when the target needs credentials the profile does not have', async () => {
    const target = await startHttpTarget({ requireBearer: 'x' });
    const sink = createHttpSink({ type: 'http', url: target.url }, { baseDelayMs: 10 });
    try {
      await assert.rejects(sink.deliver(chunkOf(orders(1)), never), rejection('E_TARGET_AUTH', 'InputError'));
      assert.equal(target.requests.length, 1);
    } finally {
      await sink.close();
      await target.close();
    }
  });
});
