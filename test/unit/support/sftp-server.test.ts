import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { NegotiatedAlgorithms } from 'ssh2';
import SftpClient from 'ssh2-sftp-client';
import { startSftpServer, type SftpServerOptions, type SftpTestServer } from '../../support/sftp-server.js';

type TestContext = { after: (fn: () => Promise<unknown>) => void };

async function started(t: TestContext, options?: SftpServerOptions): Promise<SftpTestServer> {
  const server = await startSftpServer(options);
  t.after(() => server.close());
  return server;
}

function quietClient(): SftpClient {
  return new SftpClient('test', { error: () => undefined, end: () => undefined, close: () => undefined });
}

async function connected(t: TestContext, server: SftpTestServer, config: SftpClient.ConnectOptions = {}): Promise<SftpClient> {
  const client = quietClient();
  await client.connect({ host: server.host, port: server.port, username: server.user, password: server.password, ...config });
  t.after(() => client.end().catch(() => false));
  return client;
}

async function download(client: SftpClient, path: string): Promise<Buffer> {
  const data = await client.get(path);
  assert.ok(Buffer.isBuffer(data));
  return data;
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function hasSshKeygen(): boolean {
  try {
    execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    return !(error instanceof Error && 'code' in error && error.code === 'ENOENT');
  }
}

test('password login: list, stat, get, put, mkdir -p, rename and delete act on the root directory', async (t) => {
  const server = await started(t);
  mkdirSync(join(server.root, 'in'));
  writeFileSync(join(server.root, 'in', 'orders.csv'), 'id;qty\n1;5\n');
  const client = await connected(t, server);

  assert.deepEqual(
    (await client.list('/in')).map((entry) => [entry.type, entry.name, entry.size]),
    [['-', 'orders.csv', 11]],
  );
  const stats = await client.stat('/in/orders.csv');
  assert.equal(stats.size, 11);
  assert.equal(stats.isFile, true);
  assert.equal((await download(client, '/in/orders.csv')).toString(), 'id;qty\n1;5\n');
  assert.equal(await client.realPath('.'), '/');

  await client.mkdir('/out/customer', true);
  await client.put(Buffer.from('result'), '/out/customer/result.tmp');
  assert.equal(readFileSync(join(server.root, 'out', 'customer', 'result.tmp'), 'utf8'), 'result');
  await client.rename('/out/customer/result.tmp', '/out/customer/result.csv');
  assert.deepEqual((await client.list('/out/customer')).map((entry) => entry.name), ['result.csv']);
  await client.delete('/out/customer/result.csv');
  await client.rmdir('/out', true);
  assert.equal(existsSync(join(server.root, 'out')), false);

  assert.ok(server.log.includes('USERAUTH password'));
  assert.ok(server.log.includes('OPEN /in/orders.csv r'));
  assert.ok(server.log.includes('RENAME /out/customer/result.tmp /out/customer/result.csv'));
  assert.ok(server.log.includes('READDIR /in'));
});

test('key login needs the passphrase; wrong passwords and unknown users are refused', async (t) => {
  const server = await started(t);
  const byKey = await connected(t, server, { password: undefined, ...server.clientKey });
  assert.deepEqual(await byKey.list('/'), []);
  assert.ok(server.log.includes('USERAUTH publickey'));
  assert.match(server.clientKey.privateKey, /^-----BEGIN OPENSSH PRIVATE KEY-----/);

  await assert.rejects(
    quietClient().connect({ host: server.host, port: server.port, username: server.user, privateKey: server.clientKey.privateKey }),
    /passphrase/,
  );
  for (const [username, password] of [[server.user, 'wrong'], ['root', server.password]]) {
    await assert.rejects(
      quietClient().connect({ host: server.host, port: server.port, username, password }),
      /authentication methods failed/,
    );
  }
  await until(() => server.openConnections() === 1, 'the refused clients to go');
});

/** Checks the key a client was offered against the server's fingerprint, and against ssh-keygen where installed. */
function assertFingerprint(server: SftpTestServer, offered: readonly Buffer[], keyType: string): void {
  const [key] = offered;
  assert.ok(key !== undefined);
  const fingerprint = `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
  assert.equal(server.hostKeyFingerprint, fingerprint);
  assert.match(fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
  if (!hasSshKeygen()) return;
  const file = join(server.root, 'host.pub');
  writeFileSync(file, `${keyType} ${key.toString('base64')}\n`);
  assert.equal(execFileSync('ssh-keygen', ['-lf', file], { encoding: 'utf8' }).split(' ')[1], fingerprint);
}

test('the host key a client sees has the advertised fingerprint, as ssh-keygen -lf prints it', async (t) => {
  const server = await started(t);
  const offered: Buffer[] = [];
  await connected(t, server, { hostVerifier: (key: Buffer) => offered.push(key) > 0 });
  assertFingerprint(server, offered, 'ssh-ed25519');
});

test('RENAME onto an existing file fails unless the server overwrites; posix-rename replaces it', async (t) => {
  const server = await started(t);
  const write = (name: string, text: string): void => writeFileSync(join(server.root, name), text);
  const read = (name: string): string => readFileSync(join(server.root, name), 'utf8');
  write('final.csv', 'old');
  write('upload.tmp', 'new');
  const client = await connected(t, server);

  await assert.rejects(client.rename('/upload.tmp', '/final.csv'), { code: 4 });
  assert.equal(read('final.csv'), 'old');
  await client.posixRename('/upload.tmp', '/final.csv');
  assert.equal(read('final.csv'), 'new');
  assert.equal(existsSync(join(server.root, 'upload.tmp')), false);

  write('upload.tmp', 'newer');
  server.faults.overwriteOnRename = true;
  await client.rename('/upload.tmp', '/final.csv');
  assert.equal(read('final.csv'), 'newer');

  write('upload.tmp', 'refused');
  server.faults.failRename = (from, to) => from === '/upload.tmp' && to === '/final.csv';
  await assert.rejects(client.rename('/upload.tmp', '/final.csv'), { code: 3 });
  await assert.rejects(client.posixRename('/upload.tmp', '/final.csv'), { code: 3 });
  assert.equal(read('final.csv'), 'newer');
  assert.ok(server.log.includes('POSIX-RENAME /upload.tmp /final.csv'));

  server.faults.posixRename = false;
  const plain = await connected(t, server);
  await assert.rejects(plain.posixRename('/upload.tmp', '/other.csv'), /does not support/);
});

test('cutReadAfterBytes breaks the next download after n bytes, and only that one', async (t) => {
  const server = await started(t);
  const content = Buffer.alloc(200_000, 'x');
  writeFileSync(join(server.root, 'big.csv'), content);
  const client = await connected(t, server);
  const events: string[] = [];
  client.on('end', () => events.push('end'));
  client.on('error', () => events.push('error'));

  let received = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      done();
    },
  });
  server.faults.cutReadAfterBytes = 50_000;
  await assert.rejects(client.get('/big.csv', sink), /Unexpected end event/);
  assert.ok(received <= 50_000, `received ${received}`);
  assert.deepEqual(events, ['end']);
  assert.equal(server.faults.cutReadAfterBytes, undefined);
  await until(() => server.openConnections() === 0, 'the connection to close');

  const again = await connected(t, server);
  assert.deepEqual(await download(again, '/big.csv'), content);
});

test('endWithoutErrorAfterBytes ends the next download early without any error', async (t) => {
  const server = await started(t);
  writeFileSync(join(server.root, 'big.csv'), Buffer.alloc(200_000, 'y'));
  const client = await connected(t, server);
  server.faults.endWithoutErrorAfterBytes = 50_000;
  assert.equal((await download(client, '/big.csv')).length, 50_000);
  assert.equal((await client.stat('/big.csv')).size, 200_000);
  assert.equal((await download(client, '/big.csv')).length, 200_000);
});

test('beforeOpen runs as a download opens its file; readDelayMs slows each read', async (t) => {
  const server = await started(t);
  const file = join(server.root, 'in.csv');
  writeFileSync(file, 'a\n');
  const client = await connected(t, server);
  const opened: string[] = [];

  server.faults.beforeOpen = (path) => {
    opened.push(path);
    writeFileSync(file, 'a\nb\n', { flag: 'a' });
  };
  assert.equal((await download(client, '/in.csv')).toString(), 'a\na\nb\n');
  server.faults.beforeOpen = (path) => {
    opened.push(path);
    rmSync(file);
  };
  await assert.rejects(client.get('/in.csv'), { code: 2 });
  assert.deepEqual(opened, ['/in.csv', '/in.csv']);
  delete server.faults.beforeOpen;

  writeFileSync(file, 'slow');
  server.faults.readDelayMs = 80;
  const startedAt = Date.now();
  assert.equal((await download(client, '/in.csv')).toString(), 'slow');
  assert.ok(Date.now() - startedAt >= 80);
});

test('client paths cannot reach outside the root', async (t) => {
  const server = await started(t);
  const secret = `${server.root}-secret.txt`;
  writeFileSync(secret, 'secret');
  t.after(async () => rmSync(secret, { force: true }));
  mkdirSync(join(server.root, 'in'));
  writeFileSync(join(server.root, 'in', 'a.csv'), 'a');
  const client = await connected(t, server);
  const outside = `/../${basename(secret)}`;

  await assert.rejects(client.get(outside), { code: 3 });
  await assert.rejects(client.get(`../${basename(secret)}`), { code: 3 });
  await assert.rejects(client.stat(`/in/../..${outside}`), { code: 3 });
  await assert.rejects(client.list('/..'), { code: 3 });
  await assert.rejects(client.put(Buffer.from('x'), '/../escaped.txt'), { code: 3 });
  assert.equal(existsSync(join(server.root, '..', 'escaped.txt')), false);
  await assert.rejects(client.rename('/in/a.csv', outside), { code: 3 });
  await assert.rejects(client.rmdir('/'), { code: 3 });
  assert.equal(readFileSync(secret, 'utf8'), 'secret');
  assert.equal((await download(client, '/in/../in/./a.csv')).toString(), 'a');
  assert.equal(await client.realPath('/in/..'), '/');
});

test('a server limited to legacy algorithms takes only clients that offer them', async (t) => {
  const server = await started(t, {
    hostKeyType: 'rsa',
    algorithms: { kex: ['diffie-hellman-group14-sha1'], serverHostKey: ['ssh-rsa'], cipher: ['aes128-cbc'], hmac: ['hmac-sha1'] },
  });
  await assert.rejects(
    quietClient().connect({ host: server.host, port: server.port, username: server.user, password: server.password }),
    /no matching/i,
  );

  const client = quietClient();
  const offered: Buffer[] = [];
  let negotiated: NegotiatedAlgorithms | undefined;
  client.on('handshake', (algorithms: NegotiatedAlgorithms) => {
    negotiated = algorithms;
  });
  await client.connect({
    host: server.host,
    port: server.port,
    username: server.user,
    password: server.password,
    algorithms: { kex: ['diffie-hellman-group14-sha1'], serverHostKey: ['ssh-rsa'], cipher: ['aes128-cbc'], hmac: ['hmac-sha1'] },
    hostVerifier: (key: Buffer) => offered.push(key) > 0,
  });
  t.after(() => client.end());
  assert.deepEqual(await client.list('/'), []);
  assert.equal(negotiated?.kex, 'diffie-hellman-group14-sha1');
  assert.equal(negotiated?.serverHostKey, 'ssh-rsa');
  assertFingerprint(server, offered, 'ssh-rsa');
});

test('openConnections counts live clients and close() disconnects them', async (t) => {
  const server = await startSftpServer();
  const root = server.root;
  const first = await connected(t, server);
  const second = await connected(t, server);
  assert.equal(server.openConnections(), 2);
  await first.end();
  await until(() => server.openConnections() === 1, 'the first client to leave');

  const ended = new Promise<void>((resolve) => second.on('close', () => resolve()));
  await server.close();
  await ended;
  assert.equal(server.openConnections(), 0);
  assert.equal(existsSync(root), false);
});
