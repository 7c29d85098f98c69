import assert from 'node:assert/strict';
import { appendFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { test } from 'node:test';
import { Client, FTPError, type FTPContext } from 'basic-ftp';
import { connectForPassiveTransfer, parsePasvResponse } from 'basic-ftp/dist/transfer.js';
import { startFtpServer, type FtpTestServer, type FtpTestServerOptions } from '../../support/ftp-server.js';

type After = { after: (fn: () => Promise<void> | void) => void };

async function started(t: After, options?: FtpTestServerOptions): Promise<FtpTestServer> {
  const server = await startFtpServer(options);
  t.after(() => server.close());
  return server;
}

async function connected(t: After, server: FtpTestServer, client = new Client(5_000)): Promise<Client> {
  t.after(() => client.close());
  const secure = server.tls === 'none' ? false : server.tls === 'implicit' ? 'implicit' : true;
  await client.access({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    secure,
    secureOptions: server.certPem === undefined ? undefined : { ca: server.certPem },
  });
  return client;
}

async function download(client: Client, path: string, received: Buffer[] = []): Promise<Buffer> {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      received.push(chunk);
      done();
    },
  });
  await client.downloadTo(sink, path);
  return Buffer.concat(received);
}

function upload(client: Client, data: string | Buffer, path: string): Promise<unknown> {
  return client.uploadFrom(Readable.from([Buffer.from(data)]), path);
}

function ftpCode(error: unknown): number | undefined {
  return error instanceof FTPError ? error.code : undefined;
}

test('serves its root folder: list, upload, download, rename, delete, mkdir, with LIST but no MLSD', async (t) => {
  const server = await started(t);
  assert.equal(server.host, '127.0.0.1');
  assert.ok(server.port > 0);
  assert.equal(server.tls, 'none');
  assert.equal(server.certPem, undefined);
  await writeFile(join(server.root, 'orders.csv'), 'id;qty\n1;2\n');
  const client = await connected(t, server);

  const features = await client.features();
  assert.equal(features.has('MLST'), false, 'ftp-srv 4.6 offers no MLSD, so clients use LIST');
  assert.ok(features.has('SIZE') && features.has('MDTM'));

  const [entry] = await client.list('/');
  assert.equal(entry?.name, 'orders.csv');
  assert.equal(entry?.size, 11);
  assert.equal(entry?.isFile, true);
  assert.match(entry?.rawModifiedAt ?? '', /^[A-Z][a-z]{2} \d{2} \d{2}:\d{2}$/, 'a recent file is listed without year or seconds');
  assert.equal((await client.lastMod('/orders.csv')).getUTCFullYear(), new Date().getUTCFullYear());

  assert.equal((await download(client, '/orders.csv')).toString(), 'id;qty\n1;2\n');

  await client.ensureDir('/out/2024');
  await upload(client, 'result', '/out/2024/.result.csv.part');
  await client.rename('/out/2024/.result.csv.part', '/out/2024/result.csv');
  assert.equal(await readFile(join(server.root, 'out/2024/result.csv'), 'utf8'), 'result');
  assert.deepEqual((await client.list('/out/2024')).map((e) => e.name), ['result.csv']);

  await client.remove('/orders.csv');
  assert.deepEqual((await client.list('/')).map((e) => `${e.name} ${e.isDirectory}`), ['out true']);

  assert.ok(server.log.includes(`USER ${server.user}`));
  assert.ok(server.log.includes('PASS ********'), 'the password never reaches the log');
  assert.ok(server.log.includes('RNFR /out/2024/.result.csv.part'));
  assert.ok(server.log.includes('RNTO /out/2024/result.csv'));
  assert.ok(server.log.includes('DELE /orders.csv'));
  assert.equal(server.openConnections(), 1);
});

test('refuses a wrong password and keeps no folder behind after close', async (t) => {
  const server = await startFtpServer();
  const client = new Client(5_000);
  t.after(() => client.close());
  await assert.rejects(
    client.access({ host: server.host, port: server.port, user: server.user, password: 'wrong' }),
    (error: unknown) => ftpCode(error) === 530,
  );
  await server.close();
  await assert.rejects(stat(server.root), { code: 'ENOENT' });
});

test('cutRetrAfterBytes tears down the next download after n bytes, once', async (t) => {
  const server = await started(t);
  const content = Buffer.alloc(256 * 1024, 'x');
  await writeFile(join(server.root, 'big.csv'), content);
  const client = await connected(t, server);

  server.faults.cutRetrAfterBytes = 10_000;
  const received: Buffer[] = [];
  await assert.rejects(download(client, '/big.csv', received), (error: unknown) => ftpCode(error) === 551);
  assert.equal(Buffer.concat(received).length, 10_000);
  assert.equal(server.faults.cutRetrAfterBytes, undefined);
  assert.ok(server.log.includes('FAULT cut RETR /big.csv after 10000 bytes'));

  assert.deepEqual(await download(client, '/big.csv'), content, 'the same connection downloads it whole next time');
});

test('failRename refuses matching renames with 550 and leaves the file where it was', async (t) => {
  const server = await started(t);
  await writeFile(join(server.root, 'a.csv'), 'a');
  const client = await connected(t, server);
  const asked: string[] = [];
  server.faults.failRename = (from, to) => {
    asked.push(`${from} -> ${to}`);
    return to.startsWith('/processed/');
  };
  await client.ensureDir('/processed');
  await client.cd('/');

  await assert.rejects(client.rename('a.csv', 'processed/a.csv'), (error: unknown) => ftpCode(error) === 550);
  assert.deepEqual(asked, ['/a.csv -> /processed/a.csv'], 'the hook sees absolute paths');
  assert.equal(await readFile(join(server.root, 'a.csv'), 'utf8'), 'a');

  await client.rename('a.csv', 'b.csv');
  assert.equal(await readFile(join(server.root, 'b.csv'), 'utf8'), 'a');
  assert.ok(server.log.includes('FAULT refused rename /a.csv /processed/a.csv'));
});

test('renames overwrite by default; renameOverwrites=false refuses RNTO onto an existing file', async (t) => {
  const server = await started(t);
  await writeFile(join(server.root, 'new.csv'), 'new');
  await writeFile(join(server.root, 'old.csv'), 'old');
  const client = await connected(t, server);

  server.faults.renameOverwrites = false;
  await assert.rejects(client.rename('/new.csv', '/old.csv'), (error: unknown) => ftpCode(error) === 550);
  assert.equal(await readFile(join(server.root, 'old.csv'), 'utf8'), 'old');

  server.faults.renameOverwrites = true;
  await client.rename('/new.csv', '/old.csv');
  assert.equal(await readFile(join(server.root, 'old.csv'), 'utf8'), 'new');
});

test('beforeRetr lets a test remove or grow the file between LIST and RETR', async (t) => {
  const server = await started(t);
  await mkdir(join(server.root, 'in'));
  await writeFile(join(server.root, 'in/grows.csv'), 'line1\n');
  await writeFile(join(server.root, 'in/vanishes.csv'), 'x');
  const client = await connected(t, server);
  assert.deepEqual((await client.list('/in')).map((e) => `${e.name}:${e.size}`).sort(), ['grows.csv:6', 'vanishes.csv:1']);

  const seen: string[] = [];
  server.faults.beforeRetr = (path) => {
    seen.push(path);
    return path === '/in/vanishes.csv'
      ? rm(join(server.root, 'in/vanishes.csv'))
      : appendFile(join(server.root, 'in/grows.csv'), 'line2\n');
  };
  await assert.rejects(download(client, '/in/vanishes.csv'), (error: unknown) => ftpCode(error) === 551);
  assert.equal((await download(client, 'in/grows.csv')).toString(), 'line1\nline2\n');
  assert.deepEqual(seen, ['/in/vanishes.csv', '/in/grows.csv']);
});

function peerFingerprint(client: Client): string {
  return (client.ftp.socket as TLSSocket).getPeerCertificate().fingerprint256;
}

for (const mode of ['explicit', 'implicit'] as const) {
  test(`${mode} FTPS with the self-signed certificate pinned as CA: control and data over TLS`, async (t) => {
    const server = await started(t, { tls: mode });
    assert.equal(server.tls, mode);
    assert.match(server.certPem ?? '', /^-----BEGIN CERTIFICATE-----/);
    assert.match(server.certFingerprint ?? '', /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

    const client = await connected(t, server);
    assert.equal(peerFingerprint(client), server.certFingerprint);
    await upload(client, 'secret rows', '/s.csv');
    assert.deepEqual((await client.list('/')).map((e) => e.name), ['s.csv']);
    assert.equal((await download(client, '/s.csv')).toString(), 'secret rows');
    assert.equal(server.log.includes('AUTH TLS'), mode === 'explicit');

    const untrusting = new Client(5_000);
    t.after(() => untrusting.close());
    await assert.rejects(
      untrusting.access({ host: server.host, port: server.port, user: server.user, password: server.password, secure: mode === 'implicit' ? 'implicit' : true }),
      { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
    );
  });
}

/** PASV, then connect to the port it names on the host of the control connection, whatever address it names. */
async function passiveToControlHost(ftp: FTPContext): Promise<Awaited<ReturnType<FTPContext['request']>>> {
  const res = await ftp.request('PASV');
  const { port } = parsePasvResponse(res.message);
  const host = ftp.socket.remoteAddress;
  if (host === undefined) throw new Error('control connection is closed');
  await connectForPassiveTransfer(host, port, ftp);
  return res;
}

test('pasvAddress announces a foreign address in 227 while listening on 127.0.0.1 (EPSV then off)', async (t) => {
  const server = await started(t, { pasvAddress: '10.255.255.1' });
  await writeFile(join(server.root, 'a.csv'), 'a');

  // basic-ftp's default strategy refuses a PASV host other than the control host, before connecting.
  const strict = await connected(t, server);
  await assert.rejects(strict.list('/'), /PASV returned another host \(10\.255\.255\.1\)/);
  assert.ok(server.log.includes('EPSV') && server.log.includes('PASV'), 'EPSV is refused, so the client falls back to PASV');

  // What ferry needs: take only the port from 227 and use the control connection's host.
  const ignoring = await connected(t, server);
  ignoring.prepareTransfer = passiveToControlHost;
  assert.deepEqual((await ignoring.list('/')).map((e) => e.name), ['a.csv']);
  assert.equal((await download(ignoring, '/a.csv')).toString(), 'a');
});

test('a loopback pasvAddress is replaced by the control host in basic-ftp, and refused when connected to', async (t) => {
  const server = await started(t, { pasvAddress: '127.0.0.2' });
  await writeFile(join(server.root, 'a.csv'), 'a');
  const client = await connected(t, server);
  assert.deepEqual((await client.list('/')).map((e) => e.name), ['a.csv']);

  const naive = await connected(t, server);
  naive.prepareTransfer = async (ftp) => {
    const res = await ftp.request('PASV');
    const { host, port } = parsePasvResponse(res.message);
    await connectForPassiveTransfer(host, port, ftp);
    return res;
  };
  await assert.rejects(naive.list('/'), /ECONNREFUSED 127\.0\.0\.2/);
});
