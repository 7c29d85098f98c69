import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, it } from 'node:test';

import { startFaultProxy } from '../../support/fault-proxy.js';
import { bytesOf, conn, defer, failure, open, relay, runCleanups, server, sha } from '../../support/sftp-fs-fixture.js';

afterEach(runCleanups);

describe('SFTP faults', () => {
  it('errors the read stream when the connection is cut, and reconnects on the next call', async () => {
    const s = await server();
    const data = randomBytes(1024 * 1024);
    await writeFile(join(s.root, 'big.bin'), data);
    const fs = open(conn(s));
    s.faults.cutReadAfterBytes = 300_000;
    const stream = await fs.read('/big.bin');
    let got = 0;
    const err = await failure((async () => {
      for await (const chunk of stream) got += (chunk as Buffer).length;
    })());
    assert.equal(err.code, 'E_REMOTE_UNAVAILABLE');
    assert.ok(got <= 300_000);
    assert.equal(sha(await bytesOf(await fs.read('/big.bin'))), sha(data));
  });

  it('ends the stream short, without an error, when the server answers EOF early (the caller checks the size)', async () => {
    const s = await server();
    await writeFile(join(s.root, 'big.bin'), randomBytes(500_000));
    const fs = open(conn(s));
    s.faults.endWithoutErrorAfterBytes = 100_000;
    const listed = await fs.stat('/big.bin');
    const got = await bytesOf(await fs.read('/big.bin'));
    assert.equal(got.length, 100_000);
    assert.notEqual(got.length, listed?.size);
  });

  it('reads a file whole and in order from a server that answers every READ short (10,000 bytes) and out of order', async () => {
    const s = await server();
    const data = randomBytes(3 * 1024 * 1024 + 12_345);
    await writeFile(join(s.root, 'big.bin'), data);
    const fs = open(conn(s), { maxConnections: 1 });
    s.faults.maxReadBytes = 10_000;
    s.faults.readJitterMs = 3;
    assert.equal(sha(await bytesOf(await fs.read('/big.bin'))), sha(data));
    // and an EOF in the middle of such a download still ends it short, without an error
    s.faults.readJitterMs = undefined;
    s.faults.endWithoutErrorAfterBytes = 1_000_000;
    assert.equal((await bytesOf(await fs.read('/big.bin'))).length, 1_000_000);
    s.faults.maxReadBytes = undefined;
    assert.equal((await fs.list('/')).length, 1);
  });

  it('reads a file whole from a server that refuses READs beyond the end (the read-ahead) instead of answering EOF', async () => {
    const s = await server();
    const data = randomBytes(1024 * 1024 + 7);
    await writeFile(join(s.root, 'big.bin'), data);
    const fs = open(conn(s), { maxConnections: 1 });
    s.faults.failReadBeyondEnd = true;
    // the READs sent ahead past the end are refused before the EOF at the end is answered
    assert.equal(sha(await bytesOf(await fs.read('/big.bin'))), sha(data));
    assert.equal((await fs.list('/')).length, 1);
  });

  it('survives the server dying mid-read without an uncaught exception and reconnects once it is back', async () => {
    const s = await server();
    await writeFile(join(s.root, 'slow.bin'), randomBytes(2 * 1024 * 1024));
    await writeFile(join(s.root, 'a.txt'), 'back');
    const r = await relay(s.port);
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown): void => {
      uncaught.push(e);
    };
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
    try {
      const fs = open(conn(s, { port: r.port }), { maxConnections: 2 });
      s.faults.readDelayMs = 20;
      const stream = await fs.read('/slow.bin');
      const idle = await fs.list('/');
      assert.equal(idle.length, 2);
      const reading = failure(bytesOf(stream));
      await sleep(100);
      await r.stop();
      assert.equal((await reading).code, 'E_REMOTE_UNAVAILABLE');
      s.faults.readDelayMs = 0;
      // let the idle connection notice that it is gone too
      await sleep(100);
      const down = await failure(fs.list('/'));
      assert.match(down.message, /cannot connect/);
      assert.equal(down.code, 'E_REMOTE_UNAVAILABLE');
      assert.equal(fs.health().state, 'down');
      assert.ok(fs.health().lastErrorAt !== null);
      // during the backoff calls fail at once, saying when the next attempt is
      const early = await failure(fs.list('/'));
      assert.match(early.message, /next attempt in/);
      await r.start();
      await sleep(500);
      assert.equal((await bytesOf(await fs.read('/a.txt'))).toString(), 'back');
      assert.equal(fs.health().state, 'ok');
      await sleep(50);
      assert.deepEqual(uncaught, []);
    } finally {
      process.off('uncaughtException', onUncaught);
      process.off('unhandledRejection', onUncaught);
    }
  });

  it('reports a refused connection as E_REMOTE_UNAVAILABLE and a silent one as E_REMOTE_TIMEOUT', async () => {
    const s = await server();
    const r = await relay(s.port);
    await r.stop();
    const refused = await failure(open(conn(s, { port: r.port })).list('/'));
    assert.equal(refused.code, 'E_REMOTE_UNAVAILABLE');
    assert.equal(refused.kind, 'transient');
    const accepted = new Set<Socket>();
    const silent = createServer((socket) => {
      accepted.add(socket);
    });
    await new Promise<void>((ok) => silent.listen(0, '127.0.0.1', () => ok()));
    defer(() => new Promise((ok) => {
      for (const socket of accepted) socket.destroy();
      silent.close(() => ok());
    }));
    const started = Date.now();
    const timedOut = await failure(open(conn(s, { port: (silent.address() as AddressInfo).port, timeout: 0.5 })).list('/'));
    assert.equal(timedOut.code, 'E_REMOTE_TIMEOUT');
    assert.ok(Date.now() - started < 3000);
  });

  it('times out a stalled request or download within the timeout and works again once the link heals', async () => {
    const s = await server();
    await writeFile(join(s.root, 'big.bin'), randomBytes(4 * 1024 * 1024));
    const proxy = await startFaultProxy(s.port);
    defer(() => proxy.close());
    const fs = open(conn(s, { port: proxy.port, timeout: 0.5 }), { maxConnections: 1 });
    await fs.list('/');
    proxy.blackhole(true);
    let started = Date.now();
    const stalled = await failure(fs.list('/'));
    assert.equal(stalled.code, 'E_REMOTE_TIMEOUT');
    assert.ok(Date.now() - started < 1500);
    proxy.blackhole(false);
    assert.equal((await fs.list('/')).length, 1);

    s.faults.readDelayMs = 10;
    const stream = await fs.read('/big.bin');
    const reading = failure(bytesOf(stream));
    await sleep(50);
    proxy.blackhole(true);
    started = Date.now();
    assert.equal((await reading).code, 'E_REMOTE_TIMEOUT');
    assert.ok(Date.now() - started < 1500);
    proxy.blackhole(false);
    s.faults.readDelayMs = 0;
    assert.equal((await fs.stat('/big.bin'))?.size, 4 * 1024 * 1024);
  });

  it('ends an aborted download with the abort reason and frees its connection', async () => {
    const s = await server();
    await writeFile(join(s.root, 'big.bin'), randomBytes(2 * 1024 * 1024));
    s.faults.readDelayMs = 10;
    const fs = open(conn(s), { maxConnections: 1 });
    const controller = new AbortController();
    const stream = await fs.read('/big.bin', controller.signal);
    const reading = bytesOf(stream);
    await sleep(30);
    controller.abort(new Error('shutting down'));
    await assert.rejects(reading, /shutting down/);
    s.faults.readDelayMs = 0;
    assert.equal((await fs.list('/')).length, 1);
    assert.equal(s.log.filter((l) => l === 'USERAUTH password').length, 1);
  });

  it('keeps to maxConnections under 10 parallel reads', async () => {
    const s = await server();
    const files = Array.from({ length: 10 }, (_, i) => ({ name: `f${i}.bin`, data: randomBytes(200_000 + i) }));
    for (const f of files) await writeFile(join(s.root, f.name), f.data);
    s.faults.readDelayMs = 5;
    const fs = open(conn(s, { maxConnections: 4 }), { maxConnections: 2 });
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, s.openConnections());
    }, 5);
    try {
      const got = await Promise.all(files.map(async (f) => bytesOf(await fs.read(`/${f.name}`))));
      got.forEach((b, i) => assert.equal(sha(b), sha(files[i]?.data ?? Buffer.alloc(0))));
    } finally {
      clearInterval(sampler);
    }
    assert.equal(peak, 2);
    assert.equal(s.log.filter((l) => l === 'USERAUTH password').length, 2);
  });

  it('refuses paths with line breaks before contacting the server', async () => {
    const s = await server();
    const fs = open(conn(s));
    assert.equal((await failure(fs.list('/in\r\nDELE x'))).code, 'E_REMOTE_NAME');
    assert.equal((await failure(fs.write('/a\u0000b', Buffer.from('x')))).code, 'E_REMOTE_NAME');
    assert.deepEqual(s.log, []);
  });
});

describe('SFTP round trips', () => {
  it('round-trips a 1,000-row file and a 20 MB file with identical bytes', async (t) => {
    const s = await server();
    const fs = open(conn(s));
    const rows = ['id;sku;qty;price'];
    for (let i = 1; i <= 1000; i++) rows.push(`${i};SKU-${String(i).padStart(6, '0')};${i % 17};${(i * 1.25).toFixed(2)}`);
    const csv = Buffer.from(`${rows.join('\r\n')}\r\n`);
    await fs.write('/in/orders.csv', csv);
    assert.equal(sha(await readFile(join(s.root, 'in/orders.csv'))), sha(csv));
    assert.equal(sha(await bytesOf(await fs.read('/in/orders.csv'))), sha(csv));

    const big = randomBytes(20 * 1024 * 1024);
    const chunks = Array.from({ length: 20 }, (_, i) => big.subarray(i * 1024 * 1024, (i + 1) * 1024 * 1024));
    let started = Date.now();
    await fs.write('/in/big.bin', Readable.from(chunks));
    const upSeconds = (Date.now() - started) / 1000;
    assert.equal(sha(await readFile(join(s.root, 'in/big.bin'))), sha(big));
    started = Date.now();
    const back = await bytesOf(await fs.read('/in/big.bin'));
    const downSeconds = (Date.now() - started) / 1000;
    assert.equal(back.length, big.length);
    assert.equal(sha(back), sha(big));
    t.diagnostic(`20 MB in-process server: read ${(20 / downSeconds).toFixed(1)} MB/s, write ${(20 / upSeconds).toFixed(1)} MB/s`);
  });
});
