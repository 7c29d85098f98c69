import { posix } from 'node:path';
import type { Readable } from 'node:stream';

import type { Algorithms, FileEntryWithStats } from 'ssh2';

import { FerryError, InputError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { durationMs } from '../../profiles/schema-helpers.js';
import type { SftpConnection } from '../../profiles/connection-schema.js';
import { checkRemotePath, joinRemote } from '../remote-path.js';
import type { RemoteEntry, RemoteFs, RemoteHealth } from '../types.js';
import { connectionLost, operationFailure } from './sftp-errors.js';
import { ConnectionPool } from './sftp-pool.js';
import { openRemoteRead } from './sftp-read.js';
import { makeDirs, readDir, renamePath, statOrUndefined, uploadReplacing, type OpContext } from './sftp-ops.js';
import { openSftpSession, privateKeyLoader, secretsOf, type SessionSettings, type SftpSession } from './sftp-session.js';

/** Options of {@link createSftpFs}. */
export interface SftpFsOptions {
  /** connections at most; default the connection's `maxConnections`, else 2 */
  maxConnections?: number;
  log?: Logger;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_KEEPALIVE_MS = 15_000;
const MAX_WARNED_NAMES = 10_000;

const S_IFMT = 0o170000;
const TYPE_BY_MODE = new Map<number, RemoteEntry['type']>([[0o040000, 'dir'], [0o100000, 'file'], [0o120000, 'link']]);
const TYPE_BY_LONGNAME = new Map<string, RemoteEntry['type']>([['d', 'dir'], ['-', 'file'], ['l', 'link']]);

function entryType(e: FileEntryWithStats): RemoteEntry['type'] {
  const mode: unknown = e.attrs.mode;
  if (typeof mode === 'number') return TYPE_BY_MODE.get(mode & S_IFMT) ?? 'other';
  // a server that leaves out permissions still fills in the `ls -l` style line
  return TYPE_BY_LONGNAME.get(e.longname.charAt(0)) ?? 'other';
}

function mtimeOf(mtime: unknown): number | undefined {
  return typeof mtime === 'number' ? mtime * 1000 : undefined;
}

function labelOf(c: SftpConnection, port: number): string {
  const host = c.host.includes(':') ? `[${c.host}]` : c.host;
  return `sftp://${c.user ?? ''}@${host}:${port}`;
}

/**
 * `algorithms` from the connection replace ssh2's default list of each category they name, in
 * the order given (the first the server also knows is used); categories left out keep ssh2's
 * defaults. So `kex: [diffie-hellman-group14-sha1]` offers exactly that key exchange, which is
 * what an admin enabling a legacy algorithm for one old server means.
 */
function algorithmsOf(c: SftpConnection): Algorithms | undefined {
  const a = c.algorithms;
  if (a === undefined) return undefined;
  const out: Algorithms = {};
  if (a.kex !== undefined) out.kex = a.kex as NonNullable<Algorithms['kex']>;
  if (a.serverHostKey !== undefined) out.serverHostKey = a.serverHostKey as NonNullable<Algorithms['serverHostKey']>;
  if (a.cipher !== undefined) out.cipher = a.cipher as NonNullable<Algorithms['cipher']>;
  if (a.hmac !== undefined) out.hmac = a.hmac as NonNullable<Algorithms['hmac']>;
  return out;
}

/**
 * An SFTP server as a {@link RemoteFs}, with its own pool of connections (ssh2-sftp-client, one
 * client object per connection, never reused). Each operation borrows a connection for its
 * duration; a read stream holds it until the stream ends or fails, so a caller that opens a
 * stream must consume or destroy it before waiting on other operations of the same pool.
 */
export function createSftpFs(connection: SftpConnection, options: SftpFsOptions = {}): RemoteFs & { health(): RemoteHealth } {
  const port = connection.port ?? 22;
  const label = labelOf(connection, port);
  if (connection.user === undefined) throw new InputError('E_PROFILE_INVALID', `${label}: an SFTP connection needs "user"`);
  const settings: SessionSettings = {
    label,
    host: connection.host,
    port,
    user: connection.user,
    password: connection.password,
    privateKey: connection.privateKey,
    passphrase: connection.passphrase,
    hostKey: connection.hostKey,
    key: privateKeyLoader(label, connection.privateKey, connection.passphrase),
    algorithms: algorithmsOf(connection),
    timeoutMs: connection.timeout === undefined ? DEFAULT_TIMEOUT_MS : durationMs(connection.timeout),
    keepaliveMs: connection.keepaliveInterval === undefined ? DEFAULT_KEEPALIVE_MS : durationMs(connection.keepaliveInterval),
  };
  const secrets = secretsOf(settings);
  const log = options.log;
  const pool = new ConnectionPool<SftpSession>({
    label,
    max: options.maxConnections ?? connection.maxConnections ?? 2,
    open: () => openSftpSession(settings),
  });
  const warned = new Set<string>();
  const ctx = (signal: AbortSignal | undefined): OpContext => ({ timeoutMs: settings.timeoutMs, secrets, signal });

  /** Borrows a connection for `fn`; a broken one is dropped, a refused request keeps it. */
  async function withSession<T>(action: string, signal: AbortSignal | undefined, fn: (s: SftpSession) => Promise<T>): Promise<T> {
    const session = await pool.acquire(signal);
    try {
      const value = await fn(session);
      pool.noteOk();
      pool.release(session);
      return value;
    } catch (err) {
      if (session.broken !== undefined) {
        pool.discard(session);
        if (signal?.aborted === true) throw err;
        throw err instanceof FerryError ? err : connectionLost(label, `${action}: ${session.broken.message}`, err);
      }
      pool.noteOk();
      pool.release(session);
      throw operationFailure(label, action, err, secrets);
    }
  }

  function warnSkipped(dir: string, names: string[]): void {
    const fresh = names.filter((n) => !warned.has(`${dir}\u0000${n}`));
    if (fresh.length === 0) return;
    for (const n of fresh) if (warned.size < MAX_WARNED_NAMES) warned.add(`${dir}\u0000${n}`);
    log?.warn({ connection: label, dir, names: fresh.map((n) => JSON.stringify(n)) },
      `skipping ${fresh.length} remote name(s) in ${dir} that contain a line break, NUL or "/"`);
  }

  return {
    label,
    async list(dir, signal) {
      checkRemotePath(dir);
      const raw = await withSession(`list ${dir}`, signal, (s) => readDir(s, dir, ctx(signal)));
      const out: RemoteEntry[] = [];
      const skipped: string[] = [];
      for (const e of raw) {
        const name = e.filename;
        if (name === '.' || name === '..') continue;
        if (name === '' || /[\r\n\u0000/]/.test(name)) {
          skipped.push(name);
          continue;
        }
        out.push({ name, path: joinRemote(dir, name), type: entryType(e), size: e.attrs.size ?? 0, mtimeMs: mtimeOf(e.attrs.mtime) });
      }
      if (skipped.length > 0) warnSkipped(dir, skipped);
      return out;
    },
    async stat(path, signal) {
      checkRemotePath(path);
      const st = await withSession(`stat ${path}`, signal, (s) => statOrUndefined(s, path, ctx(signal)));
      if (st === undefined) return undefined;
      const type: RemoteEntry['type'] = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'link' : 'other';
      return { name: posix.basename(path), path, type, size: st.size ?? 0, mtimeMs: mtimeOf(st.mtime) };
    },
    async read(path, signal): Promise<Readable> {
      checkRemotePath(path);
      const session = await pool.acquire(signal);
      let returned = false;
      const done = (): void => {
        if (returned) return;
        returned = true;
        if (session.broken === undefined) pool.noteOk();
        pool.release(session);
      };
      return openRemoteRead(session, path, { timeoutMs: settings.timeoutMs, secrets, signal, done });
    },
    async write(path, data, signal) {
      checkRemotePath(path);
      await withSession(`write ${path}`, signal, async (s) => {
        await makeDirs(s, posix.dirname(path), ctx(signal));
        await uploadReplacing(s, path, data, ctx(signal));
      });
    },
    async rename(from, to, signal) {
      checkRemotePath(from);
      checkRemotePath(to);
      await withSession(`rename ${from} to ${to}`, signal, async (s) => {
        try {
          await renamePath(s, from, to, ctx(signal));
        } catch (err) {
          // like a local move, create the target folder when that is what is missing
          if (s.broken !== undefined || (await statOrUndefined(s, posix.dirname(to), ctx(signal))) !== undefined) throw err;
          await makeDirs(s, posix.dirname(to), ctx(signal));
          await renamePath(s, from, to, ctx(signal));
        }
      });
    },
    async remove(path, signal) {
      checkRemotePath(path);
      await withSession(`remove ${path}`, signal, (s) => s.run(`remove ${path}`, settings.timeoutMs, () => s.client.delete(path, true), signal));
    },
    async mkdirp(dir, signal) {
      checkRemotePath(dir);
      await withSession(`mkdir ${dir}`, signal, (s) => makeDirs(s, dir, ctx(signal)));
    },
    close: () => pool.close(),
    health: () => pool.health(),
  };
}
