import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHttpTarget } from '../../support/http-target.js';
import { startOAuthServer, type OAuthServer } from '../../support/oauth-server.js';

interface TokenAnswer {
  access_token?: string;
  token_type?: string;
  expires_in?: number;
  error?: string;
}

async function requestToken(server: OAuthServer, form: Record<string, string>, basic?: [string, string]): Promise<{ status: number; body: TokenAnswer }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (basic !== undefined) {
    const encoded = basic.map((part) => encodeURIComponent(part)).join(':');
    headers['authorization'] = `Basic ${Buffer.from(encoded).toString('base64')}`;
  }
  const res = await fetch(server.tokenUrl, { method: 'POST', headers, body: new URLSearchParams(form).toString() });
  return { status: res.status, body: (await res.json()) as TokenAnswer };
}

async function started(t: { after: (fn: () => Promise<void>) => void }, expiresIn?: number): Promise<OAuthServer> {
  const server = await startOAuthServer({ clientId: 'ferry', clientSecret: 'p@ss:word', ...(expiresIn === undefined ? {} : { expiresIn }) });
  t.after(() => server.close());
  return server;
}

test('issues a fresh random bearer token per client-credentials request, by Basic or form auth', async (t) => {
  const server = await started(t, 120);
  assert.match(server.tokenUrl, /^http:\/\/127\.0\.0\.1:\d+\/oauth\/token$/);

  const byBasic = await requestToken(server, { grant_type: 'client_credentials' }, ['ferry', 'p@ss:word']);
  assert.equal(byBasic.status, 200);
  assert.equal(byBasic.body.token_type, 'Bearer');
  assert.equal(byBasic.body.expires_in, 120);
  assert.ok((byBasic.body.access_token ?? '').length >= 20);

  const byForm = await requestToken(server, { grant_type: 'client_credentials', client_id: 'ferry', client_secret: 'p@ss:word' });
  assert.equal(byForm.status, 200);
  assert.notEqual(byForm.body.access_token, byBasic.body.access_token);

  assert.equal(server.tokensIssued, 2);
  assert.deepEqual(server.issuedTokens, [byBasic.body.access_token, byForm.body.access_token]);
  assert.deepEqual(server.requests.map((r) => `${r.clientAuth} ${r.outcome}`), ['basic issued', 'form issued']);
  assert.equal(server.isValid(byBasic.body.access_token ?? ''), true);
  assert.equal(server.isValid('made-up'), false);
});

test('rejects wrong or missing client credentials with 401 invalid_client, bad grants with 400', async (t) => {
  const server = await started(t);
  const wrongBasic = await requestToken(server, { grant_type: 'client_credentials' }, ['ferry', 'nope']);
  assert.deepEqual(wrongBasic, { status: 401, body: { error: 'invalid_client' } });
  const wrongForm = await requestToken(server, { grant_type: 'client_credentials', client_id: 'other', client_secret: 'p@ss:word' });
  assert.deepEqual(wrongForm, { status: 401, body: { error: 'invalid_client' } });
  const none = await requestToken(server, { grant_type: 'client_credentials' });
  assert.deepEqual(none, { status: 401, body: { error: 'invalid_client' } });
  const password = await requestToken(server, { grant_type: 'password' }, ['ferry', 'p@ss:word']);
  assert.deepEqual(password, { status: 400, body: { error: 'unsupported_grant_type' } });
  assert.equal(server.tokensIssued, 0);
});

test('tokens expire after expiresIn and can be revoked; a target can require them', async (t) => {
  const server = await started(t, 1);
  const target = await startHttpTarget({ requireBearer: (token) => server.isValid(token) });
  t.after(() => target.close());
  const { body } = await requestToken(server, { grant_type: 'client_credentials' }, ['ferry', 'p@ss:word']);
  const token = body.access_token ?? '';
  const send = (): Promise<number> =>
    fetch(target.url, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '[]' }).then((r) => r.status);

  assert.equal(await send(), 200);
  server.revokeAll();
  assert.equal(await send(), 401);

  const fresh = (await requestToken(server, { grant_type: 'client_credentials' }, ['ferry', 'p@ss:word'])).body.access_token ?? '';
  assert.equal(server.isValid(fresh), true);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  assert.equal(server.isValid(fresh), false, 'expired after expires_in seconds');
});
