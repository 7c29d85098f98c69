import { posix } from 'node:path';
import type { Readable } from 'node:stream';

import type { FileEntryWithStats, Stats } from 'ssh2';

import { TransientError } from '../../errors.js';
import { tempNameFor } from '../remote-path.js';
import { isNoSuchFile, isUnsupported, operationFailure } from './sftp-errors.js';
import type { SftpSession } from './sftp-session.js';

/** Per-call settings shared by the operations below. */
export interface OpContext {
  readonly timeoutMs: number;
  readonly secrets: readonly string[];
  readonly signal: AbortSignal | undefined;
}

function call<T>(fn: (cb: (err: Error | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise<T>((ok, fail) => {
    fn((err, value) => (err ? fail(err) : ok(value)));
  });
}

/** The entries of a folder with their attributes (lstat-like: links are links). */
export function readDir(s: SftpSession, dir: string, ctx: OpContext): Promise<FileEntryWithStats[]> {
  return s.run(`list ${dir}`, ctx.timeoutMs, () => call<FileEntryWithStats[]>((cb) => s.sftp.readdir(dir, cb)), ctx.signal);
}

/** The attributes of a path (following links), or undefined when it does not exist. */
export async function statOrUndefined(s: SftpSession, path: string, ctx: OpContext): Promise<Stats | undefined> {
  try {
    return await s.run(`stat ${path}`, ctx.timeoutMs, () => call<Stats>((cb) => s.sftp.stat(path, cb)), ctx.signal);
  } catch (err) {
    if (s.broken === undefined && isNoSuchFile(err)) return undefined;
    throw err;
  }
}

/** Creates a folder and its missing parents; an existing folder is fine, also when created concurrently. */
export async function makeDirs(s: SftpSession, dir: string, ctx: OpContext): Promise<void> {
  const normal = posix.normalize(dir);
  const existing = await statOrUndefined(s, normal, ctx);
  if (existing?.isDirectory() === true) return;
  const parts = normal.split('/').filter((p) => p !== '' && p !== '.');
  let current = normal.startsWith('/') ? '/' : '';
  for (const part of parts) {
    current = current === '' ? part : posix.join(current, part);
    const at = await statOrUndefined(s, current, ctx);
    if (at?.isDirectory() === true) continue;
    if (at !== undefined) throw new TransientError('E_IO', `${s.label}: cannot create the folder ${normal}: ${current} is not a folder`);
    const target = current;
    try {
      await s.run(`mkdir ${target}`, ctx.timeoutMs, () => call<undefined>((cb) => s.sftp.mkdir(target, (err) => cb(err, undefined))), ctx.signal);
    } catch (err) {
      if (s.broken !== undefined) throw err;
      // another writer may have created it in the meantime
      const again = await statOrUndefined(s, target, ctx);
      if (again?.isDirectory() !== true) throw operationFailure(s.label, `mkdir ${target}`, err, ctx.secrets);
    }
  }
}

/** Renames with ssh2-sftp-client; the server decides whether an existing target is replaced. */
function plainRename(s: SftpSession, from: string, to: string, ctx: OpContext): Promise<string> {
  return s.run(`rename ${from} to ${to}`, ctx.timeoutMs, () => s.client.rename(from, to), ctx.signal);
}

/**
 * Renames with posix-rename@openssh.com when the server offers it (replaces the target in one
 * step, as a local rename does); remembers per session when it does not. Returns false when the
 * extension is missing, so that the caller picks another way.
 */
export async function posixRename(s: SftpSession, from: string, to: string, ctx: OpContext): Promise<boolean> {
  if (s.posixRename === false) return false;
  try {
    await s.run(`rename ${from} to ${to}`, ctx.timeoutMs, () => s.client.posixRename(from, to), ctx.signal);
    s.posixRename = true;
    return true;
  } catch (err) {
    if (s.broken !== undefined || !isUnsupported(err)) throw err;
    s.posixRename = false;
    return false;
  }
}

/** Renames a path, replacing the target like a local rename where the server can. */
export async function renamePath(s: SftpSession, from: string, to: string, ctx: OpContext): Promise<void> {
  if (await posixRename(s, from, to, ctx)) return;
  await plainRename(s, from, to, ctx);
}

async function removeQuietly(s: SftpSession, path: string, ctx: OpContext): Promise<void> {
  if (s.broken !== undefined) return;
  await s.run(`remove ${path}`, ctx.timeoutMs, () => s.client.delete(path, true), ctx.signal).catch(() => undefined);
}

/**
 * Uploads to the temporary name, then moves it over `path`: posix-rename where offered, else a
 * plain rename, and only if that fails because the target exists (SFTPv3 servers), delete the
 * old file and rename. The old file is deleted only once the new one is complete under the
 * temporary name, so `path` never shows a partial file; between the delete and the rename it is
 * briefly absent. A failed upload removes the temporary file.
 */
export async function uploadReplacing(s: SftpSession, path: string, data: Readable | Buffer, ctx: OpContext): Promise<void> {
  const temp = tempNameFor(path);
  try {
    // no overall time limit: a big upload takes what it takes; keepalives detect a dead link
    await s.run(`upload ${temp}`, 0, () => s.client.put(data, temp), ctx.signal);
  } catch (err) {
    if (!Buffer.isBuffer(data)) data.destroy();
    await removeQuietly(s, temp, ctx);
    throw operationFailure(s.label, `upload ${temp}`, err, ctx.secrets);
  }
  try {
    if (await posixRename(s, temp, path, ctx)) return;
  } catch (err) {
    await removeQuietly(s, temp, ctx);
    throw operationFailure(s.label, `rename ${temp} to ${path}`, err, ctx.secrets);
  }
  try {
    await plainRename(s, temp, path, ctx);
    return;
  } catch (err) {
    if (s.broken !== undefined) throw err;
    const target = await statOrUndefined(s, path, ctx);
    if (target === undefined || target.isDirectory()) {
      await removeQuietly(s, temp, ctx);
      throw operationFailure(s.label, `rename ${temp} to ${path}`, err, ctx.secrets);
    }
  }
  try {
    await s.run(`remove ${path}`, ctx.timeoutMs, () => s.client.delete(path, true), ctx.signal);
  } catch (err) {
    await removeQuietly(s, temp, ctx);
    throw operationFailure(s.label, `remove ${path} before replacing it`, err, ctx.secrets);
  }
  try {
    await plainRename(s, temp, path, ctx);
  } catch (err) {
    // the old file is gone: keep the new one under the temporary name rather than lose both
    throw new TransientError('E_REMOTE_RENAME', `${s.label}: rename ${temp} to ${path} failed after the old file was removed; the new file is kept as ${temp}`, { cause: err });
  }
}
