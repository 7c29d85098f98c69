import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';

import { FerryError } from '../../../src/errors.js';
import type { FtpConnection } from '../../../src/profiles/connection-schema.js';
import { createFtpFs } from '../../../src/remote/ftp/ftp-fs.js';
import { startFtpServer, type FtpTestServer } from '../../support/ftp-server.js';

type Tls = 'explicit' | 'implicit';

function ftps(server: FtpTestServer, extra: Partial<FtpConnection> = {}): FtpConnection {
  return {
    type: server.tls === 'implicit' ? 'ftps-implicit' : 'ftps',
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    timeout: 5,
    ...extra,
  };
}

function untrusted(server: FtpTestServer, also: RegExp): (err: unknown) => boolean {
  return (err) =>
    err instanceof FerryError && err.code === 'E_TLS_UNTRUSTED' && err.message.includes(server.certFingerprint ?? '?') && also.test(err.message);
}

/** Nothing that identifies the user reached the server. */
function noLogin(server: FtpTestServer): void {
  assert.deepEqual(server.log.filter((line) => /^(USER|PASS)/.test(line)), []);
}

async function roundTrip(server: FtpTestServer, connection: FtpConnection): Promise<void> {
  const fs = createFtpFs(connection);
  try {
    await fs.mkdirp('/tls');
    await fs.write('/tls/a.csv', Buffer.from('over tls'));
    assert.deepEqual((await fs.list('/tls')).map((e) => [e.name, e.size]), [['a.csv', 8]]);
    assert.equal(await text(await fs.read('/tls/a.csv')), 'over tls');
    assert.equal(fs.health().state, 'ok');
  } finally {
    await fs.close();
  }
  // data connections are protected too
  assert.ok(server.log.includes('PROT P'));
}

for (const tls of ['explicit', 'implicit'] as const satisfies readonly Tls[]) {
  describe(`FTPS ${tls} (ftp-srv, self-signed certificate)`, () => {
    let server: FtpTestServer;
    before(async () => {
      server = await startFtpServer({ tls });
    });
    after(async () => {
      await server.close();
    });

    it('works with the certificate given as CA', async () => {
      await roundTrip(server, ftps(server, { ca: server.certPem }));
    });

    it('works with the certificate pinned by its fingerprint', async () => {
      await roundTrip(server, ftps(server, { certFingerprint: server.certFingerprint?.toLowerCase() }));
    });

    it('refuses the self-signed certificate without a pin, showing its fingerprint, before logging in', async () => {
      const before = server.log.length;
      const fs = createFtpFs(ftps(server));
      try {
        await assert.rejects(fs.list('/'), untrusted(server, /not trusted/));
        assert.equal(fs.health().state, 'down');
      } finally {
        await fs.close();
      }
      noLogin({ ...server, log: server.log.slice(before) });
    });

    it('refuses a certificate that does not match the pin, showing both fingerprints', async () => {
      const before = server.log.length;
      const pin = Array.from({ length: 32 }, () => '00').join(':');
      const fs = createFtpFs(ftps(server, { certFingerprint: pin, ca: server.certPem }));
      try {
        await assert.rejects(fs.list('/'), untrusted(server, new RegExp(pin)));
      } finally {
        await fs.close();
      }
      noLogin({ ...server, log: server.log.slice(before) });
    });
  });
}

describe('passive mode with a foreign address in the PASV reply', () => {
  let server: FtpTestServer;
  let tlsServer: FtpTestServer;
  before(async () => {
    // the data port listens on 127.0.0.1 only, so following the announced 127.0.0.2 fails
    server = await startFtpServer({ pasvAddress: '127.0.0.2' });
    tlsServer = await startFtpServer({ tls: 'explicit', pasvAddress: '127.0.0.2' });
  });
  after(async () => {
    await server.close();
    await tlsServer.close();
  });

  it('connects data channels to the control host, not to the announced address', async () => {
    writeFileSync(join(server.root, 'p.csv'), 'passive');
    const fs = createFtpFs({ type: 'ftp', insecure: true, host: server.host, port: server.port, user: server.user, password: server.password, timeout: 5 });
    try {
      assert.deepEqual((await fs.list('/')).map((e) => e.name), ['p.csv']);
      assert.equal(await text(await fs.read('/p.csv')), 'passive');
    } finally {
      await fs.close();
    }
    assert.ok(server.log.includes('PASV'));
  });

  it('does the same over TLS', async () => {
    writeFileSync(join(tlsServer.root, 't.csv'), 'passive tls');
    const fs = createFtpFs(ftps(tlsServer, { certFingerprint: tlsServer.certFingerprint }));
    try {
      assert.equal(await text(await fs.read('/t.csv')), 'passive tls');
    } finally {
      await fs.close();
    }
  });

  it('follows the announced address only with usePasvAddress', async () => {
    const fs = createFtpFs({
      type: 'ftp', insecure: true, host: server.host, port: server.port, user: server.user, password: server.password, timeout: 2, usePasvAddress: true,
    });
    try {
      await assert.rejects(fs.list('/'), (err) => err instanceof FerryError && /127\.0\.0\.2/.test(err.message));
    } finally {
      await fs.close();
    }
  });
});
