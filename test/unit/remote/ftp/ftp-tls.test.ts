import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { connect, createServer, type Server, type TLSSocket } from 'node:tls';

import { FerryError } from '../../../../src/errors.js';
import { guardDataSocket, tlsOptionsFor } from '../../../../src/remote/ftp/ftp-tls.js';
import { createSelfSignedCert, type SelfSignedCert } from '../../../../scripts/test-servers/self-signed-cert.js';

/** What happened to a data connection after the guard looked at it. */
async function outcome(socket: TLSSocket): Promise<'open' | Error> {
  const [result] = await Promise.race([
    once(socket, 'error'),
    once(socket, 'secureConnect').then(() => new Promise((resolve) => setImmediate(() => resolve([socket.destroyed ? 'destroyed' : 'open'])))),
  ]) as [Error | 'open'];
  return result;
}

describe('TLS data connection guard', () => {
  let cert: SelfSignedCert;
  let server: Server;
  let port: number;
  const sockets: TLSSocket[] = [];

  before(async () => {
    cert = await createSelfSignedCert();
    server = createServer({ key: cert.keyPem, cert: cert.certPem }, (s) => s.on('error', () => undefined));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  function dataConnection(ca?: string): TLSSocket {
    const socket = connect({ ...tlsOptionsFor('127.0.0.1', ca), port });
    sockets.push(socket);
    return socket;
  }

  it('lets through a data connection presenting the pinned certificate', async () => {
    const socket = dataConnection();
    guardDataSocket(socket, { label: 'ftps://x', pin: cert.fingerprint256 });
    assert.equal(await outcome(socket), 'open');
  });

  it('cuts a data connection presenting another certificate than the pinned one', async () => {
    const socket = dataConnection();
    const pin = Array.from({ length: 32 }, () => 'AA').join(':');
    guardDataSocket(socket, { label: 'ftps://x', pin });
    const result = await outcome(socket);
    assert.ok(result instanceof FerryError && result.code === 'E_TLS_UNTRUSTED' && result.message.includes(cert.fingerprint256), String(result));
  });

  it('without a pin, accepts a trusted chain and cuts an untrusted one', async () => {
    const trusted = dataConnection(cert.certPem);
    guardDataSocket(trusted, { label: 'ftps://x', pin: undefined });
    assert.equal(await outcome(trusted), 'open');
    const untrusted = dataConnection();
    guardDataSocket(untrusted, { label: 'ftps://x', pin: undefined });
    const result = await outcome(untrusted);
    assert.ok(result instanceof FerryError && result.code === 'E_TLS_UNTRUSTED', String(result));
  });
});
