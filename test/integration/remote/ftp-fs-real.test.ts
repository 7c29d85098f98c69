import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chownSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';

import { FerryError } from '../../../src/errors.js';
import type { FtpConnection } from '../../../src/profiles/connection-schema.js';
import { createFtpFs } from '../../../src/remote/ftp/ftp-fs.js';
import { ensureRealServers, type RealServers } from '../../../scripts/test-servers/real-servers.js';

/** Unique per run: other test files may use the same servers at the same time. */
const tag = `ftpfs-${process.pid}-${randomBytes(3).toString('hex')}`;

async function count(stream: Readable): Promise<number> {
  let n = 0;
  for await (const chunk of stream) n += (chunk as Buffer).length;
  return n;
}

describe('FTP file system against the real vsftpd', () => {
  let servers: RealServers;
  let plain: FtpConnection;
  let ftps: FtpConnection;

  before(async () => {
    servers = await ensureRealServers();
    const { ftp } = servers;
    plain = { type: 'ftp', insecure: true, host: ftp.host, port: ftp.port, user: ftp.user, password: ftp.password, timeout: 10 };
    const s = servers.ftps;
    ftps = { type: 'ftps', host: s.host, port: s.port, user: s.user, password: s.password, timeout: 10 };
  });
  after(() => {
    // RemoteFs has no rmdir: the folders this run created go locally
    for (const root of [servers.ftp.root, servers.ftps.root]) {
      for (const name of readdirSync(root).filter((n) => n.startsWith(tag))) rmSync(join(root, name), { recursive: true, force: true });
    }
  });

  for (const kind of ['plain', 'ftps with the CA', 'ftps with the pinned fingerprint'] as const) {
    it(`${kind}: mkdirp, write, list, stat, read, replace, rename and remove in the chroot`, async () => {
      const server = kind === 'plain' ? servers.ftp : servers.ftps;
      const connection = kind === 'plain' ? plain : kind === 'ftps with the CA' ? { ...ftps, ca: servers.ftps.caPem } : { ...ftps, certFingerprint: servers.ftps.certFingerprint };
      const fs = createFtpFs(connection);
      const dir = `${server.dir}/${tag}-${kind.replace(/\W+/g, '-')}`;
      try {
        await fs.mkdirp(`${dir}/in`);
        await fs.write(`${dir}/in/orders.csv`, Buffer.from('id;qty\n1;2\n'));
        const listed = await fs.list(`${dir}/in`);
        // vsftpd has no MLSD: LIST dates carry no seconds, so there is no exact mtime
        assert.deepEqual(listed, [{ name: 'orders.csv', path: `${dir}/in/orders.csv`, type: 'file', size: 11, mtimeMs: undefined }]);
        assert.deepEqual(await fs.stat(`${dir}/in/orders.csv`), listed[0]);
        assert.equal(await fs.stat(`${dir}/in/none.csv`), undefined);
        assert.equal(await text(await fs.read(`${dir}/in/orders.csv`)), 'id;qty\n1;2\n');
        await fs.write(`${dir}/in/orders.csv`, Buffer.from('replaced'));
        assert.equal(readFileSync(join(server.root, dir.slice(server.dir.length), 'in', 'orders.csv'), 'utf8'), 'replaced');
        await fs.mkdirp(`${dir}/processed`);
        await fs.rename(`${dir}/in/orders.csv`, `${dir}/processed/orders.csv`);
        assert.deepEqual(await fs.list(`${dir}/in`), []);
        await fs.remove(`${dir}/processed/orders.csv`);
        await fs.remove(`${dir}/processed/orders.csv`);
        assert.deepEqual(await fs.list(`${dir}/processed`), []);
        await assert.rejects(fs.read(`${dir}/in/orders.csv`), (err) => err instanceof FerryError && err.code === 'E_REMOTE_NOT_FOUND');
        assert.equal(fs.health().state, 'ok');
      } finally {
        await fs.close();
      }
    });
  }

  it('ftps: refuses the self-signed certificate without CA or pin, showing its fingerprint', async () => {
    const fs = createFtpFs(ftps);
    try {
      await assert.rejects(fs.list(servers.ftps.dir), (err) =>
        err instanceof FerryError && err.code === 'E_TLS_UNTRUSTED' && err.message.includes(servers.ftps.certFingerprint));
    } finally {
      await fs.close();
    }
  });

  it('refuses a wrong password with E_REMOTE_AUTH', async () => {
    const fs = createFtpFs({ ...plain, password: 'wrong-password' });
    try {
      await assert.rejects(fs.list(servers.ftp.dir), (err) =>
        err instanceof FerryError && err.code === 'E_REMOTE_AUTH' && !err.message.includes('wrong-password'));
    } finally {
      await fs.close();
    }
  });

  it('reads 20 MB over plain FTP and over FTPS with TLS session reuse (require_ssl_reuse=YES)', async (t) => {
    for (const [name, server, connection] of [
      ['plain FTP', servers.ftp, plain],
      ['FTPS', servers.ftps, { ...ftps, ca: servers.ftps.caPem }],
    ] as const) {
      const local = join(server.root, `${tag}-20mb.bin`);
      writeFileSync(local, randomBytes(20 << 20));
      const owner = statSync(server.root);
      chownSync(local, owner.uid, owner.gid);
      const fs = createFtpFs(connection);
      try {
        await fs.list(server.dir);
        const started = process.hrtime.bigint();
        assert.equal(await count(await fs.read(`${server.dir}/${tag}-20mb.bin`)), 20 << 20);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        t.diagnostic(`20 MB ${name} read from vsftpd: ${(20 / seconds).toFixed(1)} MB/s`);
        await fs.remove(`${server.dir}/${tag}-20mb.bin`);
      } finally {
        await fs.close();
      }
    }
  });
});
