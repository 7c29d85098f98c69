import type { FileInfo } from 'basic-ftp';
import { posix } from 'node:path';
import { Readable } from 'node:stream';

import { FerryError, InputError, TransientError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { FtpConnection } from '../../profiles/connection-schema.js';
import { durationMs } from '../../profiles/schema-helpers.js';
import { checkRemotePath, tempNameFor } from '../remote-path.js';
import type { RemoteEntry, RemoteFs, RemoteHealth } from '../types.js';
import { openSession, type FtpSession, type FtpSettings } from './ftp-connect.js';
import { failDownload, startDownload } from './ftp-download.js';
import { isConnectionFailure, isFtpReply, replyCode, toFerryError } from './ftp-errors.js';
import { parseMlstReply, safeParseList, toEntries, toEntry } from './ftp-listing.js';
import { FtpPool } from './ftp-pool.js';
import { normalizeFingerprint } from './ftp-tls.js';

/** Tuning of {@link createFtpFs}; the defaults suit a daemon. */
export interface FtpFsOptions {
  /** simultaneous connections (default: the connection's `maxConnections`, else 2) */
  maxConnections?: number;
  log?: Logger;
  /** refuse a single folder listing larger than this (default 40 MiB, basic-ftp's own cap) */
  maxListingBytes?: number;
  /** first wait before reconnecting after a failed attempt, doubling up to `backoffMaxMs` (defaults 500 ms, 30 s) */
  backoffMs?: number;
  backoffMaxMs?: number;
  /** close a connection unused for this long (default 60 s) */
  idleMs?: number;
}

const DEFAULT_PORT = { ftp: 21, ftps: 21, 'ftps-implicit': 990 } as const;

/**
 * An FTP or FTPS server (explicit AUTH TLS or implicit TLS) as a RemoteFs, on a pool of basic-ftp
 * clients. Data connections always go to the control connection's host unless `usePasvAddress`.
 * Timestamps come only from MLSD/MLST; on servers that only speak LIST `mtimeMs` is undefined and
 * stability checks rest on the size. `read` streams a RETR; the caller spools it to a local file
 * and compares the byte count with the listed size, because a data connection closed early looks
 * like a complete file to some servers. Errors are ferry errors naming the server, never the password.
 */
export function createFtpFs(connection: FtpConnection, options: FtpFsOptions = {}): RemoteFs & { health(): RemoteHealth } {
  if (connection.type === 'ftp' && connection.insecure !== true) {
    throw new InputError('E_PROFILE_INVALID', 'plain FTP sends the password unencrypted; use ftps, or set insecure: true to accept that');
  }
  const port = connection.port ?? DEFAULT_PORT[connection.type];
  const label = `${connection.type}://${connection.user ?? 'anonymous'}@${connection.host}:${port}`;
  const log = options.log;
  const secret = connection.password;
  const settings: FtpSettings = {
    label,
    host: connection.host,
    port,
    user: connection.user,
    password: connection.password,
    tls: connection.type === 'ftp' ? 'none' : connection.type === 'ftps' ? 'explicit' : 'implicit',
    ca: connection.ca,
    trust: { label, pin: connection.certFingerprint === undefined ? undefined : normalizeFingerprint(connection.certFingerprint) },
    usePasvAddress: connection.usePasvAddress === true,
    timeoutMs: connection.timeout === undefined ? 30_000 : durationMs(connection.timeout),
    maxListingBytes: options.maxListingBytes ?? 40 * 1024 * 1024,
  };
  const mapError = (err: unknown, what: string): FerryError => toFerryError(err, label, what, secret);
  const pool = new FtpPool({
    label,
    max: options.maxConnections ?? connection.maxConnections ?? 2,
    open: () => openSession(settings),
    mapError,
    backoffMs: options.backoffMs ?? 500,
    backoffMaxMs: options.backoffMaxMs ?? 30_000,
    idleMs: options.idleMs ?? 60_000,
    log,
  });
  if (connection.type === 'ftp') log?.warn({ connection: label }, 'plain FTP: the password and the files travel unencrypted');

  const warned = new Set<string>();
  const skipName = (dir: string) => (name: string): void => {
    if (warned.has(name) || warned.size >= 1000) return;
    warned.add(name);
    log?.warn({ connection: label, dir, name: JSON.stringify(name) }, 'skipping a remote name with a line break, NUL or slash');
  };

  const listInfos = async (s: FtpSession, dir: string): Promise<FileInfo[]> => {
    s.client.parseList = (raw) => safeParseList(raw, skipName(dir));
    try {
      return await s.client.list(dir);
    } catch (err) {
      // like a local folder that does not exist: nothing to take (vsftpd answers an empty 226 anyway,
      // some servers a 450/451 that says ENOENT or "no such file")
      const code = replyCode(err);
      if (code === 550 || ((code === 450 || code === 451) && /ENOENT|no such file/i.test(err instanceof Error ? err.message : ''))) return [];
      throw err;
    }
  };

  const statWith = async (s: FtpSession, path: string): Promise<RemoteEntry | undefined> => {
    if (s.mlst) {
      const res = await s.client.sendIgnoringError(`MLST ${await s.client.protectWhitespace(path)}`);
      if (res.code === 550) return undefined;
      const info = res.code < 400 ? parseMlstReply(res.message) : undefined;
      if (info !== undefined) return toEntry(path, info);
    }
    const name = posix.basename(path);
    if (name === '' || name === '/' || posix.normalize(path) === '/') return { name: '/', path, type: 'dir', size: 0, mtimeMs: undefined };
    const info = (await listInfos(s, posix.dirname(path))).find((i) => i.name === name);
    return info === undefined ? undefined : toEntry(path, info);
  };

  const renameError = (err: unknown, from: string, to: string): FerryError =>
    isFtpReply(err) ? new TransientError('E_REMOTE_RENAME', `${label}: renaming ${from} to ${to} refused: ${err.message}`) : mapError(err, `renaming ${from}`);

  /**
   * Renames onto `to`. A server that will not rename onto an existing file gets the old file moved
   * aside first and deleted only once the new one is in place; if that rename fails too, the old
   * file is moved back, so a refused upload never costs the customer the previous file.
   */
  const renameReplacing = async (s: FtpSession, from: string, to: string): Promise<void> => {
    try {
      await s.client.rename(from, to);
      return;
    } catch (err) {
      if (!isFtpReply(err) || (await statWith(s, to)) === undefined) throw renameError(err, from, to);
    }
    const aside = `${tempNameFor(to)}-old`;
    await s.client.remove(aside, true);
    await s.client.rename(to, aside).catch((err: unknown) => {
      throw renameError(err, to, aside);
    });
    try {
      await s.client.rename(from, to);
    } catch (err) {
      await s.client.rename(aside, to).catch(() => {
        log?.error({ connection: label, path: to, movedTo: aside }, 'could not move the previous file back after a failed replace');
      });
      throw renameError(err, from, to);
    }
    const removed = await s.client.remove(aside, true);
    if (removed.code >= 400) log?.warn({ connection: label, path: aside }, 'could not delete the replaced file');
  };

  const openRead = async (path: string, signal: AbortSignal | undefined, attempt = 1): Promise<Readable> => {
    const session = await pool.acquire(signal);
    // a reused connection the server had dropped while idle: once more on a fresh one
    const reused = session.uses > 0;
    const retriable = (e: Error): boolean => reused && attempt === 1 && e instanceof FerryError && e.code === 'E_REMOTE_UNAVAILABLE';
    const download = startDownload(session, path);
    let streaming = false;
    void download.firstBytes.then(() => {
      streaming = true;
    });
    const abort = (): void => session.client.close();
    signal?.addEventListener('abort', abort, { once: true });
    const outcome = download.done.then(
      () => {
        pool.release(session, true);
        pool.noteOk();
        return undefined;
      },
      (err: unknown) => {
        pool.release(session, isFtpReply(err) && !session.client.closed);
        const e = signal?.aborted === true ? coerceAbort(signal.reason) : mapError(err, `reading ${path}`);
        if (e instanceof FerryError && isConnectionFailure(e) && !(retriable(e) && !streaming)) pool.noteDown(e);
        failDownload(download.stream, e);
        return e;
      },
    ).finally(() => signal?.removeEventListener('abort', abort));
    const failed = await Promise.race([download.firstBytes, outcome]);
    if (failed === undefined) return download.stream;
    if (retriable(failed)) return openRead(path, signal, 2);
    // servers answer a missing file with 550, 551 or 450; only a listing says whether it is gone
    if (failed instanceof FerryError && failed.code === 'E_IO') {
      const entry = await pool.run(`stat of ${path}`, (s) => statWith(s, path), signal).catch(() => null);
      if (entry === undefined) throw new InputError('E_REMOTE_NOT_FOUND', `${label}: cannot read ${path}: it does not exist (${failed.message})`);
    }
    throw failed;
  };

  return {
    label,
    async list(dir, signal) {
      checkRemotePath(dir);
      const infos = await pool.run(`listing ${dir}`, (s) => listInfos(s, dir), signal);
      return toEntries(dir, infos, skipName(dir));
    },
    async stat(path, signal) {
      checkRemotePath(path);
      return pool.run(`stat of ${path}`, (s) => statWith(s, path), signal);
    },
    async read(path, signal) {
      checkRemotePath(path);
      return openRead(path, signal);
    },
    async write(path, data, signal) {
      checkRemotePath(path);
      const temp = tempNameFor(path);
      let tempLeft = false;
      try {
        await pool.run(`uploading ${path}`, async (s) => {
          tempLeft = true;
          await s.client.uploadFrom(Buffer.isBuffer(data) ? Readable.from([data]) : data, temp);
          await renameReplacing(s, temp, path);
          tempLeft = false;
        }, signal, false);
      } catch (err) {
        if (tempLeft) {
          await pool.run(`removing ${temp}`, (s) => s.client.remove(temp, true), undefined, true).catch(() => undefined);
        }
        throw err;
      }
    },
    async rename(from, to, signal) {
      checkRemotePath(from);
      checkRemotePath(to);
      await pool.run(`renaming ${from}`, async (s) => {
        await s.client.rename(from, to).catch((err: unknown) => {
          throw renameError(err, from, to);
        });
      }, signal, false);
    },
    async remove(path, signal) {
      checkRemotePath(path);
      await pool.run(`deleting ${path}`, async (s) => {
        try {
          await s.client.remove(path);
        } catch (err) {
          // already gone is fine, as with a local `rm -f`
          if (replyCode(err) !== 550 || (await statWith(s, path)) !== undefined) throw err;
        }
      }, signal);
    },
    async mkdirp(dir, signal) {
      checkRemotePath(dir);
      await pool.run(`creating ${dir}`, (s) => ensureDir(s, dir), signal);
    },
    async close() {
      pool.close();
    },
    health: () => pool.health(),
  };
}

function coerceAbort(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

/** Creates `dir` and its parents, then goes back home: later relative paths must resolve from there. */
async function ensureDir(s: FtpSession, dir: string): Promise<void> {
  try {
    await s.client.ensureDir(dir);
  } finally {
    await s.client.cd(s.home).catch((err: unknown) => {
      // a client stuck in another folder must not be reused
      s.client.close();
      throw err;
    });
  }
}
