/**
 * Benchmark case: ferry's own remote file system reading one file from a real server, streamed
 * into a local file the way the pipeline's download does (`fs.read()` piped to a write stream).
 *
 * `node case-remote-read.js <connection.json> <get|connect> <remote path> [local file]`
 *
 * The connection file holds an `SftpConnection` or `FtpConnection` (secrets as values). `get`
 * downloads and reports the bytes written as its row count; `connect` only connects, logs in and
 * stats the file (reporting its size), so that the parent can subtract the connection set-up from
 * `get` the same way it does for OpenSSH's `sftp` and curl. Both close the file system at the end.
 */
import { createWriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';

import type { FtpConnection, SftpConnection } from '../../src/profiles/connection-schema.js';
import { createFtpFs } from '../../src/remote/ftp/ftp-fs.js';
import { createSftpFs } from '../../src/remote/sftp/sftp-fs.js';
import type { RemoteFs } from '../../src/remote/types.js';
import { runCase } from './case-runtime.js';

type RemoteConnection = SftpConnection | FtpConnection;

function isConnection(value: unknown): value is RemoteConnection {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as Record<string, unknown>).type;
  return type === 'sftp' || type === 'ftp' || type === 'ftps' || type === 'ftps-implicit';
}

/** One connection is all a single download needs; a bigger pool would only open idle ones. */
function openFs(connection: RemoteConnection): RemoteFs {
  return connection.type === 'sftp'
    ? createSftpFs(connection, { maxConnections: 1 })
    : createFtpFs(connection, { maxConnections: 1 });
}

async function download(fs: RemoteFs, remotePath: string, localPath: string): Promise<number> {
  await pipeline(await fs.read(remotePath), createWriteStream(localPath, { highWaterMark: 1 << 20 }));
  return (await stat(localPath)).size;
}

async function connectOnly(fs: RemoteFs, remotePath: string): Promise<number> {
  const entry = await fs.stat(remotePath);
  if (entry === undefined) throw new Error(`${fs.label}: ${remotePath} does not exist`);
  return entry.size;
}

runCase(async (connectionFile, args) => {
  const [mode, remotePath, localPath] = args;
  if ((mode !== 'get' && mode !== 'connect') || remotePath === undefined || (mode === 'get' && localPath === undefined)) {
    throw new Error('usage: case-remote-read.js <connection.json> <get|connect> <remote path> [local file]');
  }
  const parsed: unknown = JSON.parse(await readFile(connectionFile, 'utf8'));
  if (!isConnection(parsed)) throw new Error(`${connectionFile} holds no sftp/ftp/ftps connection`);
  const fs = openFs(parsed);
  try {
    return mode === 'get' && localPath !== undefined ? await download(fs, remotePath, localPath) : await connectOnly(fs, remotePath);
  } finally {
    await fs.close();
  }
});
