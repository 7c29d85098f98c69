/**
 * The SFTP request handlers of the test SFTP server: one SFTPv3 session over a local root
 * directory, with the faults of {@link SftpFaults} injected into reads and renames.
 */
import { lstat, mkdir, open, rename, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import ssh2 from 'ssh2';
import type { Attributes, FileEntry, SFTPWrapper } from 'ssh2';
import { advertiseExtensions, applyAttrs, openFlags, readStrings } from './sftp-protocol.js';
import { planRead, takeReadFault, type ReadFault } from './sftp-read-fault.js';
import {
  attrsOf,
  directoryEntries,
  fileEntryOf,
  resolveInRoot,
  SFTP_STATUS,
  SftpRequestError,
  statusForError,
  type RootedPath,
} from './sftp-root.js';
import type { SftpFaults } from './sftp-server.js';

/** What a session needs from the server it runs in. */
export interface SftpSessionContext {
  readonly root: string;
  readonly faults: SftpFaults;
  log(line: string): void;
  /** Breaks the connection the session runs on, as a failing network would. */
  cutConnection(): void;
}

interface OpenFile {
  readonly kind: 'file';
  readonly path: string;
  readonly file: FileHandle;
  readonly fault: ReadFault | undefined;
  readSeen: boolean;
  writeSeen: boolean;
}

interface OpenDir {
  readonly kind: 'dir';
  readonly path: RootedPath;
  entries: FileEntry[] | undefined;
}

const POSIX_RENAME = 'posix-rename@openssh.com';
/** OpenSSH returns at most 100 entries per READDIR; clients must loop, so do the same. */
const READDIR_BATCH = 100;
const MAX_READ = 256 * 1024;

function unsupported(): Promise<void> {
  return Promise.reject(new SftpRequestError(SFTP_STATUS.OP_UNSUPPORTED, 'Operation unsupported'));
}

async function exists(localPath: string): Promise<boolean> {
  try {
    await lstat(localPath);
    return true;
  } catch {
    return false;
  }
}

/** Serves SFTP requests on `sftp` until its channel closes. */
export function serveSftp(sftp: SFTPWrapper, context: SftpSessionContext): void {
  const { root, faults, log } = context;
  const handles = new Map<string, OpenFile | OpenDir>();
  let nextHandle = 0;
  let closed = false;
  let cut = false;
  // Requests run one at a time, in arrival order, so that faults hit at a predictable byte.
  let queue: Promise<void> = Promise.resolve();

  if (faults.posixRename !== false) advertiseExtensions(sftp, { [POSIX_RENAME]: '1' });

  function run(reqId: number, task: () => Promise<void>): void {
    queue = queue.then(async () => {
      if (cut) return;
      try {
        await task();
      } catch (error) {
        const status = statusForError(error);
        sftp.status(reqId, status.code, status.message);
      }
    });
  }

  function inRoot(path: string): RootedPath {
    const rooted = resolveInRoot(root, path);
    if (rooted === undefined) throw new SftpRequestError(SFTP_STATUS.PERMISSION_DENIED, 'Permission denied');
    return rooted;
  }

  function shown(path: string): string {
    return resolveInRoot(root, path)?.clientPath ?? path;
  }

  function addHandle(entry: OpenFile | OpenDir): Buffer {
    const handle = Buffer.alloc(4);
    handle.writeUInt32BE(nextHandle);
    nextHandle += 1;
    handles.set(handle.toString('hex'), entry);
    return handle;
  }

  function fileOf(handle: Buffer): OpenFile {
    const entry = handles.get(handle.toString('hex'));
    if (entry?.kind !== 'file') throw new SftpRequestError(SFTP_STATUS.FAILURE, 'Invalid handle');
    return entry;
  }

  function breakConnection(): void {
    cut = true;
    context.cutConnection();
  }

  async function renameIn(reqId: number, from: string, to: string, overwrite: boolean): Promise<void> {
    const source = inRoot(from);
    const target = inRoot(to);
    if (faults.failRename?.(source.clientPath, target.clientPath) === true || source.isRoot || target.isRoot) {
      throw new SftpRequestError(SFTP_STATUS.PERMISSION_DENIED, 'Permission denied');
    }
    await lstat(source.localPath);
    if (!overwrite && (await exists(target.localPath))) {
      throw new SftpRequestError(SFTP_STATUS.FAILURE, 'Failure');
    }
    await rename(source.localPath, target.localPath);
    sftp.status(reqId, SFTP_STATUS.OK);
  }

  sftp.on('OPEN', (reqId: number, filename: string, flags: number, attrs: Attributes) => {
    log(`OPEN ${shown(filename)} ${ssh2.utils.sftp.flagsToString(flags) ?? flags.toString(16)}`);
    run(reqId, async () => {
      const path = inRoot(filename);
      const reading = (flags & ssh2.utils.sftp.OPEN_MODE.READ) !== 0;
      if (reading) await faults.beforeOpen?.(path.clientPath);
      const given: Partial<Attributes> = attrs;
      const mode = typeof given.mode === 'number' ? given.mode & 0o7777 : 0o644;
      const file = await open(path.localPath, openFlags(flags), mode);
      if (closed) {
        await file.close();
        return;
      }
      const fault = reading ? takeReadFault(faults) : undefined;
      sftp.handle(reqId, addHandle({ kind: 'file', path: path.clientPath, file, fault, readSeen: false, writeSeen: false }));
    });
  });

  sftp.on('READ', (reqId: number, handle: Buffer, offset: number, length: number) => {
    const answer = (): void => run(reqId, async () => {
      const opened = fileOf(handle);
      if (!opened.readSeen) log(`READ ${opened.path} @${offset}`);
      opened.readSeen = true;
      if (faults.readDelayMs !== undefined && faults.readDelayMs > 0) await sleep(faults.readDelayMs);
      const plan = planRead(opened.fault, offset, Math.min(length, MAX_READ, faults.maxReadBytes ?? MAX_READ));
      if (plan.action === 'cut') {
        breakConnection();
        return;
      }
      if (plan.action === 'eof') {
        sftp.status(reqId, SFTP_STATUS.EOF);
        return;
      }
      const buffer = Buffer.allocUnsafe(plan.length);
      const { bytesRead } = await opened.file.read(buffer, 0, plan.length, offset);
      if (bytesRead === 0) {
        if (faults.failReadBeyondEnd === true && offset > (await opened.file.stat()).size) throw new SftpRequestError(SFTP_STATUS.FAILURE, 'Failure');
        sftp.status(reqId, SFTP_STATUS.EOF);
        return;
      }
      sftp.data(reqId, buffer.subarray(0, bytesRead));
      if (opened.fault?.kind === 'cut' && offset + bytesRead >= plan.limit) breakConnection();
    });
    // jitter delays READs before they queue, so that their answers overtake each other
    if (faults.readJitterMs !== undefined && faults.readJitterMs > 0) setTimeout(answer, Math.random() * faults.readJitterMs);
    else answer();
  });

  sftp.on('WRITE', (reqId: number, handle: Buffer, offset: number, data: Buffer) => {
    run(reqId, async () => {
      const opened = fileOf(handle);
      if (!opened.writeSeen) log(`WRITE ${opened.path} @${offset}`);
      opened.writeSeen = true;
      await opened.file.write(data, 0, data.length, offset);
      sftp.status(reqId, SFTP_STATUS.OK);
    });
  });

  sftp.on('FSTAT', (reqId: number, handle: Buffer) => {
    run(reqId, async () => {
      const entry = handles.get(handle.toString('hex'));
      if (entry === undefined) throw new SftpRequestError(SFTP_STATUS.FAILURE, 'Invalid handle');
      log(`FSTAT ${entry.kind === 'file' ? entry.path : entry.path.clientPath}`);
      sftp.attrs(reqId, attrsOf(entry.kind === 'file' ? await entry.file.stat() : await stat(entry.path.localPath)));
    });
  });

  sftp.on('FSETSTAT', (reqId: number, handle: Buffer, attrs: Attributes) => {
    run(reqId, async () => {
      const opened = fileOf(handle);
      log(`FSETSTAT ${opened.path}`);
      await applyAttrs(attrs, opened.file);
      sftp.status(reqId, SFTP_STATUS.OK);
    });
  });

  sftp.on('SETSTAT', (reqId: number, path: string, attrs: Attributes) => {
    log(`SETSTAT ${shown(path)}`);
    run(reqId, async () => {
      await applyAttrs(attrs, inRoot(path).localPath);
      sftp.status(reqId, SFTP_STATUS.OK);
    });
  });

  sftp.on('CLOSE', (reqId: number, handle: Buffer) => {
    run(reqId, async () => {
      const key = handle.toString('hex');
      const entry = handles.get(key);
      if (entry === undefined) throw new SftpRequestError(SFTP_STATUS.FAILURE, 'Invalid handle');
      handles.delete(key);
      log(`CLOSE ${entry.kind === 'file' ? entry.path : entry.path.clientPath}`);
      if (entry.kind === 'file') await entry.file.close();
      sftp.status(reqId, SFTP_STATUS.OK);
    });
  });

  sftp.on('OPENDIR', (reqId: number, path: string) => {
    log(`OPENDIR ${shown(path)}`);
    run(reqId, async () => {
      const dir = inRoot(path);
      const stats = await stat(dir.localPath);
      if (!stats.isDirectory()) throw new SftpRequestError(SFTP_STATUS.NO_SUCH_FILE, 'No such file');
      sftp.handle(reqId, addHandle({ kind: 'dir', path: dir, entries: undefined }));
    });
  });

  sftp.on('READDIR', (reqId: number, handle: Buffer) => {
    run(reqId, async () => {
      const dir = handles.get(handle.toString('hex'));
      if (dir?.kind !== 'dir') throw new SftpRequestError(SFTP_STATUS.FAILURE, 'Invalid handle');
      log(`READDIR ${dir.path.clientPath}`);
      dir.entries ??= await directoryEntries(dir.path);
      const batch = dir.entries.splice(0, READDIR_BATCH);
      if (batch.length === 0) sftp.status(reqId, SFTP_STATUS.EOF);
      else sftp.name(reqId, batch);
    });
  });

  for (const [event, follow] of [['STAT', true], ['LSTAT', false]] as const) {
    sftp.on(event, (reqId: number, path: string) => {
      log(`${event} ${shown(path)}`);
      run(reqId, async () => {
        const local = inRoot(path).localPath;
        sftp.attrs(reqId, attrsOf(follow ? await stat(local) : await lstat(local)));
      });
    });
  }

  sftp.on('REALPATH', (reqId: number, path: string) => {
    log(`REALPATH ${path}`);
    run(reqId, async () => {
      const rooted = inRoot(path);
      const stats = await stat(rooted.localPath);
      sftp.name(reqId, [{ ...fileEntryOf(rooted.clientPath, stats), longname: rooted.clientPath }]);
    });
  });

  sftp.on('MKDIR', (reqId: number, path: string, attrs: Attributes) => {
    log(`MKDIR ${shown(path)}`);
    run(reqId, async () => {
      const dir = inRoot(path);
      if (dir.isRoot) throw new SftpRequestError(SFTP_STATUS.FAILURE, 'Failure');
      const given: Partial<Attributes> = attrs;
      await mkdir(dir.localPath, { mode: typeof given.mode === 'number' ? given.mode & 0o7777 : 0o755 });
      sftp.status(reqId, SFTP_STATUS.OK);
    });
  });

  for (const [event, remove] of [['RMDIR', rmdir], ['REMOVE', unlink]] as const) {
    sftp.on(event, (reqId: number, path: string) => {
      log(`${event} ${shown(path)}`);
      run(reqId, async () => {
        const target = inRoot(path);
        if (target.isRoot) throw new SftpRequestError(SFTP_STATUS.PERMISSION_DENIED, 'Permission denied');
        await remove(target.localPath);
        sftp.status(reqId, SFTP_STATUS.OK);
      });
    });
  }

  sftp.on('RENAME', (reqId: number, from: string, to: string) => {
    log(`RENAME ${shown(from)} ${shown(to)}`);
    run(reqId, () => renameIn(reqId, from, to, faults.overwriteOnRename === true));
  });

  sftp.on('EXTENDED', (reqId: number, name: string, data: Buffer | undefined) => {
    const paths = name === POSIX_RENAME && faults.posixRename !== false ? readStrings(data, 2) : undefined;
    const [from, to] = paths ?? [];
    if (from === undefined || to === undefined) {
      log(`EXTENDED ${name}`);
      run(reqId, unsupported);
      return;
    }
    log(`POSIX-RENAME ${shown(from)} ${shown(to)}`);
    run(reqId, () => renameIn(reqId, from, to, true));
  });

  for (const event of ['READLINK', 'SYMLINK'] as const) {
    sftp.on(event, (reqId: number, path: string) => {
      log(`${event} ${shown(path)}`);
      run(reqId, unsupported);
    });
  }

  sftp.on('close', () => {
    closed = true;
    for (const entry of handles.values()) {
      if (entry.kind === 'file') entry.file.close().catch(() => undefined);
    }
    handles.clear();
  });
}
