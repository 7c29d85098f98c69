import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { durationMs } from '../profiles/schema-helpers.js';
import type { ProfileSource } from '../profiles/schema.js';

/** A file as a listing saw it. */
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

/**
 * A local folder as a batch source: lists files that match include/exclude and tracks when each
 * is complete. A file is taken once every configured rule holds: its last change is at least
 * `minAge` old, its size and mtime were equal in `checks` consecutive listings, and its done file
 * (if the profile asks for one) exists. Done files themselves are never batches.
 */
export class LocalSource {
  readonly dir: string;
  private readonly include: RegExp[];
  private readonly exclude: RegExp[];
  private readonly minAgeMs: number;
  private readonly checks: number;
  private readonly doneFile: string | undefined;
  private readonly seen = new Map<string, { size: number; mtimeMs: number; count: number }>();

  constructor(source: ProfileSource, private readonly now: () => number = Date.now) {
    this.dir = resolve(source.dir ?? '.');
    this.include = (source.include ?? ['*']).map(globToRegExp);
    this.exclude = (source.exclude ?? ['.*', '*.tmp', '*.part', '*.filepart']).map(globToRegExp);
    this.minAgeMs = source.stable?.minAge === undefined ? 1000 : durationMs(source.stable.minAge);
    this.checks = source.stable?.checks ?? 1;
    this.doneFile = source.stable?.doneFile;
  }

  /** True when a file name is one this source takes (not a done marker, matches the globs). */
  accepts(name: string): boolean {
    if (this.doneFile !== undefined && /\{(name|stem)\}/.test(this.doneFile)) {
      const marker = globToRegExp(this.doneFile.replace(/\{(name|stem)\}/g, '*'));
      if (marker.test(name) && !this.include.some((r) => r.test(name) && !marker.test(name))) return false;
    }
    return this.include.some((r) => r.test(name)) && !this.exclude.some((r) => r.test(name));
  }

  /** Every matching regular file in the folder, as it is now. */
  async list(): Promise<ListedFile[]> {
    if (!existsSync(this.dir)) return [];
    const entries = await readdir(this.dir, { withFileTypes: true });
    const files: ListedFile[] = [];
    for (const e of entries) {
      if (!e.isFile() || !this.accepts(e.name)) continue;
      const path = join(this.dir, e.name);
      try {
        const s = await stat(path);
        files.push({ path, name: e.name, size: s.size, mtimeMs: Math.trunc(s.mtimeMs) });
      } catch {
        // vanished between readdir and stat: the next listing decides
      }
    }
    return files.sort((a, b) => a.mtimeMs - b.mtimeMs || a.name.localeCompare(b.name));
  }

  /** Lists and returns the files that are complete now; the rest are remembered for the next listing. */
  async listStable(): Promise<{ ready: ListedFile[]; waiting: number }> {
    const listed = await this.list();
    const names = new Set(listed.map((f) => f.name));
    const ready: ListedFile[] = [];
    const current = new Set<string>();
    for (const f of listed) {
      current.add(f.path);
      const prev = this.seen.get(f.path);
      const count = prev !== undefined && prev.size === f.size && prev.mtimeMs === f.mtimeMs ? prev.count + 1 : 1;
      this.seen.set(f.path, { size: f.size, mtimeMs: f.mtimeMs, count });
      const oldEnough = this.now() - f.mtimeMs >= this.minAgeMs;
      const hasDone = this.doneFile === undefined || names.has(doneFileName(this.doneFile, f.name)) || existsSync(join(this.dir, doneFileName(this.doneFile, f.name)));
      if (oldEnough && count >= this.checks && hasDone) ready.push(f);
    }
    for (const path of this.seen.keys()) if (!current.has(path)) this.seen.delete(path);
    return { ready, waiting: listed.length - ready.length };
  }

  /** The done file that belongs to a data file, if the profile uses them. */
  doneFileOf(fileName: string): string | undefined {
    return this.doneFile === undefined ? undefined : join(this.dir, doneFileName(this.doneFile, fileName));
  }
}
