import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { test } from 'node:test';
import { startHttpTarget, type HttpTarget } from '../../support/http-target.js';

async function post(url: string, body: unknown, headers: Record<string, string> = {}, init: RequestInit = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

async function started(t: { after: (fn: () => Promise<void>) => void }, ...args: Parameters<typeof startHttpTarget>): Promise<HttpTarget> {
  const target = await startHttpTarget(...args);
  t.after(() => target.close());
  return target;
}

test('by default it answers 200 with one id per record, stable per idempotency key and position', async (t) => {
  const target = await started(t);
  assert.match(target.url, /^http:\/\/127\.0\.0\.1:\d+$/);

  const first = await post(`${target.url}/v1/orders?dry=no`, { items: [{ n: 1 }, { n: 2 }] }, { 'Idempotency-Key': 'k-1', 'X-Tenant': 'acme' });
  assert.equal(first.status, 200);
  assert.match(first.headers.get('content-type') ?? '', /application\/json/);
  const firstBody = (await first.json()) as { results: { id: string }[] };
  assert.equal(firstBody.results.length, 2);
  const [a, b] = firstBody.results.map((r) => r.id);
  assert.match(a ?? '', /^T-\d+$/);
  assert.notEqual(a, b);

  const retried = (await (await post(`${target.url}/v1/orders`, [{ n: 1 }, { n: 2 }], { 'Idempotency-Key': 'k-1' })).json()) as unknown;
  assert.deepEqual(retried, firstBody, 'a retry with the same key gets the same ids');
  const other = (await (await post(`${target.url}/v1/orders`, [{ n: 1 }], { 'Idempotency-Key': 'k-2' })).json()) as { results: { id: string }[] };
  assert.ok(other.results[0] !== undefined && ![a, b].includes(other.results[0].id), 'another key gets fresh ids');

  const [req] = target.requests;
  assert.ok(req !== undefined);
  assert.equal(req.index, 0);
  assert.equal(req.method, 'POST');
  assert.equal(req.path, '/v1/orders');
  assert.equal(req.query.get('dry'), 'no');
  assert.equal(req.headers['x-tenant'], 'acme');
  assert.equal(req.idempotencyKey, 'k-1');
  assert.deepEqual(req.json, { items: [{ n: 1 }, { n: 2 }] });
  assert.equal(req.body.toString(), JSON.stringify({ items: [{ n: 1 }, { n: 2 }] }));
  assert.equal(req.outcome, 'ok');
  assert.equal(req.status, 200);
  assert.ok(Math.abs(req.receivedAt - Date.now()) < 5000);
  assert.deepEqual(target.requests.map((r) => r.index), [0, 1, 2]);
});

test('acceptedRecords flattens arrays, items, records and data of 2xx-answered requests only', async (t) => {
  const target = await started(t, { script: [{}, {}, { status: 500 }, {}, {}] });
  await post(target.url, [{ id: 1 }]);
  await post(target.url, { items: [{ id: 2 }, { id: 3 }] });
  await post(target.url, { items: [{ id: 'rejected' }] });
  await post(target.url, { records: [{ id: 4 }] });
  await post(target.url, { data: [{ id: 5 }], meta: { page: 1 } });
  await post(target.url, 'not json at all');
  assert.deepEqual(target.acceptedRecords(), [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }, { id: 5 }]);
  assert.equal(target.requests[5]?.json, undefined);
});

test('an array script is used one step per request, then the default applies', async (t) => {
  const target = await started(t, { script: [{ status: 500 }, { status: 422, body: { error: 'bad sku' }, headers: { 'x-trace': 't1' } }] });
  const r1 = await post(target.url, [{}]);
  assert.equal(r1.status, 500);
  assert.deepEqual(await r1.json(), { error: 'Internal Server Error' });
  const r2 = await post(target.url, [{}]);
  assert.equal(r2.status, 422);
  assert.equal(r2.headers.get('x-trace'), 't1');
  assert.deepEqual(await r2.json(), { error: 'bad sku' });
  assert.equal((await post(target.url, [{}])).status, 200);
  assert.deepEqual(target.requests.map((r) => r.outcome), ['status 500', 'status 422', 'ok']);

  target.script([{ body: 'plain words', status: 502 }]);
  const r4 = await post(target.url, [{}]);
  assert.equal(r4.status, 502);
  assert.equal(await r4.text(), 'plain words');
});

test('retryAfter sets Retry-After and means 503 unless a status is given', async (t) => {
  const target = await started(t, { script: [{ status: 429, retryAfter: '2' }, { retryAfter: 'Wed, 21 Oct 2026 07:28:00 GMT' }] });
  const r1 = await post(target.url, [{}]);
  assert.equal(r1.status, 429);
  assert.equal(r1.headers.get('retry-after'), '2');
  const r2 = await post(target.url, [{}]);
  assert.equal(r2.status, 503);
  assert.equal(r2.headers.get('retry-after'), 'Wed, 21 Oct 2026 07:28:00 GMT');
});

test('hang reads the body and never answers; the client times out, other requests still get through', async (t) => {
  const target = await started(t, { script: [{ hang: true }] });
  await assert.rejects(post(target.url, [{ n: 1 }], {}, { signal: AbortSignal.timeout(200) }), { name: 'TimeoutError' });
  assert.equal(target.requests[0]?.outcome, 'hang');
  assert.deepEqual(target.requests[0]?.json, [{ n: 1 }]);
  assert.equal((await post(target.url, [{ n: 2 }])).status, 200);
  assert.deepEqual(target.acceptedRecords(), [{ n: 2 }]);
});

test('hangBeforeBody never reads the body, so a large upload stalls', async (t) => {
  const target = await started(t, { script: [{ hangBeforeBody: true }] });
  const big = Buffer.alloc(8 * 1024 * 1024, 'x');
  const outcome = await new Promise<string>((resolve) => {
    const req = httpRequest(target.url, { method: 'POST', headers: { 'content-length': big.length } });
    req.setTimeout(300, () => req.destroy(new Error('client timeout')));
    req.on('response', (res) => resolve(`answered ${res.statusCode ?? 0}`));
    req.on('error', (error) => resolve(error.message));
    req.end(big);
  });
  assert.equal(outcome, 'client timeout');
  assert.equal(target.requests[0]?.outcome, 'hang-before-body');
  assert.equal(target.requests[0]?.body.length, 0);
});

test('a client that goes away mid-body is recorded as aborted', async (t) => {
  const target = await started(t);
  const req = httpRequest(target.url, { method: 'POST', headers: { 'content-length': 1000 } });
  req.on('error', () => undefined);
  req.write('[{"n":1}');
  await new Promise((resolve) => setTimeout(resolve, 50));
  req.destroy();
  await target.waitForRequests(1, 2000);
  assert.equal(target.requests[0]?.outcome, 'aborted');
  assert.equal(target.requests[0]?.body.toString(), '[{"n":1}');
  assert.equal(target.requests[0]?.status, undefined);
});

test('destroyAfterBody takes the whole body, then drops the connection without an answer', async (t) => {
  const target = await started(t, { script: [{ destroyAfterBody: true }] });
  await assert.rejects(post(target.url, [{ n: 1 }]), (error: unknown) => {
    assert.ok(error instanceof TypeError, 'fetch reports a network error');
    return true;
  });
  assert.equal(target.requests[0]?.outcome, 'destroyed');
  assert.deepEqual(target.requests[0]?.json, [{ n: 1 }]);
  assert.deepEqual(target.acceptedRecords(), []);
});

test('delayMs answers after the delay', async (t) => {
  const target = await started(t, { script: [{ delayMs: 300 }] });
  const startedAt = Date.now();
  const res = await post(target.url, [{}]);
  assert.equal(res.status, 200);
  assert.ok(Date.now() - startedAt >= 280, `answered after ${Date.now() - startedAt} ms`);
});

test('redirectTo answers 307 with Location; a following client posts the batch again there', async (t) => {
  const target = await started(t);
  target.script([{ redirectTo: '/v2/orders' }, { redirectTo: '/v2/orders' }]);
  const manual = await post(`${target.url}/v1/orders`, [{ n: 1 }], {}, { redirect: 'manual' });
  assert.equal(manual.status, 307);
  assert.equal(manual.headers.get('location'), '/v2/orders');

  const followed = await post(`${target.url}/v1/orders`, [{ n: 2 }]);
  assert.equal(followed.status, 200);
  assert.deepEqual(target.requests.map((r) => `${r.path} ${r.outcome}`), ['/v1/orders redirect', '/v1/orders redirect', '/v2/orders ok']);
  assert.deepEqual(target.acceptedRecords(), [{ n: 2 }]);
});

test('perRecord builds one result per record, defaulting to an id', async (t) => {
  const perRecord = (record: unknown, i: number): { id?: string; error?: string; retryable?: boolean } | undefined => {
    if (i === 1) return { error: `bad record ${JSON.stringify(record)}`, retryable: false };
    return i === 2 ? { id: 'X-9' } : undefined;
  };
  const target = await started(t, { script: [{ perRecord }] });
  const res = await post(target.url, { items: [{ n: 0 }, { n: 1 }, { n: 2 }] }, { 'Idempotency-Key': 'pk' });
  const body = (await res.json()) as { results: Record<string, unknown>[] };
  assert.equal(res.status, 200);
  assert.equal(body.results.length, 3);
  assert.match(String(body.results[0]?.['id']), /^T-\d+$/);
  assert.deepEqual(body.results[1], { error: 'bad record {"n":1}', retryable: false });
  assert.deepEqual(body.results[2], { id: 'X-9' });
});

test('a function script decides per request; a throwing script answers 500', async (t) => {
  const target = await started(t, {
    script: (req) => {
      if (req.path === '/boom') throw new Error('no such plan');
      return req.idempotencyKey === 'slow' ? { status: 504 } : {};
    },
  });
  assert.equal((await post(target.url, [{}], { 'Idempotency-Key': 'slow' })).status, 504);
  assert.equal((await post(target.url, [{}], { 'Idempotency-Key': 'fast' })).status, 200);
  const boom = await post(`${target.url}/boom`, [{}]);
  assert.equal(boom.status, 500);
  assert.match(((await boom.json()) as { error: string }).error, /no such plan/);
  assert.deepEqual(target.requests.map((r) => r.outcome), ['status 504', 'ok', 'script-error']);
});

test('requireBearer answers 401 to missing or wrong tokens without using a script step', async (t) => {
  const target = await started(t, { requireBearer: 's3cret', script: [{ status: 503 }] });
  const missing = await post(target.url, [{}]);
  assert.equal(missing.status, 401);
  assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
  assert.equal((await post(target.url, [{}], { authorization: 'Bearer wrong' })).status, 401);
  assert.equal((await post(target.url, [{}], { authorization: 'Basic czNjcmV0' })).status, 401);
  assert.equal((await post(target.url, [{}], { authorization: 'Bearer s3cret' })).status, 503);
  assert.equal((await post(target.url, [{}], { authorization: 'Bearer s3cret' })).status, 200);
  assert.deepEqual(target.requests.map((r) => r.outcome), ['unauthorized', 'unauthorized', 'unauthorized', 'status 503', 'ok']);
});

test('waitForRequests resolves once enough requests arrived, and names the count when it gives up', async (t) => {
  const target = await started(t);
  const waiting = target.waitForRequests(3);
  await Promise.all([1, 2, 3].map((n) => post(target.url, [{ n }])));
  await waiting;
  await target.waitForRequests(3);
  await assert.rejects(target.waitForRequests(5, 100), /waited 100 ms for 5 requests to the target; 3 arrived/);
});

test('with parseBodies false the default answer has no ids, but json and acceptedRecords still work', async (t) => {
  const target = await started(t, { parseBodies: false });
  const res = await post(target.url, { items: [{ n: 1 }] });
  assert.deepEqual(await res.json(), { accepted: true });
  assert.deepEqual(target.requests[0]?.json, { items: [{ n: 1 }] });
  assert.deepEqual(target.acceptedRecords(), [{ n: 1 }]);
});

test('with keepBodies false bodies are only counted, for throughput runs', async (t) => {
  const target = await started(t, { keepBodies: false });
  const res = await post(target.url, { items: [{ n: 1 }] }, { 'Idempotency-Key': 'b-1' });
  assert.deepEqual(await res.json(), { accepted: true });
  const [req] = target.requests;
  assert.equal(req?.bodyBytes, JSON.stringify({ items: [{ n: 1 }] }).length);
  assert.equal(req?.body.length, 0);
  assert.equal(req?.idempotencyKey, 'b-1');
  assert.throws(() => target.acceptedRecords(), /keepBodies/);
});

test('close() returns promptly while a request hangs and a delayed answer is pending', async () => {
  const target = await startHttpTarget({ script: [{ hang: true }, { delayMs: 60_000 }] });
  const hung = post(target.url, [{}]).then(
    () => 'answered',
    () => 'failed',
  );
  const delayed = post(target.url, [{}]).then(
    () => 'answered',
    () => 'failed',
  );
  await target.waitForRequests(2);
  const startedAt = Date.now();
  await target.close();
  assert.ok(Date.now() - startedAt < 1000, `close took ${Date.now() - startedAt} ms`);
  assert.deepEqual(await Promise.all([hung, delayed]), ['failed', 'failed']);
  await assert.rejects(fetch(target.url), TypeError);
});
