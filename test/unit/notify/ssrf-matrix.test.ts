// Issue 11 point 3 / research S07: notification and export URLs that point inside are refused,
// at validation (literal addresses) and at connect time (a name that resolves inside), and a
// redirect is never followed; allowPrivate: true lets them through.
import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';

import { fetchPages } from '../../../src/exports/fetch-pages.js';
import { guardedGet, PrivateAddressError } from '../../../src/exports/guarded-get.js';
import { isPrivateAddress } from '../../../src/notify/address-guard.js';
import { sendNotification } from '../../../src/notify/send-notification.js';
import type { ExportProfile } from '../../../src/profiles/export-schema.js';

const INSIDE = ['169.254.169.254', '127.0.0.1', '[::1]', '10.1.2.3', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '0.0.0.0', '172.20.0.1', '192.168.0.1', '[fd00::1]', 'localhost', 'localhost.',
  // other spellings of 127.0.0.1 that URL parsing normalises, and the IPv4-compatible form
  '2130706433', '0x7f.1', '127.1', '0177.0.0.1', '127.0.0.1.', '[0:0:0:0:0:ffff:7f00:1]', '[::127.0.0.1]', '[64:ff9b::a9fe:a9fe]'];

async function drain(source: ExportProfile['source']): Promise<unknown[][]> {
  const pages: unknown[][] = [];
  for await (const p of fetchPages(source, { vars: { 'param.host': '127.0.0.1' }, headers: () => Promise.resolve({}), signal: new AbortController().signal })) pages.push(p);
  return pages;
}

describe('SSRF guard for notification and export URLs', () => {
  let server: Server;
  let port = 0;
  let hits = 0;
  let privateName: string | undefined;
  before(async () => {
    server = createServer((req, res) => {
      hits++;
      if (req.url === '/redirect') res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    // a name that is not "localhost" but resolves to loopback: this machine's host name, usually
    const name = hostname();
    const addresses = await lookup(name, { all: true }).catch(() => []);
    if (addresses.length > 0 && addresses.every((a) => a.address === '127.0.0.1' || a.address === '::1')) privateName = name;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('refuses each inside address as a notification URL, and sends nothing', async () => {
    for (const host of INSIDE) {
      const got = await sendNotification(`http://${host}:${port}/hook`, 'msg_s07', '{}', { secret: undefined, allowPrivate: false, timeoutMs: 1000 }, 0);
      assert.equal(got.kind, 'refused', `${host}: ${JSON.stringify(got)}`);
    }
    assert.equal(hits, 0);
  });

  it('refuses each inside address as an export API, and sends nothing', async () => {
    for (const host of INSIDE) {
      await assert.rejects(drain({ type: 'http', url: `http://${host}:${port}/orders` }), (err: Error & { code?: string }) => err.code === 'E_EXPORT_SOURCE' && /loopback, private or link-local/.test(err.message), host);
    }
    // a host filled in from a run parameter is checked after filling
    await assert.rejects(drain({ type: 'http', url: `http://{param.host}:${port}/orders` }), /127\.0\.0\.1 is a loopback/);
    assert.equal(hits, 0);
  });

  it('checks the resolved address on every connection, whatever the name (portable: localhost through the connect-time lookup alone)', async () => {
    hits = 0;
    await assert.rejects(guardedGet(new URL(`http://localhost:${port}/orders`), {}, false, new AbortController().signal), (err: Error) => err instanceof PrivateAddressError && /localhost resolves to (127\.0\.0\.1|::1)/.test(err.message));
    assert.equal(hits, 0);
    const ok = await guardedGet(new URL(`http://localhost:${port}/orders`), {}, true, new AbortController().signal).catch((err: unknown) => err);
    // allowed: it connects (or fails only because localhost resolved to ::1, where nothing listens)
    assert.ok(!(ok instanceof PrivateAddressError));
  });

  it('refuses a name that resolves inside when it connects (DNS checked per connection)', async (t) => {
    if (privateName === undefined) return t.skip(`${hostname()} does not resolve to loopback here`);
    hits = 0;
    assert.equal(isPrivateAddress(privateName), false, 'the name itself looks harmless');
    const note = await sendNotification(`http://${privateName}:${port}/hook`, 'msg_s07', '{}', { secret: undefined, allowPrivate: false, timeoutMs: 1000 }, 0);
    assert.equal(note.kind, 'refused');
    assert.match(note.kind === 'refused' ? note.reason : '', /resolves to 127\.0\.0\.1/);
    await assert.rejects(drain({ type: 'http', url: `http://${privateName}:${port}/orders`, retry: { attempts: 3, baseDelay: '10ms' } }), (err: Error & { code?: string }) => err.code === 'E_EXPORT_SOURCE' && /resolves to 127\.0\.0\.1/.test(err.message));
    assert.equal(hits, 0, 'no request reached the server');
    // allowed, the same name connects
    assert.equal((await sendNotification(`http://${privateName}:${port}/hook`, 'msg_s07', '{}', { secret: undefined, allowPrivate: true, timeoutMs: 1000 }, 0)).kind, 'delivered');
    assert.deepEqual(await drain({ type: 'http', url: `http://${privateName}:${port}/orders`, allowPrivate: true }), []);
    assert.equal(hits, 2);
  });

  it('never follows a redirect to an internal address, even where private addresses are allowed', async () => {
    hits = 0;
    const note = await sendNotification(`http://127.0.0.1:${port}/redirect`, 'msg_s07', '{}', { secret: undefined, allowPrivate: true, timeoutMs: 1000 }, 0);
    assert.deepEqual(note, { kind: 'refused', reason: 'HTTP 302: redirects are not followed' });
    await assert.rejects(drain({ type: 'http', url: `http://127.0.0.1:${port}/redirect`, allowPrivate: true, retry: { attempts: 3, baseDelay: '10ms' } }), (err: Error & { code?: string }) => err.code === 'E_EXPORT_SOURCE' && /HTTP 302; redirects are not followed/.test(err.message));
    assert.equal(hits, 2, 'one request each, no retry, no follow');
  });
});
