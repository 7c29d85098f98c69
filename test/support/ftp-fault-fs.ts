/**
 * The ftp-srv file system of the test FTP server: ftp-srv's own local-folder file system with the
 * faults of {@link FtpFaults} injected where a real server or a flaky link would produce them.
 */
import { access } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { FileSystem, type FtpConnection } from 'ftp-srv';

/** Faults the test FTP server injects; the object is live, tests change it between calls. */
export interface FtpFaults {
  /** Next RETR: the data connection is torn down after this many bytes (once, then cleared). */
  cutRetrAfterBytes?: number;
  /** Renames for which this answers true are refused with 550. Paths are absolute (`/in/a.csv`). */
  failRename?: (from: string, to: string) => boolean;
  /** Default true, as most FTP servers; false refuses RNTO onto an existing file with 550. */
  renameOverwrites?: boolean;
  /** Called on RETR before the file is opened (awaited if it returns a promise): tests remove or grow the file here. */
  beforeRetr?: (path: string) => void;
}

/** What ftp-srv expects back from `read`. */
interface ReadResult {
  readonly stream: Readable;
  readonly clientPath: string;
}

/**
 * How long the cut waits after the last byte it lets through before destroying the stream, so
 * that ftp-srv has written those bytes to the data socket: the cut is then at a known offset.
 */
const CUT_FLUSH_MS = 50;

function cutAfter(source: Readable, limit: number, path: string): Readable {
  let passed = 0;
  let cut = false;
  const cutter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (cut) {
        done();
        return;
      }
      const room = limit - passed;
      if (room > chunk.length) {
        passed += chunk.length;
        done(null, chunk);
        return;
      }
      cut = true;
      passed = limit;
      if (room > 0) this.push(chunk.subarray(0, room));
      source.unpipe(cutter);
      source.destroy();
      setTimeout(() => cutter.destroy(new Error(`test server cut the transfer of ${path} after ${limit} bytes`)), CUT_FLUSH_MS);
      done();
    },
  });
  source.on('error', (error) => cutter.destroy(error));
  return source.pipe(cutter);
}

/** ftp-srv's local file system, rooted at a test folder, with faults. */
export class FaultInjectingFs extends FileSystem {
  readonly #faults: FtpFaults;
  readonly #log: string[];

  constructor(connection: FtpConnection, root: string, faults: FtpFaults, log: string[]) {
    super(connection, { root, cwd: '/' });
    this.#faults = faults;
    this.#log = log;
  }

  /** The absolute path the client means, resolved the way ftp-srv resolves it (never above `/`). */
  #clientPath(path: string): string {
    const unix = path.replace(/\\/g, '/');
    return posix.isAbsolute(unix) ? posix.normalize(unix) : posix.join('/', this.cwd, unix);
  }

  override async read(fileName: string, options: { start?: number } = {}): Promise<ReadResult> {
    const path = this.#clientPath(fileName);
    // A hook may return a promise (it is typed void so that plain functions fit): wait for it.
    await this.#faults.beforeRetr?.(path);
    const result: ReadResult = await super.read(fileName, options);
    const limit = this.#faults.cutRetrAfterBytes;
    if (limit === undefined) return result;
    delete this.#faults.cutRetrAfterBytes;
    this.#log.push(`FAULT cut RETR ${path} after ${limit} bytes`);
    return { stream: cutAfter(result.stream, limit, path), clientPath: result.clientPath };
  }

  override async rename(from: string, to: string): Promise<void> {
    const fromPath = this.#clientPath(from);
    const toPath = this.#clientPath(to);
    if (this.#faults.failRename?.(fromPath, toPath) === true) {
      this.#log.push(`FAULT refused rename ${fromPath} ${toPath}`);
      throw new Error('Permission denied');
    }
    if (this.#faults.renameOverwrites === false && (await exists(join(this.root, toPath)))) {
      this.#log.push(`FAULT refused rename onto existing ${toPath}`);
      throw new Error('File exists');
    }
    await super.rename(from, to);
  }
}

async function exists(localPath: string): Promise<boolean> {
  return access(localPath).then(
    () => true,
    () => false,
  );
}
