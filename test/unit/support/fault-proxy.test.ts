import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import SftpClient from 'ssh2-sftp-client';
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy.js';
import { startSftpServer, type SftpTestServer } from '../../support/sftp-server.js';

type TestContext = { after: (fn: () => Promise<unknown>) => void };

async function serverBehindProxy(t: TestContext): Promise<{ server: SftpTestServer; proxy: FaultProxy }> {
  const server = await startSftpServer();
  t.after(() => server.close());
  const proxy = await startFaultProxy(server.port);
  t.after(() => proxy.close());
  return { server, proxy };
}

function connect(t: TestContext, server: SftpTestServer, proxy: FaultProxy, readyTimeout = 5000): Promise<SftpClient> {
  const client = new SftpClient('test', { error: () => undefined, end: () => undefined, close: () => undefined });
  t.after(() => client.end().catch(() => false));
  const options = { host: '127.0.0.1', port: proxy.port, username: server.user, password: server.password, readyTimeout };
  return client.connect(options).then(() => client);
}

test('forwards a whole session to the target', async (t) => {
  const { server, proxy } = await serverBehindProxy(t);
  writeFileSync(join(server.root, 'a.csv'), 'a;b\n');
  const client = await connect(t, server, proxy);
  assert.equal(String(await client.get('/a.csv')), 'a;b\n');
});

test('cutAfterBytes cuts the next connection once that many bytes reached the client', async (t) => {
  const { server, proxy } = await serverBehindProxy(t);
  writeFileSync(join(server.root, 'big.csv'), Buffer.alloc(300_000, 'z'));

  proxy.cutAfterBytes(100);
  await assert.rejects(connect(t, server, proxy));

  proxy.cutAfterBytes(100_000);
  const client = await connect(t, server, proxy);
  await assert.rejects(client.get('/big.csv'));

  const again = await connect(t, server, proxy);
  const data = await again.get('/big.csv');
  assert.ok(Buffer.isBuffer(data));
  assert.equal(data.length, 300_000);
});

test('blackhole stalls new and open connections until it is switched off', async (t) => {
  const { server, proxy } = await serverBehindProxy(t);
  const client = await connect(t, server, proxy);

  proxy.blackhole(true);
  await assert.rejects(connect(t, server, proxy, 300), /Timed out/);
  const listing = client.list('/');
  const first = await Promise.race([listing.then(() => 'answered'), new Promise((resolve) => setTimeout(resolve, 200, 'stalled'))]);
  assert.equal(first, 'stalled');

  proxy.blackhole(false);
  assert.deepEqual(await listing, []);
  await connect(t, server, proxy);
});
