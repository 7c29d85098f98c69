/**
 * How the test SFTP server maps client paths into its root directory and local file system
 * results into SFTP replies.
 */
import type { Stats } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import ssh2 from 'ssh2';
import type { Attributes, FileEntry } from 'ssh2';

/** SFTP status codes (SSH_FX_*). */
export const SFTP_STATUS = ssh2.utils.sftp.STATUS_CODE;

/** A client path inside the root. */
export interface RootedPath {
  /** Normalised absolute client path (`/a/b`). */
  readonly clientPath: string;
  /** The same place in the local file system. */
  readonly localPath: string;
  /** Whether this is the root itself, which clients may not remove or rename. */
  readonly isRoot: boolean;
}

/**
 * Resolves a client path (absolute, or relative to the home directory `/`) inside `root`.
 * Returns undefined for a path whose `..` would climb above the root or that holds NUL: such
 * a request is refused rather than clamped, so that a test sees the attempt fail.
 */
export function resolveInRoot(root: string, path: string): RootedPath | undefined {
  if (path.includes('\0')) return undefined;
  const segments: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (segments.length === 0) return undefined;
      segments.pop();
      continue;
    }
    segments.push(part);
  }
  const localPath = join(root, ...segments);
  if (localPath !== root && !localPath.startsWith(root + sep)) return undefined;
  return { clientPath: `/${segments.join('/')}`, localPath, isRoot: segments.length === 0 };
}

/** An SFTP status with the message OpenSSH would send. */
export interface SftpStatus {
  readonly code: number;
  readonly message: string;
}

/** A request refused with a chosen status. */
export class SftpRequestError extends Error implements SftpStatus {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** The status for a failed request: its own for {@link SftpRequestError}, else as OpenSSH's sftp-server maps errno. */
export function statusForError(error: unknown): SftpStatus {
  if (error instanceof SftpRequestError) return error;
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
    case 'EBADF':
    case 'ELOOP':
      return { code: SFTP_STATUS.NO_SUCH_FILE, message: 'No such file' };
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return { code: SFTP_STATUS.PERMISSION_DENIED, message: 'Permission denied' };
    default:
      return { code: SFTP_STATUS.FAILURE, message: 'Failure' };
  }
}

/** SFTP attributes of a local file (times in whole seconds, as SFTPv3 carries them). */
export function attrsOf(stats: Stats): Attributes {
  return {
    mode: stats.mode,
    uid: stats.uid,
    gid: stats.gid,
    size: stats.size,
    atime: Math.floor(stats.atimeMs / 1000),
    mtime: Math.floor(stats.mtimeMs / 1000),
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SIX_MONTHS_MS = 182 * 24 * 3600 * 1000;

function typeChar(stats: Stats): string {
  if (stats.isDirectory()) return 'd';
  if (stats.isSymbolicLink()) return 'l';
  return '-';
}

function permissions(mode: number): string {
  const flags = 'rwxrwxrwx';
  let text = '';
  for (let bit = 0; bit < 9; bit += 1) {
    text += (mode & (0o400 >> bit)) !== 0 ? (flags[bit] ?? '-') : '-';
  }
  return text;
}

/** The `ls -l` style line OpenSSH sends with each directory entry (clients read type and rights from it). */
export function longnameOf(name: string, stats: Stats): string {
  const date = stats.mtime;
  const month = MONTHS[date.getMonth()] ?? 'Jan';
  const day = String(date.getDate()).padStart(2, ' ');
  const recent = Math.abs(Date.now() - date.getTime()) < SIX_MONTHS_MS;
  const clock = `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
  const when = recent ? `${month} ${day} ${clock}` : `${month} ${day}  ${date.getFullYear()}`;
  return [
    `${typeChar(stats)}${permissions(stats.mode)}`,
    String(stats.nlink).padStart(4, ' '),
    String(stats.uid).padEnd(8, ' '),
    String(stats.gid).padEnd(8, ' '),
    String(stats.size).padStart(8, ' '),
    when,
    name,
  ].join(' ');
}

/** A directory entry as READDIR returns it. */
export function fileEntryOf(name: string, stats: Stats): FileEntry {
  return { filename: name, longname: longnameOf(name, stats), attrs: attrsOf(stats) };
}

/** Every entry of a directory as READDIR returns them, `.` and `..` first as OpenSSH sends them. */
export async function directoryEntries(dir: RootedPath): Promise<FileEntry[]> {
  const entries = [fileEntryOf('.', await stat(dir.localPath))];
  // The root's parent is not the client's business: show the root again.
  entries.push(fileEntryOf('..', await stat(dir.isRoot ? dir.localPath : join(dir.localPath, '..'))));
  for (const name of await readdir(dir.localPath)) {
    try {
      entries.push(fileEntryOf(name, await lstat(join(dir.localPath, name))));
    } catch {
      // Removed between readdir and lstat: a real server would not list it either.
    }
  }
  return entries;
}
