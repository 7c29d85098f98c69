import { posix, resolve } from 'node:path';

import type { Logger } from '../log.js';
import { durationMs } from '../profiles/schema-helpers.js';
import type { ProfileSource } from '../profiles/schema.js';
import type { RemoteEntry, RemoteFs } from '../remote/types.js';

/** A file as a listing saw it. `mtimeMs` is -1 when the server does not tell it precisely. */
export interface ListedFile {
  readonly path: string;
  readonly name: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** A glob on file names (`*`, `?`, `[abc]`), matched case-insensitively: ERPs change case freely. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end === -1) re += '\\[';
      else {
        re += `[${glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'i');
}

/** Expands a done-file template (`{name}.done`, `{stem}.ok`) for a data file name. */
export function doneFileName(template: string, fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  const stem = dot > 0 ? fileName.slice(0, dot) : fileName;
  return template.replace(/\{name\}/g, fileName).replace(/\{stem\}/g, stem);
}

/** Folders that `after` moves files into, relative to the source folder: never listed as input. */
function settleFolders(source: ProfileSource): string[] {
  const out: string[] = [];
  for (const a of [source.after?.success ?? 'move:processed', source.after?.failure ?? 'move:failed']) {
    if (a.startsWith('move:')) out.push(a.slice(5).replace(/\/+$/, ''));
  }
  return out;
}

/**
 * How far apart (ms) two equal listings must be for the second to count as another of
 * `stable.checks`; below the 500 ms at which the daemon and `ferry run` look again at waiting files.
 */
export const CHECK_GAP_MS = 400;

/**
 * How long a file must have stayed empty before an empty file is taken, whatever `minAge` says: a
 * writer creates a file before it writes to it, so a zero-byte file seen right after it appeared
 * is far more often an export still starting than an empty export (which then fails with
 * E_EMPTY_FILE and moves to failed/, taking the data written after it with it).
 */
export const EMPTY_MIN_AGE_MS = 5000;

/**
 * A folder on any file system (local, SFTP, FTP) as a batch source: lists files that match
 * include/exclude (and subfolders with `recursive`) and tracks when each is complete. A file is
 * taken once every configured rule holds: unchanged (size and mtime) for `minAge`, equal in
 * `checks` consecutive listings at least {@link CHECK_GAP_MS} apart, and its done file present. On a local disk the age is measured
 * from the file's mtime; on a server it is measured from when ferry first saw the file unchanged,
 * because a server's clock (and an FTP listing's minute precision) cannot be trusted.
 */
export class FolderSource {
  readonly dir: string;
  private readonly include: RegExp[];
  private readonly exclude: RegExp[];
  private readonly minAgeMs: number;
  private readonly checks: number;
  private readonly doneFile: string | undefined;
  private readonly doneMarker: RegExp | undefined;
  private readonly skipDirs: Set<string>;
  private readonly seen = new Map<string, { size: number; mtimeMs: number; count: number; since: number; checkedAt: number }>();
  private readonly local: boolean;
  private warnedNames = new Set<string>();

  /**
   * `now` is the wall clock, compared with a local file's mtime; `mono` a monotonic clock (ms) for
   * everything ferry measures itself (age on a server, the gap between checks), so that a clock
   * step (NTP, DST, a resumed VM) neither hurries nor holds back a file.
   */
  constructor(private readonly source: ProfileSource, readonly fs: RemoteFs, private readonly log?: Logger, private readonly now: () => number = Date.now, private readonly mono: () => number = () => performance.now()) {
    this.local = source.type === 'local';
    this.dir = this.local ? resolve(source.dir ?? '.') : source.dir ?? '/';
    this.include = (source.include ?? ['*']).map(globToRegExp);
    this.exclude = (source.exclude ?? ['.*', '*.tmp', '*.part', '*.filepart']).map(globToRegExp);
    this.minAgeMs = source.stable?.minAge === undefined ? 1000 : durationMs(source.stable.minAge);
    this.checks = source.stable?.checks ?? (this.local ? 1 : 2);
    this.doneFile = source.stable?.doneFile;
    this.doneMarker = this.doneFile === undefined ? undefined : globToRegExp(this.doneFile.replace(/\{(name|stem)\}/g, '*'));
    this.skipDirs = new Set(settleFolders(source));
  }

  /** True when a file name is one this source takes (not a done marker, matches the globs). */
  accepts(name: string): boolean {
    if (this.doneMarker?.test(name) === true) return false;
    return this.include.some((r) => r.test(name)) && !this.exclude.some((r) => r.test(name));
  }

  private join(dir: string, name: string): string {
    return this.local ? resolve(dir, name) : posix.join(dir, name);
  }

  /** Every matching regular file, as it is now, plus every name present (for done files). */
  private async walk(dir: string, depth: number, out: ListedFile[], names: Set<string>): Promise<void> {
    let entries: RemoteEntry[];
    try {
      entries = await this.fs.list(dir);
    } catch (err) {
      if (depth === 0) throw err;
      this.log?.warn({ err, dir }, 'subfolder could not be listed');
      return;
    }
    for (const e of entries) {
      if (/[\r\n\u0000/\\]/.test(e.name) || e.name === '.' || e.name === '..') {
        if (!this.warnedNames.has(e.name)) this.log?.warn({ name: JSON.stringify(e.name) }, 'skipping a file whose name cannot be used safely');
        this.warnedNames.add(e.name);
        continue;
      }
      const path = this.join(dir, e.name);
      names.add(path);
      if (e.type === 'dir') {
        if (this.source.recursive === true && depth < 8 && !(depth === 0 && this.skipDirs.has(e.name)) && !e.name.startsWith('.')) {
          await this.walk(path, depth + 1, out, names);
        }
        continue;
      }
      if (e.type !== 'file' || !this.accepts(e.name)) continue;
      out.push({ path, name: e.name, size: e.size, mtimeMs: e.mtimeMs ?? -1 });
    }
  }

  /** Every matching file, as it is now. */
  async list(): Promise<ListedFile[]> {
    const out: ListedFile[] = [];
    await this.walk(this.dir, 0, out, new Set());
    return out.sort((a, b) => a.mtimeMs - b.mtimeMs || a.path.localeCompare(b.path));
  }

  /** Lists and returns the files that are complete now; the rest are remembered for the next listing. */
  async listStable(): Promise<{ ready: ListedFile[]; waiting: number }> {
    const listed: ListedFile[] = [];
    const names = new Set<string>();
    await this.walk(this.dir, 0, listed, names);
    const now = this.now();
    const tick = this.mono();
    const ready: ListedFile[] = [];
    const current = new Set<string>();
    for (const f of listed) {
      current.add(f.path);
      const prev = this.seen.get(f.path);
      const same = prev !== undefined && prev.size === f.size && prev.mtimeMs === f.mtimeMs;
      // two listings a few milliseconds apart (a coalesced re-scan, a timer firing just after a
      // poll) prove nothing about a writer that appends every 100 ms: only a listing far enough
      // from the last counted one is another check
      const entry = !same ? { size: f.size, mtimeMs: f.mtimeMs, count: 1, since: tick, checkedAt: tick }
        : tick - prev.checkedAt >= CHECK_GAP_MS ? { ...prev, count: prev.count + 1, checkedAt: tick } : prev;
      this.seen.set(f.path, entry);
      const age = this.local && f.mtimeMs >= 0 ? now - f.mtimeMs : tick - entry.since;
      const done = this.doneFile === undefined || names.has(this.join(posix.dirname(f.path), doneFileName(this.doneFile, f.name)));
      const minAge = f.size === 0 ? Math.max(this.minAgeMs, EMPTY_MIN_AGE_MS) : this.minAgeMs;
      if (age >= minAge && entry.count >= this.checks && done) ready.push(f);
    }
    for (const path of this.seen.keys()) if (!current.has(path)) this.seen.delete(path);
    return { ready: ready.sort((a, b) => a.mtimeMs - b.mtimeMs || a.path.localeCompare(b.path)), waiting: listed.length - ready.length };
  }

  /** The done file that belongs to a data file, if the profile uses them. */
  doneFileOf(path: string, name: string): string | undefined {
    return this.doneFile === undefined ? undefined : this.join(this.local ? resolve(path, '..') : posix.dirname(path), doneFileName(this.doneFile, name));
  }

  /** Where `move:<folder>` sends a file of this source. */
  moveTarget(path: string, folder: string, name: string): string {
    if (this.local) return resolve(this.dir, folder, name);
    return posix.isAbsolute(folder) ? posix.join(folder, name) : posix.join(this.dir, folder, name);
  }
}
