import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { z } from 'zod';

import { adminTokens } from '../../../src/admin/admin-tokens.js';
import { parseJsonBody } from '../../../src/admin/api-schemas.js';
import { router } from '../../../src/admin/router.js';
import { sendJson } from '../../../src/admin/run-request.js';
import { createLogger } from '../../../src/log.js';

describe('admin route table', () => {
  let server: Server;
  let base = '';
  const seen: string[] = [];
  before(async () => {
    const routes = router([
      { method: 'GET', path: /^\/open$/, access: 'open', handle: ({ res }) => sendJson(res, 200, { ok: true }) },
      { method: 'GET', path: /^\/api\/things\/([a-z]+)$/, access: 'api', handle: ({ res, params, caller }) => sendJson(res, 200, { thing: params[0], caller }) },
      {
        method: 'POST', path: /^\/api\/things$/, access: 'api',
        handle: async ({ req, res }) => {
          const body = await parseJsonBody(req, res, z.strictObject({ n: z.number().int() }));
          if (body !== undefined) sendJson(res, 201, body);
        },
      },
      { method: 'GET', path: /^\/api\/boom$/, access: 'api', handle: () => { seen.push('boom'); throw new Error('secret detail'); } },
    ], adminTokens({ FERRY_ADMIN_TOKENS: 'ops:admin=adm,read=rd' }), createLogger('silent'));
    server = createServer(routes);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const call = async (method: string, path: string, token?: string, body?: string): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(`${base}${path}`, { method, headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), 'content-type': 'application/json' }, ...(body === undefined ? {} : { body }) });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  it('authenticates under /api before it looks for a route', async () => {
    assert.equal((await call('GET', '/api/unknown')).status, 401, 'no token: 401 even for a path that does not exist');
    assert.equal((await call('GET', '/api/unknown', 'adm')).status, 404);
    assert.equal((await call('GET', '/open')).status, 200);
    assert.deepEqual((await call('GET', '/api/things/abc', 'rd')).json, { thing: 'abc', caller: { role: 'read', name: 'token:' + (await sha('rd')).slice(0, 8) } });
    assert.deepEqual(((await call('GET', '/api/things/abc', 'adm')).json.caller as Record<string, unknown>).name, 'ops');
  });

  it('gives read tokens 403 for changes, and 405 for a known path with another method', async () => {
    assert.equal((await call('POST', '/api/things', 'rd', '{"n":1}')).status, 403);
    assert.equal((await call('POST', '/api/things', 'adm', '{"n":1}')).status, 201);
    assert.equal((await call('PUT', '/api/things/abc', 'adm')).status, 405);
  });

  it('answers a body that does not fit with every problem, and a failing handler with no detail', async () => {
    const bad = await call('POST', '/api/things', 'adm', '{"n":1.5,"x":2}');
    assert.equal(bad.status, 400);
    assert.equal((bad.json.problems as unknown[]).length, 2);
    assert.equal((await call('POST', '/api/things', 'adm', 'not json')).status, 400);
    const boom = await call('GET', '/api/boom', 'adm');
    assert.deepEqual([boom.status, boom.json], [500, { error: 'internal error' }]);
    assert.deepEqual(seen, ['boom']);
  });
});

async function sha(text: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(text).digest('hex');
}
