import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { FerryError } from '../../../src/errors.js';
import { createFtpFs } from '../../../src/remote/ftp/ftp-fs.js';
import type { FtpConnection } from '../../../src/profiles/connection-schema.js';
import { startFtpServer, type FtpTestServer } from '../../support/ftp-server.js';

function plain(server: FtpTestServer, extra: Partial<FtpConnection> = {}): FtpConnection {
  return { type: 'ftp', insecure: true, host: server.host, port: server.port, user: server.user, password: server.password, timeout: 5, ...extra };
}

function isCode(code: string): (err: unknown) => boolean {
  return (err) => err instanceof FerryError && err.code === code;
}

describe('FTP file system (plain FTP, ftp-srv)', () => {
  let server: FtpTestServer;
  let fs: ReturnType<typeof createFtpFs>;

  before(async () => {
    server = await startFtpServer();
    fs = createFtpFs(plain(server));
  });
  after(async () => {
    await fs.close();
    await server.close();
  });

  it('writes via a temporary name, then lists, stats and reads the file back', async () => {
    await fs.mkdirp('/in');
    await fs.write('/in/orders.csv', Buffer.from('id;qty\r\n1;2\r\n'));
    assert.equal(readFileSync(join(server.root, 'in', 'orders.csv'), 'utf8'), 'id;qty\r\n1;2\r\n');
    assert.deepEqual(readdirSync(join(server.root, 'in')), ['orders.csv']);
    assert.ok(server.log.some((line) => line.startsWith('STOR /in/.orders.csv.ferry-part')));
    const listed = await fs.list('/in');
    // ftp-srv speaks LIST only: its dates have no seconds, so there is no exact mtime
    assert.deepEqual(listed, [{ name: 'orders.csv', path: '/in/orders.csv', type: 'file', size: 13, mtimeMs: undefined }]);
    assert.deepEqual(await fs.stat('/in/orders.csv'), listed[0]);
    assert.equal((await fs.stat('/in'))?.type, 'dir');
    assert.equal(await fs.stat('/in/missing.csv'), undefined);
    assert.equal(await text(await fs.read('/in/orders.csv')), 'id;qty\r\n1;2\r\n');
    assert.equal(fs.health().state, 'ok');
  });

  it('uploads from a stream and reads an empty file', async () => {
    await fs.write('/stream.csv', Readable.from(['a;b\n', '1;2\n']));
    assert.equal(readFileSync(join(server.root, 'stream.csv'), 'utf8'), 'a;b\n1;2\n');
    writeFileSync(join(server.root, 'empty.csv'), '');
    assert.equal(await text(await fs.read('/empty.csv')), '');
  });

  it('renames, removes (a missing file is fine) and creates folders, keeping relative paths working', async () => {
    writeFileSync(join(server.root, 'move.csv'), 'x');
    await fs.mkdirp('/archive/2024/03');
    await fs.mkdirp('/archive/2024/03');
    await fs.rename('/move.csv', '/archive/2024/03/move.csv');
    assert.ok(existsSync(join(server.root, 'archive', '2024', '03', 'move.csv')));
    // ensureDir changes the working directory; a relative path must still mean the login folder
    assert.deepEqual((await fs.list('archive')).map((e) => e.path), ['archive/2024']);
    await fs.remove('/archive/2024/03/move.csv');
    await fs.remove('/archive/2024/03/move.csv');
    assert.ok(!existsSync(join(server.root, 'archive', '2024', '03', 'move.csv')));
    await assert.rejects(fs.rename('/nope.csv', '/nope2.csv'), isCode('E_REMOTE_RENAME'));
  });

  it('replaces an existing file on a server whose rename does not overwrite', async () => {
    writeFileSync(join(server.root, 'result.csv'), 'old');
    server.faults.renameOverwrites = false;
    try {
      await fs.write('/result.csv', Buffer.from('new'));
    } finally {
      delete server.faults.renameOverwrites;
    }
    assert.equal(readFileSync(join(server.root, 'result.csv'), 'utf8'), 'new');
    assert.ok(server.log.includes('FAULT refused rename onto existing /result.csv'));
    assert.deepEqual(readdirSync(server.root).filter((n) => n.includes('ferry')), []);
  });

  it('keeps the old file and removes the temporary one when the rename is refused', async () => {
    writeFileSync(join(server.root, 'kept.csv'), 'old');
    server.faults.failRename = (from) => from === '/.kept.csv.ferry-part';
    try {
      await assert.rejects(fs.write('/kept.csv', Buffer.from('new')), isCode('E_REMOTE_RENAME'));
    } finally {
      delete server.faults.failRename;
    }
    assert.equal(readFileSync(join(server.root, 'kept.csv'), 'utf8'), 'old');
    assert.deepEqual(readdirSync(server.root).filter((n) => n.includes('ferry')), []);
    // ftp-srv renames onto existing files, so the old one was never moved aside; now one that does not
    server.faults.renameOverwrites = false;
    server.faults.failRename = (from) => from === '/.kept.csv.ferry-part';
    try {
      await assert.rejects(fs.write('/kept.csv', Buffer.from('new')), isCode('E_REMOTE_RENAME'));
    } finally {
      delete server.faults.failRename;
      delete server.faults.renameOverwrites;
    }
    assert.ok(server.log.includes('RNTO /.kept.csv.ferry-part-old'));
    assert.equal(readFileSync(join(server.root, 'kept.csv'), 'utf8'), 'old');
    assert.deepEqual(readdirSync(server.root).filter((n) => n.includes('ferry')), []);
  });

  it('refuses CR, LF and NUL in any path before sending anything', async () => {
    const before = server.log.length;
    const evil = '/in/x.csv\r\nDELE in/orders.csv';
    await assert.rejects(fs.list('/in\r\nDELE in/orders.csv'), isCode('E_REMOTE_NAME'));
    await assert.rejects(fs.stat(evil), isCode('E_REMOTE_NAME'));
    await assert.rejects(fs.read(evil), isCode('E_REMOTE_NAME'));
    await assert.rejects(fs.write(evil, Buffer.from('x')), isCode('E_REMOTE_NAME'));
    await assert.rejects(fs.rename('/in/orders.csv', evil), isCode('E_REMOTE_NAME'));
    await assert.rejects(fs.remove('/in/a\u0000b'), isCode('E_REMOTE_NAME'));
    await assert.rejects(fs.mkdirp('/in/sub\nDELE x'), isCode('E_REMOTE_NAME'));
    assert.deepEqual(server.log.slice(before), []);
    assert.ok(existsSync(join(server.root, 'in', 'orders.csv')));
  });

  it('keeps names with spaces and non-ASCII letters exact from listing to download', async () => {
    const name = 'Bestellung Mu\u0308nchen 1.csv';
    await fs.mkdirp('/names');
    await fs.write(`/names/${name}`, Buffer.from('umlaut'));
    const [entry] = await fs.list('/names');
    assert.equal(entry?.name, name);
    assert.equal(await text(await fs.read(entry?.path ?? '')), 'umlaut');
  });

  it('reports a missing file as E_REMOTE_NOT_FOUND and keeps working', async () => {
    await assert.rejects(fs.read('/in/missing.csv'), isCode('E_REMOTE_NOT_FOUND'));
    assert.equal((await fs.list('/in')).length, 1);
  });

  it('runs 10 parallel reads on at most maxConnections connections', async () => {
    const body = Buffer.alloc(256 * 1024, 'x');
    for (let i = 0; i < 10; i++) writeFileSync(join(server.root, `p${i}.csv`), body);
    const pooled = createFtpFs(plain(server), { maxConnections: 2 });
    const logins = server.log.filter((l) => l.startsWith('USER')).length;
    let most = 0;
    const open = server.openConnections();
    const sampler = setInterval(() => {
      most = Math.max(most, server.openConnections() - open);
    }, 5);
    try {
      const sizes = await Promise.all(Array.from({ length: 10 }, async (_, i) => {
        let n = 0;
        for await (const chunk of await pooled.read(`/p${i}.csv`)) n += (chunk as Buffer).length;
        return n;
      }));
      assert.deepEqual(sizes, Array.from({ length: 10 }, () => body.length));
    } finally {
      clearInterval(sampler);
      await pooled.close();
    }
    assert.equal(server.log.filter((l) => l.startsWith('USER')).length - logins, 2);
    assert.ok(most <= 2, `at most 2 connections, saw ${most}`);
  });

  it('closes connections left unused for idleMs', async () => {
    const idle = createFtpFs(plain(server), { idleMs: 150 });
    const logins = (): number => server.log.filter((l) => l.startsWith('USER')).length;
    try {
      const first = logins();
      await idle.list('/');
      await idle.list('/');
      assert.equal(logins(), first + 1, 'a busy connection is reused');
      await sleep(400);
      await idle.list('/');
      assert.equal(logins(), first + 2, 'an idle one was closed, so a new login was needed');
    } finally {
      await idle.close();
    }
  });

  it('caps the size of a listing', async () => {
    for (let i = 0; i < 20; i++) writeFileSync(join(server.root, 'in', `many-${i}.csv`), 'x');
    const capped = createFtpFs(plain(server), { maxListingBytes: 200 });
    try {
      await assert.rejects(capped.list('/in'), (err) => isCode('E_IO')(err) && /maxListingBytes/.test((err as Error).message));
      assert.notEqual(capped.health().state, 'down');
      assert.equal((await capped.stat('/names/Bestellung Mu\u0308nchen 1.csv'))?.size, 6);
    } finally {
      await capped.close();
    }
  });

  it('refuses a wrong password with E_REMOTE_AUTH, never showing it, and reports the server in health()', async () => {
    const wrong = createFtpFs(plain(server, { password: 'not-the-password' }));
    try {
      await assert.rejects(wrong.list('/'), (err) => isCode('E_REMOTE_AUTH')(err) && !(err as Error).message.includes('not-the-password'));
      const health = wrong.health();
      assert.equal(health.state, 'down');
      assert.match(health.lastError ?? '', /E_REMOTE_AUTH/);
      assert.ok(!(health.lastError ?? '').includes('not-the-password'));
    } finally {
      await wrong.close();
    }
  });
});
