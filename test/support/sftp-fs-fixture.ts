/**
 * Helpers for the SFTP file system tests: servers and file systems that are closed after each
 * test, a relay that plays a server dying and coming back, and small assertions.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, connect, type Server, type Socket, type AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';

import { pino } from 'pino';

import { FerryError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { SftpConnection } from '../../src/profiles/connection-schema.js';
import { createSftpFs } from '../../src/remote/sftp/sftp-fs.js';
import type { RemoteFs, RemoteHealth } from '../../src/remote/types.js';
import { startSftpServer, type SftpTestServer } from './sftp-server.js';

/** What {@link createSftpFs} returns. */
export type Fs = RemoteFs & { health(): RemoteHealth };

const cleanups: Array<() => Promise<void>> = [];

/** Runs `fn` at the end of the current test (see {@link runCleanups}). */
export function defer(fn: () => Promise<void>): void {
  cleanups.push(fn);
}

/** For `afterEach`: closes what the test opened, last first. */
export async function runCleanups(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
}

/** An in-process SFTP server, closed after the test. */
export async function server(options?: Parameters<typeof startSftpServer>[0]): Promise<SftpTestServer> {
  const s = await startSftpServer(options);
  defer(() => s.close());
  return s;
}

/** A connection to an in-process server: password login and its pinned host key. */
export function conn(s: SftpTestServer, extra: Partial<SftpConnection> = {}): SftpConnection {
  return { type: 'sftp', host: s.host, port: s.port, user: s.user, password: s.password, hostKey: s.hostKeyFingerprint, ...extra };
}

/** An SFTP file system, closed after the test. */
export function open(c: SftpConnection, options?: Parameters<typeof createSftpFs>[1]): Fs {
  const fs = createSftpFs(c, options);
  defer(() => fs.close());
  return fs;
}

export async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The FerryError a promise rejects with. */
export async function failure(p: Promise<unknown>): Promise<FerryError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof FerryError, `expected a FerryError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a failure');
}

export function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** A TCP relay on a fixed port that can be stopped and started again, playing a server that dies and comes back. */
export async function relay(targetPort: number): Promise<{ readonly port: number; stop(): Promise<void>; start(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let listener: Server | undefined;
  let port = 0;
  const start = (): Promise<void> => new Promise((ok) => {
    listener = createServer((client) => {
      const upstream = connect(targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => {
          sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    listener.listen(port, '127.0.0.1', () => {
      port = (listener?.address() as AddressInfo).port;
      ok();
    });
  });
  const stop = (): Promise<void> => new Promise((ok) => {
    for (const s of sockets) s.destroy();
    if (listener === undefined) ok();
    else listener.close(() => ok());
  });
  await start();
  defer(stop);
  return { get port() { return port; }, stop, start };
}

/** A logger that keeps its warning lines. */
export function capturingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: pino<never>({ level: 'warn' }, { write: (line: string) => lines.push(line) }), lines };
}
