import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, it } from 'node:test';

import type { Algorithms } from 'ssh2';

import { bytesOf, capturingLogger, conn, failure, open, runCleanups, server } from '../../support/sftp-fs-fixture.js';

afterEach(runCleanups);

describe('SFTP remote file system (in-process server)', () => {
  it('logs in with a password and does list, stat, read, write, rename, remove and mkdirp', async () => {
    const s = await server();
    await writeFile(join(s.root, 'orders.csv'), 'id;qty\n1;2\n');
    await mkdir(join(s.root, 'sub'));
    await symlink('orders.csv', join(s.root, 'link.csv'));
    const fs = open(conn(s));
    assert.equal(fs.label, `sftp://ferry@127.0.0.1:${s.port}`);
    assert.equal(fs.health().state, 'unknown');

    const listed = await fs.list('/');
    const byName = new Map(listed.map((e) => [e.name, e]));
    assert.deepEqual([...byName.keys()].sort(), ['link.csv', 'orders.csv', 'sub']);
    assert.equal(byName.get('orders.csv')?.type, 'file');
    assert.equal(byName.get('orders.csv')?.size, 11);
    assert.equal(byName.get('orders.csv')?.path, '/orders.csv');
    assert.equal(byName.get('sub')?.type, 'dir');
    assert.equal(byName.get('link.csv')?.type, 'link');
    const mtime = byName.get('orders.csv')?.mtimeMs ?? 0;
    assert.ok(Math.abs(mtime - Date.now()) < 60_000, 'mtime is in ms');

    const st = await fs.stat('/orders.csv');
    assert.equal(st?.type, 'file');
    assert.equal(st?.size, 11);
    assert.equal(await fs.stat('/missing.csv'), undefined);
    assert.equal((await bytesOf(await fs.read('/orders.csv'))).toString(), 'id;qty\n1;2\n');

    await fs.mkdirp('/out/2024/05');
    await fs.mkdirp('/out/2024/05');
    await fs.write('/out/2024/05/result.csv', Buffer.from('row,status\n'));
    assert.equal(await readFile(join(s.root, 'out/2024/05/result.csv'), 'utf8'), 'row,status\n');
    assert.deepEqual(await readdir(join(s.root, 'out/2024/05')), ['result.csv']);

    await fs.rename('/orders.csv', '/processed/orders.csv');
    assert.equal(await readFile(join(s.root, 'processed/orders.csv'), 'utf8'), 'id;qty\n1;2\n');
    await fs.remove('/processed/orders.csv');
    await fs.remove('/processed/orders.csv');
    assert.deepEqual(await readdir(join(s.root, 'processed')), []);

    const h = fs.health();
    assert.equal(h.state, 'ok');
    assert.ok(h.lastOkAt !== null);
  });

  it('logs in with an encrypted private key and its passphrase', async () => {
    const s = await server();
    await writeFile(join(s.root, 'a.txt'), 'key auth');
    const fs = open(conn(s, { password: undefined, privateKey: s.clientKey.privateKey, passphrase: s.clientKey.passphrase }));
    assert.equal((await bytesOf(await fs.read('/a.txt'))).toString(), 'key auth');
    assert.ok(s.log.includes('USERAUTH publickey'));
    assert.ok(!s.log.includes('USERAUTH password'));
  });

  it('refuses a wrong password or passphrase with E_REMOTE_AUTH and never shows the secret', async () => {
    const s = await server();
    const canary = 'CANARY_PW_7f3a';
    const err = await failure(open(conn(s, { password: canary })).list('/'));
    assert.equal(err.code, 'E_REMOTE_AUTH');
    assert.ok(!err.message.includes(canary));
    const keyErr = await failure(open(conn(s, { password: undefined, privateKey: s.clientKey.privateKey, passphrase: 'CANARY_PASSPHRASE' })).list('/'));
    assert.equal(keyErr.code, 'E_REMOTE_AUTH');
    assert.ok(!keyErr.message.includes('CANARY_PASSPHRASE'));
    assert.ok(!keyErr.message.includes('PRIVATE KEY'));
  });

  it('refuses a server whose host key is not the pinned one before authenticating, showing both fingerprints', async () => {
    const s = await server();
    const other = await server();
    const fs = open(conn(s, { hostKey: other.hostKeyFingerprint }));
    const err = await failure(fs.list('/'));
    assert.equal(err.code, 'E_HOSTKEY_MISMATCH');
    assert.equal(err.kind, 'input');
    assert.ok(err.message.includes(s.hostKeyFingerprint), err.message);
    assert.ok(err.message.includes(other.hostKeyFingerprint), err.message);
    assert.deepEqual(s.log.filter((l) => l.startsWith('USERAUTH')), []);
    assert.equal(fs.health().state, 'down');
    assert.equal(fs.health().lastError, err.message);
  });

  it('refuses a legacy-only server by default, naming what it offers, and connects with algorithms set', async () => {
    const legacy = { kex: ['diffie-hellman-group14-sha1'], serverHostKey: ['ssh-rsa'], cipher: ['aes128-cbc'], hmac: ['hmac-md5'] };
    const s = await server({ hostKeyType: 'rsa', algorithms: legacy as Algorithms });
    await writeFile(join(s.root, 'old.csv'), 'x');
    const err = await failure(open(conn(s)).list('/'));
    assert.equal(err.code, 'E_SSH_ALGORITHMS');
    assert.ok(err.message.includes('diffie-hellman-group14-sha1'), err.message);
    const kexOnly = await failure(open(conn(s, { algorithms: { kex: legacy.kex } })).list('/'));
    assert.equal(kexOnly.code, 'E_SSH_ALGORITHMS');
    assert.ok(kexOnly.message.includes('aes128-cbc'), kexOnly.message);
    const fs = open(conn(s, { algorithms: legacy }));
    assert.deepEqual((await fs.list('/')).map((e) => e.name), ['old.csv']);
  });

  it('skips names with a line break with one warning and never joins them into paths', async () => {
    const s = await server();
    await writeFile(join(s.root, 'good.csv'), 'a');
    await writeFile(join(s.root, 'bad\nname.csv'), 'b');
    const { log, lines } = capturingLogger();
    const fs = open(conn(s), { log });
    assert.deepEqual((await fs.list('/')).map((e) => e.name), ['good.csv']);
    assert.deepEqual((await fs.list('/')).map((e) => e.name), ['good.csv']);
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', /bad\\\\nname\.csv/);
    const err = await failure(fs.read('/bad\nname.csv'));
    assert.equal(err.code, 'E_REMOTE_NAME');
  });

  it('reports a missing file as E_REMOTE_NOT_FOUND and keeps the connection', async () => {
    const s = await server();
    const fs = open(conn(s), { maxConnections: 1 });
    assert.equal((await failure(fs.read('/nope.csv'))).code, 'E_REMOTE_NOT_FOUND');
    assert.equal((await failure(fs.list('/nope'))).code, 'E_REMOTE_NOT_FOUND');
    await fs.list('/');
    assert.equal(s.log.filter((l) => l === 'USERAUTH password').length, 1);
  });
});

describe('SFTP uploads replace files without ever showing a partial one', () => {
  it('uses posix-rename over an existing file', async () => {
    const s = await server();
    await writeFile(join(s.root, 'result.csv'), 'old');
    const fs = open(conn(s));
    await fs.write('/result.csv', Readable.from([Buffer.from('new '), Buffer.from('content')]));
    assert.equal(await readFile(join(s.root, 'result.csv'), 'utf8'), 'new content');
    const temp = '/.result.csv.ferry-part';
    assert.deepEqual(s.log.filter((l) => /^(OPEN|WRITE|CLOSE|RENAME|POSIX-RENAME|REMOVE) /.test(l)), [
      `OPEN ${temp} w`,
      `WRITE ${temp} @0`,
      `CLOSE ${temp}`,
      `POSIX-RENAME ${temp} /result.csv`,
    ]);
    assert.deepEqual(await readdir(s.root), ['result.csv']);
  });

  it('deletes then renames on a server without overwrite-rename or posix-rename, only after the upload completed', async () => {
    const s = await server();
    s.faults.posixRename = false;
    await writeFile(join(s.root, 'result.csv'), 'old');
    const fs = open(conn(s));
    await fs.write('/result.csv', Buffer.from('new'));
    assert.equal(await readFile(join(s.root, 'result.csv'), 'utf8'), 'new');
    const ops = s.log.filter((l) => /^(OPEN|WRITE|CLOSE|RENAME|POSIX-RENAME|REMOVE) /.test(l));
    const temp = '/.result.csv.ferry-part';
    assert.deepEqual(ops, [
      `OPEN ${temp} w`,
      `WRITE ${temp} @0`,
      `CLOSE ${temp}`,
      `RENAME ${temp} /result.csv`,
      'REMOVE /result.csv',
      `RENAME ${temp} /result.csv`,
    ]);
    // a second write on the same connection does not try posix-rename again
    await fs.write('/result.csv', Buffer.from('newer'));
    assert.equal(await readFile(join(s.root, 'result.csv'), 'utf8'), 'newer');
    assert.ok(!s.log.some((l) => l.startsWith('POSIX-RENAME') || l.startsWith('EXTENDED')));
  });

  it('renames straight onto the target where the server overwrites', async () => {
    const s = await server();
    s.faults.posixRename = false;
    s.faults.overwriteOnRename = true;
    await writeFile(join(s.root, 'result.csv'), 'old');
    await open(conn(s)).write('/result.csv', Buffer.from('new'));
    assert.equal(await readFile(join(s.root, 'result.csv'), 'utf8'), 'new');
    assert.ok(!s.log.includes('REMOVE /result.csv'));
  });

  it('reports a refused move as E_REMOTE_RENAME and leaves the file where it was', async () => {
    const s = await server();
    await writeFile(join(s.root, 'orders.csv'), 'x');
    s.faults.failRename = (_from, to) => to.startsWith('/archive/');
    const fs = open(conn(s));
    await fs.mkdirp('/archive');
    const err = await failure(fs.rename('/orders.csv', '/archive/orders.csv'));
    assert.equal(err.code, 'E_REMOTE_RENAME');
    assert.equal(err.kind, 'transient');
    assert.deepEqual((await readdir(s.root)).sort(), ['archive', 'orders.csv']);
  });

  it('keeps the old file and removes the temporary one when the rename is refused', async () => {
    const s = await server();
    await writeFile(join(s.root, 'result.csv'), 'old');
    s.faults.failRename = (_from, to) => to === '/result.csv';
    const err = await failure(open(conn(s)).write('/result.csv', Buffer.from('new')));
    assert.equal(err.code, 'E_REMOTE_RENAME');
    assert.equal(await readFile(join(s.root, 'result.csv'), 'utf8'), 'old');
    assert.deepEqual(await readdir(s.root), ['result.csv']);
  });
});
