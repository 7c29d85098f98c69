import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { FerryError } from '../../../src/errors.js';
import type { FtpConnection } from '../../../src/profiles/connection-schema.js';
import { createFtpFs } from '../../../src/remote/ftp/ftp-fs.js';
import { startFaultProxy } from '../../support/fault-proxy.js';
import { startFtpServer, type FtpTestServer } from '../../support/ftp-server.js';

function plain(server: FtpTestServer, port = server.port, timeout = 5): FtpConnection {
  return { type: 'ftp', insecure: true, host: server.host, port, user: server.user, password: server.password, timeout };
}

/** Reads a stream to the end; resolves with the byte count or the error that ended it. */
async function drain(stream: Readable): Promise<number | Error> {
  let n = 0;
  try {
    for await (const chunk of stream) n += (chunk as Buffer).length;
    return n;
  } catch (err) {
    return err as Error;
  }
}

/** A TCP relay to the server's control port that can be killed and started again on the same port. */
class Relay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: number) {}

  async start(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => {
          this.sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    const address = server.address();
    if (address !== null && typeof address === 'object') this.port = address.port;
    this.server = server;
  }

  /** Like a server that died: every connection reset, nothing listening. */
  async kill(): Promise<void> {
    for (const s of this.sockets) s.resetAndDestroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

describe('FTP faults', () => {
  let server: FtpTestServer;
  before(async () => {
    server = await startFtpServer();
    writeFileSync(join(server.root, 'big.csv'), Buffer.alloc(4 << 20, 'b'));
    writeFileSync(join(server.root, 'small.csv'), Buffer.alloc(100_000, 's'));
  });
  after(async () => {
    await server.close();
  });

  it('a RETR cut mid-transfer errors or comes up short of the listed size; the next read is whole', async () => {
    const fs = createFtpFs(plain(server));
    try {
      const [entry] = (await fs.list('/')).filter((e) => e.name === 'small.csv');
      server.faults.cutRetrAfterBytes = 10_000;
      const result = await fs.read('/small.csv').then(drain, (err: Error) => err);
      assert.ok(result instanceof Error || result < (entry?.size ?? 0), `cut transfer gave ${String(result)}`);
      assert.equal(await drain(await fs.read('/small.csv')), 100_000);
    } finally {
      await fs.close();
    }
  });

  it('survives the server dying mid-transfer and reconnects once it is back', async () => {
    const relay = new Relay(server.port);
    await relay.start();
    const fs = createFtpFs(plain(server, relay.port), { backoffMs: 200 });
    try {
      const stream = await fs.read('/big.csv');
      await new Promise((resolve) => stream.once('readable', resolve));
      await relay.kill();
      const cut = await drain(stream);
      assert.ok(cut instanceof FerryError && cut.code === 'E_REMOTE_UNAVAILABLE', `got ${String(cut)}`);
      assert.equal(fs.health().state, 'down');
      await assert.rejects(fs.list('/'), (err) => err instanceof FerryError && err.code === 'E_REMOTE_UNAVAILABLE');
      await relay.start();
      await sleep(450);
      assert.equal(await drain(await fs.read('/big.csv')), 4 << 20);
      const health = fs.health();
      assert.equal(health.state, 'ok');
      assert.match(health.lastError ?? '', /E_REMOTE_UNAVAILABLE/);
    } finally {
      await fs.close();
      await relay.kill();
    }
  });

  it('times out on a control connection that stops answering, then recovers (F08)', async () => {
    const proxy = await startFaultProxy(server.port);
    const fs = createFtpFs(plain(server, proxy.port, 1), { backoffMs: 100 });
    try {
      assert.equal((await fs.list('/')).length, 2);
      proxy.blackhole(true);
      const started = Date.now();
      await assert.rejects(fs.list('/'), (err) => err instanceof FerryError && err.code === 'E_REMOTE_TIMEOUT');
      const took = Date.now() - started;
      assert.ok(took >= 900 && took < 2500, `timed out after ${took} ms`);
      assert.equal(fs.health().state, 'down');
      proxy.blackhole(false);
      await sleep(150);
      assert.equal((await fs.list('/')).length, 2);
      assert.equal(fs.health().state, 'ok');
    } finally {
      await fs.close();
      await proxy.close();
    }
  });

  it('stops a read when its signal aborts and keeps the pool usable', async () => {
    const fs = createFtpFs(plain(server), { maxConnections: 1 });
    try {
      const controller = new AbortController();
      const stream = await fs.read('/big.csv', controller.signal);
      controller.abort();
      const result = await drain(stream);
      assert.ok(result instanceof Error && result.name === 'AbortError', `got ${String(result)}`);
      assert.equal(await text(await fs.read('/small.csv')), 's'.repeat(100_000));
    } finally {
      await fs.close();
    }
  });

  it('closes the connection when the reader gives up early, freeing the slot', async () => {
    const fs = createFtpFs(plain(server), { maxConnections: 1 });
    try {
      const stream = await fs.read('/big.csv');
      stream.destroy();
      assert.equal((await fs.read('/small.csv').then(drain)), 100_000);
    } finally {
      await fs.close();
    }
  });

  it('holds the data connection while a slow reader catches up, longer than the timeout, and lists on the same connection after', async () => {
    const data = Buffer.alloc(6 << 20);
    for (let i = 0; i < data.length; i += 4) data.writeUInt32BE(i, i);
    writeFileSync(join(server.root, 'numbered.bin'), data);
    const fs = createFtpFs(plain(server, server.port, 0.5), { maxConnections: 1 });
    try {
      const stream = await fs.read('/numbered.bin');
      const chunks: Buffer[] = [];
      let stalled = false;
      for await (const chunk of stream) {
        chunks.push(chunk as Buffer);
        if (!stalled) {
          stalled = true;
          // the reader's buffer fills and the socket is paused; the transfer must not time out meanwhile
          await sleep(1500);
        }
      }
      assert.ok(Buffer.concat(chunks).equals(data), 'the bytes arrive whole and in order');
      assert.ok((await fs.list('/')).some((e) => e.name === 'numbered.bin'));
    } finally {
      await fs.close();
    }
  });

  it('reads 20 MB at loopback speed', async (t) => {
    writeFileSync(join(server.root, 'twenty.bin'), Buffer.alloc(20 << 20, 't'));
    const fs = createFtpFs(plain(server));
    try {
      await fs.list('/');
      const started = process.hrtime.bigint();
      assert.equal(await drain(await fs.read('/twenty.bin')), 20 << 20);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      t.diagnostic(`20 MB plain FTP read from ftp-srv: ${(20 / seconds).toFixed(1)} MB/s`);
    } finally {
      await fs.close();
    }
  });
});
