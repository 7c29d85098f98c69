import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { before, test } from 'node:test';
import { Client, FTPError } from 'basic-ftp';
import SftpClient from 'ssh2-sftp-client';
import { ensureRealServers, type RealServers } from '../../scripts/test-servers/real-servers.js';

type After = { after: (fn: () => Promise<void> | void) => void };

let servers: RealServers;

before(async () => {
  servers = await ensureRealServers();
});

/** Unique per run: other test files may use the same servers at the same time. */
const tag = `rs-${process.pid}-${randomBytes(3).toString('hex')}`;

function fingerprintOf(hostKey: Buffer): string {
  return `SHA256:${createHash('sha256').update(hostKey).digest('base64').replace(/=+$/, '')}`;
}

/** ssh2-sftp-client prints to the console on an unexpected end unless it is given listeners. */
function newSftpClient(): SftpClient {
  const ignore = (): void => undefined;
  return new SftpClient('real-servers-test', { error: ignore, end: ignore, close: ignore });
}

async function sftpConnected(t: After, auth: { password: string } | { privateKey: Buffer }, offered: string[] = []): Promise<SftpClient> {
  const client = newSftpClient();
  const { sftp } = servers;
  await client.connect({
    host: sftp.host,
    port: sftp.port,
    username: sftp.user,
    ...auth,
    hostVerifier: (key: Buffer) => {
      offered.push(fingerprintOf(key));
      return fingerprintOf(key) === sftp.hostKeyFingerprint;
    },
    readyTimeout: 10_000,
  });
  t.after(() => client.end().then(() => undefined));
  return client;
}

test('ensureRealServers is idempotent: a second call returns the same servers, still running', async () => {
  const again = await ensureRealServers();
  assert.deepEqual(again, servers);
  assert.deepEqual([servers.sftp.port, servers.ftp.port, servers.ftps.port], [2222, 2121, 2990]);
  assert.match(servers.sftp.hostKeyFingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
  assert.match(servers.ftps.certFingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
});

test('OpenSSH: password login with the host key pinned; put, list, get, rename and delete in /upload', async (t) => {
  const offered: string[] = [];
  const client = await sftpConnected(t, { password: servers.sftp.password }, offered);
  assert.deepEqual(offered, [servers.sftp.hostKeyFingerprint]);
  const dir = servers.sftp.dir;
  assert.equal(dir, '/upload');
  assert.equal(await client.realPath('.'), '/upload', 'the chroot starts the session in the upload folder');

  await client.put(Buffer.from('id;qty\n1;2\n'), `${dir}/${tag}.part`);
  await client.rename(`${dir}/${tag}.part`, `${dir}/${tag}.csv`);
  const listed = (await client.list(dir)).filter((e) => e.name.startsWith(tag));
  assert.deepEqual(listed.map((e) => `${e.name} ${e.size}`), [`${tag}.csv 11`]);
  assert.equal(await readFile(join(servers.sftp.root, `${tag}.csv`), 'utf8'), 'id;qty\n1;2\n', 'root is the local path of /upload');

  const fetched = await client.get(`${dir}/${tag}.csv`);
  assert.ok(Buffer.isBuffer(fetched));
  assert.equal(fetched.toString(), 'id;qty\n1;2\n');

  await assert.rejects(client.put(Buffer.from('x'), `/${tag}.csv`), 'the chroot itself is not writable');
  await client.delete(`${dir}/${tag}.csv`);
  assert.equal(await client.exists(`${dir}/${tag}.csv`), false);
});

test('OpenSSH: key login works, a wrong password and a different pinned host key are refused', async (t) => {
  const client = await sftpConnected(t, { privateKey: await readFile(servers.sftp.privateKeyPath) });
  assert.ok(Array.isArray(await client.list(servers.sftp.dir)));

  await assert.rejects(sftpConnected(t, { password: 'wrong' }), /authentication/i);

  const other = newSftpClient();
  t.after(() => other.end().then(() => undefined, () => undefined));
  await assert.rejects(
    other.connect({ host: servers.sftp.host, port: servers.sftp.port, username: servers.sftp.user, password: servers.sftp.password, hostVerifier: () => false }),
    /verification failed/i,
  );
});

async function ftpConnected(t: After, kind: 'ftp' | 'ftps', client = new Client(10_000)): Promise<Client> {
  t.after(() => client.close());
  const server = servers[kind];
  await client.access({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    secure: kind === 'ftps',
    secureOptions: kind === 'ftps' ? { ca: servers.ftps.caPem } : undefined,
  });
  return client;
}

async function download(client: Client, path: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  await client.downloadTo(new Writable({ write: (chunk: Buffer, _encoding, done) => (parts.push(chunk), done()) }), path);
  return Buffer.concat(parts);
}

for (const kind of ['ftp', 'ftps'] as const) {
  test(`vsftpd ${kind}: list, upload, rename, download, delete in its folder (LIST, no MLSD)`, async (t) => {
    const server = servers[kind];
    const client = await ftpConnected(t, kind);
    assert.equal((await client.features()).has('MLST'), false, 'vsftpd has no MLSD: clients use LIST');
    const body = Buffer.from(randomBytes(300_000).toString('hex'));

    await writeFile(join(server.root, `${tag}-dropped.csv`), 'a;b\n');
    const listed = (await client.list(server.dir)).filter((e) => e.name.startsWith(tag));
    assert.deepEqual(listed.map((e) => `${e.name} ${e.size}`), [`${tag}-dropped.csv 4`]);
    assert.equal((await download(client, `${server.dir}/${tag}-dropped.csv`)).toString(), 'a;b\n');

    await client.uploadFrom(Readable.from([body]), `${server.dir}/${tag}.part`);
    await client.rename(`${server.dir}/${tag}.part`, `${server.dir}/${tag}.csv`);
    assert.equal((await stat(join(server.root, `${tag}.csv`))).size, body.length);
    assert.deepEqual(await download(client, `${server.dir}/${tag}.csv`), body);

    await client.remove(`${server.dir}/${tag}.csv`);
    await client.remove(`${server.dir}/${tag}-dropped.csv`);
    assert.deepEqual((await client.list(server.dir)).filter((e) => e.name.startsWith(tag)), []);
  });
}

test('vsftpd ftps: the pinned certificate is the one served; plain login is refused', async (t) => {
  const client = await ftpConnected(t, 'ftps');
  assert.equal((client.ftp.socket as TLSSocket).getPeerCertificate().fingerprint256, servers.ftps.certFingerprint);

  const plain = new Client(10_000);
  t.after(() => plain.close());
  const { ftps } = servers;
  await assert.rejects(plain.access({ host: ftps.host, port: ftps.port, user: ftps.user, password: ftps.password }), (error: unknown) => error instanceof FTPError && error.code === 530);
});

test('vsftpd ftps: require_ssl_reuse holds: data connections resuming the TLS session work, fresh ones are refused', async (t) => {
  const client = await ftpConnected(t, 'ftps');
  for (let i = 0; i < 3; i += 1) assert.ok(Array.isArray(await client.list(servers.ftps.dir)), `data connection ${i + 1} resumes the session`);

  // A client that does not offer the control connection's session gets 522, and vsftpd ends the
  // whole session right after it, so the client may see the control connection close first.
  const fresh = await ftpConnected(t, 'ftps');
  const socket = fresh.ftp.socket as TLSSocket;
  socket.getSession = () => undefined;
  fresh.ftp.tlsSessionStore = undefined;
  await assert.rejects(fresh.list(servers.ftps.dir), /522 SSL connection failed: session reuse required|Server sent FIN packet unexpectedly/);
});
