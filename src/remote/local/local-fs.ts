import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { checkRemotePath, tempNameFor } from '../remote-path.js';
import type { RemoteEntry, RemoteFs, RemoteHealth } from '../types.js';

function typeOf(s: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): RemoteEntry['type'] {
  if (s.isFile()) return 'file';
  if (s.isDirectory()) return 'dir';
  return s.isSymbolicLink() ? 'link' : 'other';
}

/**
 * A local folder behind the same interface as SFTP and FTP servers, so that sources, result files
 * and exports treat a shared directory like any server. Paths are local paths (relative ones
 * resolve against `root`, default the working directory).
 */
export function createLocalFs(root = '.'): RemoteFs & { health(): RemoteHealth } {
  const base = resolve(root);
  const at = (path: string): string => resolve(base, checkRemotePath(path));
  return {
    label: `local:${base}`,
    async list(dir) {
      const full = at(dir);
      const entries = await readdir(full, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return [];
        throw err;
      });
      const out: RemoteEntry[] = [];
      for (const e of entries) {
        const path = join(full, e.name);
        try {
          const s = await stat(path);
          out.push({ name: e.name, path, type: e.isSymbolicLink() ? 'link' : typeOf(s), size: s.size, mtimeMs: Math.trunc(s.mtimeMs) });
        } catch {
          // vanished between readdir and stat: the next listing decides
        }
      }
      return out;
    },
    async stat(path) {
      try {
        const full = at(path);
        const s = await stat(full);
        return { name: basename(full), path: full, type: typeOf(s), size: s.size, mtimeMs: Math.trunc(s.mtimeMs) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async read(path): Promise<Readable> {
      const stream = createReadStream(at(path), { highWaterMark: 1 << 20 });
      await new Promise<void>((ok, fail) => {
        stream.once('open', () => ok());
        stream.once('error', fail);
      });
      return stream;
    },
    async write(path, data) {
      const full = at(path);
      const temp = tempNameFor(full);
      await mkdir(dirname(full), { recursive: true });
      try {
        if (Buffer.isBuffer(data)) {
          const out = createWriteStream(temp);
          await new Promise<void>((ok, fail) => {
            out.once('error', fail);
            out.end(data, () => ok());
          });
        } else {
          await pipeline(data, createWriteStream(temp));
        }
        await rename(temp, full);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
    },
    async rename(from, to) {
      await mkdir(dirname(at(to)), { recursive: true });
      await rename(at(from), at(to));
    },
    async remove(path) {
      await rm(at(path), { force: true });
    },
    async mkdirp(dir) {
      await mkdir(at(dir), { recursive: true });
    },
    async close() {
      // nothing to close
    },
    health: () => ({ label: `local:${base}`, state: 'ok', lastError: null, lastErrorAt: null, lastOkAt: Date.now() }),
  };
}
