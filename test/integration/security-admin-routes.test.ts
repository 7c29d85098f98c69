// Issue 11 point 3 / research S08: admin API authorisation for every route of the real route
// table (src/admin/admin-server.ts adminRoutes), so a route added later cannot escape: /api routes
// need a token (401 without or with a wrong one, 403 for a read token on a change), the routes that
// check their profile's own credentials refuse calls without them, and the open routes are a
// reviewed list. The admin server binds to loopback unless told otherwise.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { resolveGlobalOptions } from '../../src/cli/options.js';
import { routeName, routeTable, samplePaths, type RouteShape } from '../support/admin-routes.js';
import { DaemonProcess } from '../support/daemon-process.js';
import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

const ADMIN = 'admin-token-sec-5d0c1e';
const READER = 'reader-token-sec-a81f27';
const HOOK_TOKEN = 'hook-token-sec-2e7b';
const UPLOAD_TOKEN = 'upload-token-sec-9f3a';
const sha = (t: string): string => createHash('sha256').update(t).digest('hex');
/** The routes anyone may call: reviewed by hand; a new open route fails here until added. */
const OPEN = ['GET /^\\/healthz$/', 'GET /^\\/metrics$/', 'GET /^\\/(?:console\\/.*)?$/'];

describe('admin authorisation on every route of the route table', () => {
  let target: HttpTarget;
  let ws: Workspace;
  let daemon: DaemonProcess;
  let base = '';
  let table: RouteShape[] = [];
  const call = async (method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; text: string }> => {
    const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, ...(body === undefined ? {} : { body }) });
    return { status: res.status, text: await res.text() };
  };
  const paths = (r: RouteShape): string[] => {
    const found = samplePaths(r, ['orders']);
    assert.ok(found.length > 0, `the test cannot build a path for ${routeName(r)}: extend samplePaths`);
    return found;
  };

  before(async () => {
    table = await routeTable();
    target = await startHttpTarget();
    ws = createWorkspace();
    const orders = ordersProfile(ws, target.url);
    ws.writeProfile('orders', orders.replace('trigger: { watch: true, every: 1s }', `trigger: { webhook: { token: "\${HOOK_TOKEN}" } }`));
    ws.writeProfile('inbound', orders
      .replace(/source:\n(?: {2}.*\n)+/, 'source:\n  type: http\n  token: "${UPLOAD_TOKEN}"\n')
      .replace('trigger: { watch: true, every: 1s }\n', ''));
    // no host in the address: the server must still pick loopback
    daemon = new DaemonProcess(ws, { FERRY_LISTEN: ':0', HOOK_TOKEN, UPLOAD_TOKEN, FERRY_ADMIN_TOKENS: `alice:admin=sha256:${sha(ADMIN)},bob:read=sha256:${sha(READER)}` });
    base = await daemon.ready();
  });
  after(async () => {
    daemon.kill();
    await target.close();
    ws.remove();
  });

  it('listens on 127.0.0.1 by default, and with no host in --listen', () => {
    assert.equal(resolveGlobalOptions({}, {}).listen, '127.0.0.1:8470');
    assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('knows every route by access class; the open ones are the reviewed list', () => {
    assert.ok(table.length >= 25, `the route table has ${table.length} routes`);
    for (const r of table.filter((x) => x.access === 'api')) {
      for (const p of paths(r)) assert.match(p, /^\/api\//, `${routeName(r)} is an api route, so it must live under /api/ where the router checks tokens`);
    }
    assert.deepEqual(table.filter((r) => r.access === 'open').map(routeName).sort(), [...OPEN].sort());
    assert.deepEqual(table.filter((r) => r.access === 'self').map(routeName).sort(), ['POST /^\\/hooks\\/([A-Za-z0-9_.-]+)$/', 'POST /^\\/upload\\/([A-Za-z0-9_.-]+)$/']);
  });

  it('answers 401 on every /api route without a token or with a wrong one, and 403 to a read token on every change', async () => {
    const wrong = 'x'.repeat(ADMIN.length);
    for (const r of table.filter((x) => x.access === 'api')) {
      for (const p of paths(r)) {
        const what = `${r.method} ${p}`;
        assert.equal((await call(r.method, p)).status, 401, `${what} without a token`);
        assert.equal((await call(r.method, p, { authorization: `Bearer ${wrong}` })).status, 401, `${what} with a wrong token of the right length`);
        assert.equal((await call(r.method, p, { authorization: 'Bearer ' })).status, 401, `${what} with an empty token`);
        assert.equal((await call(r.method, p, { authorization: `Basic ${Buffer.from(`alice:${ADMIN}`).toString('base64')}` })).status, 401, `${what} with the token as basic auth`);
        const read = await call(r.method, p, { authorization: `Bearer ${READER}` }, r.method === 'GET' ? undefined : '{}');
        if (r.method === 'GET') assert.notEqual(read.status, 401, `${what} with a read token`);
        else assert.equal(read.status, 403, `${what} with a read token`);
        // HEAD is GET without a body: the same check applies
        if (r.method === 'GET') assert.equal((await call('HEAD', p)).status, 401, `HEAD ${p} without a token`);
      }
    }
  });

  it('refuses the self-authenticating routes without their profile credentials', async () => {
    for (const r of table.filter((x) => x.access === 'self')) {
      // each profile answers on its own kind of route (hooks: orders, uploads: inbound), 404 on the other
      const statuses: number[] = [];
      for (const p of samplePaths(r, ['orders', 'inbound'])) {
        const none = (await call(r.method, p, {}, '{}')).status;
        const admin = (await call(r.method, p, { authorization: `Bearer ${ADMIN}` }, '{}')).status;
        assert.ok([401, 404].includes(none) && none === admin, `${r.method} ${p}: ${none} without credentials, ${admin} with an admin API token instead of the profile's own`);
        statuses.push(none);
      }
      assert.ok(statuses.includes(401), `${routeName(r)} was reached on a profile that uses it`);
    }
    assert.equal((await call('POST', '/upload/inbound', { authorization: `Bearer ${HOOK_TOKEN}` }, 'x')).status, 401, 'one profile\'s token does not open another');
    assert.equal((await call('POST', '/hooks/inbound', { authorization: `Bearer ${HOOK_TOKEN}` }, '{}')).status, 404, 'a profile without a webhook trigger has no hook');
  });

  it('answers the open routes without a token and with nothing secret', async () => {
    for (const r of table.filter((x) => x.access === 'open')) {
      for (const p of paths(r)) {
        const got = await call(r.method, p);
        assert.notEqual(got.status, 401, `${r.method} ${p} is open`);
        for (const secret of [ADMIN, READER, HOOK_TOKEN, UPLOAD_TOKEN, sha(ADMIN), sha(READER)]) assert.ok(!got.text.includes(secret), `${p} shows no token or token hash`);
      }
    }
  });
});
