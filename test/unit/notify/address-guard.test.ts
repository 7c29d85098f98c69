import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';

import { isLocalName, isPrivateAddress } from '../../../src/notify/address-guard.js';
import { sendNotification } from '../../../src/notify/send-notification.js';

describe('the SSRF guard of notifications', () => {
  it('knows loopback, private, link-local, CGNAT and mapped addresses', () => {
    for (const ip of ['127.0.0.1', '127.8.9.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fc00::1', 'fd12::1', 'fe80::1', '::ffff:127.0.0.1', '[::1]']) {
      assert.equal(isPrivateAddress(ip), true, ip);
    }
    for (const ip of ['8.8.8.8', '172.32.0.1', '192.169.0.1', '2001:4860:4860::8888', 'example.com']) assert.equal(isPrivateAddress(ip), false, ip);
    assert.ok(isLocalName('localhost') && isLocalName('api.localhost.') && !isLocalName('localhost.example.com'));
  });

  it('refuses to send to loopback unless allowed, and never follows a redirect', async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits++;
      res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const refused = await sendNotification(url, 'msg_1', '{}', { secret: undefined, allowPrivate: false, timeoutMs: 2000 }, 0);
      assert.equal(refused.kind, 'refused');
      assert.equal(hits, 0, 'nothing was sent');
      const redirect = await sendNotification(url, 'msg_1', '{}', { secret: undefined, allowPrivate: true, timeoutMs: 2000 }, 0);
      assert.deepEqual(redirect, { kind: 'refused', reason: 'HTTP 302: redirects are not followed' });
      const viaName = await sendNotification(url.replace('127.0.0.1', 'localhost'), 'msg_1', '{}', { secret: undefined, allowPrivate: false, timeoutMs: 2000 }, 0);
      assert.equal(viaName.kind, 'refused');
    } finally {
      server.close();
    }
  });
});
