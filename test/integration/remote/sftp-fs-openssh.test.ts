import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, it } from 'node:test';

import { ensureRealServers, type RealSftpServer } from '../../../scripts/test-servers/real-servers.js';
import type { SftpConnection } from '../../../src/profiles/connection-schema.js';
import { bytesOf, defer, failure, open, runCleanups, sha } from '../../support/sftp-fs-fixture.js';

afterEach(runCleanups);

/** The real OpenSSH (scripts/test-servers); it needs root to be installed and started, so others skip. */
let realSftp: Promise<RealSftpServer> | undefined;
async function real(t: { skip(message: string): void }): Promise<{ server: RealSftpServer; dir: string; local: string } | undefined> {
  if (process.getuid?.() !== 0) {
    t.skip('the real OpenSSH test server needs root');
    return undefined;
  }
  realSftp ??= ensureRealServers().then((r) => r.sftp);
  const server = await realSftp;
  const name = `sftpfs-${randomBytes(4).toString('hex')}`;
  const local = join(server.root, name);
  defer(() => rm(local, { recursive: true, force: true }));
  return { server, dir: `${server.dir}/${name}`, local };
}

function realConn(r: RealSftpServer, extra: Partial<SftpConnection> = {}): SftpConnection {
  return { type: 'sftp', host: r.host, port: r.port, user: r.user, password: r.password, hostKey: r.hostKeyFingerprint, ...extra };
}

function run(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((ok, fail) => {
    const child = execFile(cmd, args, { timeout: 60_000 }, (err, stdout) => (err ? fail(err) : ok(stdout)));
    if (input !== undefined) child.stdin?.end(input);
  });
}

describe('SFTP remote file system against the real OpenSSH', () => {
  it('does every operation with a password, replacing an existing file through posix-rename', async (t) => {
    const r = await real(t);
    if (r === undefined) return;
    const fs = open(realConn(r.server));
    await fs.mkdirp(`${r.dir}/in/deep`);
    await fs.mkdirp(`${r.dir}/in/deep`);
    await fs.write(`${r.dir}/in/a.csv`, Buffer.from('old'));
    await fs.write(`${r.dir}/in/a.csv`, Readable.from([Buffer.from('new')]));
    assert.equal(await readFile(join(r.local, 'in/a.csv'), 'utf8'), 'new');
    assert.deepEqual((await readdir(join(r.local, 'in'))).sort(), ['a.csv', 'deep']);
    const listed = await fs.list(`${r.dir}/in`);
    assert.deepEqual(listed.map((e) => [e.name, e.type, e.size]).sort(), [['a.csv', 'file', 3], ['deep', 'dir', 4096]]);
    assert.equal((await fs.stat(`${r.dir}/in/a.csv`))?.size, 3);
    assert.equal(await fs.stat(`${r.dir}/in/none.csv`), undefined);
    assert.equal((await bytesOf(await fs.read(`${r.dir}/in/a.csv`))).toString(), 'new');
    await fs.rename(`${r.dir}/in/a.csv`, `${r.dir}/processed/a.csv`);
    assert.equal(await readFile(join(r.local, 'processed/a.csv'), 'utf8'), 'new');
    await fs.remove(`${r.dir}/processed/a.csv`);
    assert.deepEqual(await readdir(join(r.local, 'processed')), []);
    assert.equal((await failure(fs.read(`${r.dir}/nope.csv`))).code, 'E_REMOTE_NOT_FOUND');
  });

  it('logs in with an encrypted private key and its passphrase', async (t) => {
    const r = await real(t);
    if (r === undefined) return;
    const dir = await mkdtemp(join(tmpdir(), 'ferry-key-'));
    defer(() => rm(dir, { recursive: true, force: true }));
    const keyPath = join(dir, 'id');
    await copyFile(r.server.privateKeyPath, keyPath);
    await chmod(keyPath, 0o600);
    await run('ssh-keygen', ['-q', '-p', '-a', '8', '-P', '', '-N', 'secret passphrase', '-f', keyPath]);
    const privateKey = await readFile(keyPath, 'utf8');
    assert.match(privateKey, /BEGIN OPENSSH PRIVATE KEY/);
    const fs = open(realConn(r.server, { password: undefined, privateKey, passphrase: 'secret passphrase' }));
    await fs.write(`${r.dir}/k.txt`, Buffer.from('by key'));
    assert.equal((await bytesOf(await fs.read(`${r.dir}/k.txt`))).toString(), 'by key');
    const wrong = await failure(open(realConn(r.server, { password: undefined, privateKey, passphrase: 'not it' })).list(r.dir));
    assert.equal(wrong.code, 'E_REMOTE_AUTH');
  });

  it('refuses a wrong host key before authenticating and a wrong password with E_REMOTE_AUTH', async (t) => {
    const r = await real(t);
    if (r === undefined) return;
    const logFile = '/tmp/ferry-real-servers/sshd.log';
    const before = (await readFile(logFile, 'utf8')).length;
    const pinned = `SHA256:${createHash('sha256').update('another key').digest('base64').replace(/=+$/, '')}`;
    const err = await failure(open(realConn(r.server, { hostKey: pinned })).list(r.dir));
    assert.equal(err.code, 'E_HOSTKEY_MISMATCH');
    assert.ok(err.message.includes(r.server.hostKeyFingerprint) && err.message.includes(pinned), err.message);
    await sleep(200);
    const lines = (await readFile(logFile, 'utf8')).slice(before).split('\n');
    // ssh2 ends the key exchange with DISCONNECT reason 3 (key exchange failed)
    const ports = lines.map((l) => /^Received disconnect from 127\.0\.0\.1 port (\d+):3:/.exec(l)?.[1]).filter((p) => p !== undefined);
    assert.ok(ports.length > 0, lines.join('\n'));
    for (const port of ports) {
      assert.deepEqual(lines.filter((l) => l.includes(`port ${port}`) && /password|publickey|Accepted|Failed/.test(l)), []);
    }
    const auth = await failure(open(realConn(r.server, { password: 'CANARY_PW_wrong' })).list(r.dir));
    assert.equal(auth.code, 'E_REMOTE_AUTH');
    assert.ok(!auth.message.includes('CANARY_PW_wrong'));
  });

  it('round-trips a 1,000-row file and a 20 MB file with identical bytes, and keeps to the pool limit', async (t) => {
    const r = await real(t);
    if (r === undefined) return;
    const fs = open(realConn(r.server), { maxConnections: 2 });
    const rows = ['id;sku;qty'];
    for (let i = 1; i <= 1000; i++) rows.push(`${i};SKU-${i};${i % 7}`);
    const csv = Buffer.from(`${rows.join('\n')}\n`);
    await fs.write(`${r.dir}/orders.csv`, csv);
    assert.equal(sha(await bytesOf(await fs.read(`${r.dir}/orders.csv`))), sha(csv));

    const big = randomBytes(20 * 1024 * 1024);
    let started = performance.now();
    await fs.write(`${r.dir}/big.bin`, Readable.from(Array.from({ length: 20 }, (_, i) => big.subarray(i << 20, (i + 1) << 20))));
    const up = (performance.now() - started) / 1000;
    assert.equal(sha(await readFile(join(r.local, 'big.bin'))), sha(big));
    started = performance.now();
    const back = await bytesOf(await fs.read(`${r.dir}/big.bin`));
    const down = (performance.now() - started) / 1000;
    assert.equal(sha(back), sha(big));
    t.diagnostic(`20 MB from OpenSSH on loopback: read ${(20 / down).toFixed(0)} MB/s, write ${(20 / up).toFixed(0)} MB/s`);

    const reads = await Promise.all(Array.from({ length: 10 }, async () => sha(await bytesOf(await fs.read(`${r.dir}/orders.csv`)))));
    assert.deepEqual(new Set(reads), new Set([sha(csv)]));
  });
});
