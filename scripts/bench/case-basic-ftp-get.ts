/**
 * Benchmark case: basic-ftp on its own (`Client.downloadTo` a file write stream), without ferry's
 * file system around it. It is the floor for ferry's plain-FTP download: the part of the gap to
 * curl that this case shares is the library's and Node's, not ferry's.
 *
 * `node case-basic-ftp-get.js <connection.json> <get|connect> <remote path> [local file]`
 *
 * Takes the same connection file as case-remote-read.js (plain FTP only). `connect` logs in and
 * asks SIZE; `get` downloads and reports the bytes written.
 */
import { createWriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';

import { Client } from 'basic-ftp';

import { runCase } from './case-runtime.js';

interface PlainFtp {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

function isPlainFtp(value: unknown): value is PlainFtp {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return r.type === 'ftp' && typeof r.host === 'string' && typeof r.port === 'number' && typeof r.user === 'string' && typeof r.password === 'string';
}

runCase(async (connectionFile, args) => {
  const [mode, remotePath, localPath] = args;
  if ((mode !== 'get' && mode !== 'connect') || remotePath === undefined || (mode === 'get' && localPath === undefined)) {
    throw new Error('usage: case-basic-ftp-get.js <connection.json> <get|connect> <remote path> [local file]');
  }
  const parsed: unknown = JSON.parse(await readFile(connectionFile, 'utf8'));
  if (!isPlainFtp(parsed)) throw new Error(`${connectionFile} holds no plain FTP connection with a password`);
  const client = new Client();
  try {
    await client.access({ host: parsed.host, port: parsed.port, user: parsed.user, password: parsed.password, secure: false });
    if (mode === 'get' && localPath !== undefined) {
      await client.downloadTo(createWriteStream(localPath, { highWaterMark: 1 << 20 }), remotePath);
      return (await stat(localPath)).size;
    }
    return await client.size(remotePath);
  } finally {
    client.close();
  }
});
