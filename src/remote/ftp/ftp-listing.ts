import { parseList, type FileInfo } from 'basic-ftp';
import { posix } from 'node:path';

import { joinRemote } from '../remote-path.js';
import type { RemoteEntry } from '../types.js';

/** A name a server may list but ferry never sends back: it would inject commands or escape the folder. */
export function isUnsafeName(name: string): boolean {
  return name === '' || name === '.' || name === '..' || /[\r\n\u0000/]/.test(name);
}

/**
 * The modification time of a listed file, only when it is exact: basic-ftp parses it from MLSD /
 * MLST `modify` facts (UTC, seconds). LIST lines ("Mar 10 14:02", "Jan 01  2023") have no year or
 * no time and no time zone, so they give undefined and stability checks rest on the size alone.
 */
export function mtimeOf(info: FileInfo): number | undefined {
  const ms = info.modifiedAt?.getTime();
  // whole seconds: basic-ftp reads a fraction like ".5" as 5 ms, and seconds are what servers keep
  return ms === undefined || Number.isNaN(ms) ? undefined : Math.floor(ms / 1000) * 1000;
}

function typeOf(info: FileInfo): RemoteEntry['type'] {
  if (info.isFile) return 'file';
  if (info.isDirectory) return 'dir';
  return info.isSymbolicLink ? 'link' : 'other';
}

/** One listed file as a RemoteEntry at `path`. */
export function toEntry(path: string, info: FileInfo): RemoteEntry {
  const size = Number.isFinite(info.size) && info.size >= 0 ? info.size : 0;
  return { name: posix.basename(path), path, type: typeOf(info), size, mtimeMs: mtimeOf(info) };
}

/**
 * Turns a folder listing into entries. Names a server should never send (CR, LF, NUL, '/', '.',
 * '..') are left out and reported through `onSkip`, so one bad name does not hide the others.
 */
export function toEntries(dir: string, infos: readonly FileInfo[], onSkip: (name: string) => void): RemoteEntry[] {
  const out: RemoteEntry[] = [];
  for (const info of infos) {
    if (info.name === '.' || info.name === '..') continue;
    if (isUnsafeName(info.name)) {
      onSkip(info.name);
      continue;
    }
    out.push({ ...toEntry(joinRemote(dir, info.name), info), name: info.name });
  }
  return out;
}

const readable = (line: string): boolean => {
  try {
    parseList(line);
    return true;
  } catch {
    return false;
  }
};

/**
 * Parses a raw LIST / MLSD listing like basic-ftp does, but first drops lines with a bare CR or a
 * NUL: basic-ftp's LIST parser would cut `a\rb.csv` to `a`, a different file. basic-ftp also picks
 * its parser by the last line alone, so trailing lines no parser can read (the tail of a name with
 * a line break, `x\r\nDELE y.csv`) are dropped too; otherwise one such name would make the whole
 * folder unlistable. Each dropped line is reported through `onSkip`.
 */
export function safeParseList(raw: string, onSkip: (line: string) => void): FileInfo[] {
  const kept: string[] = [];
  for (const line of raw.split('\n')) {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (/[\r\u0000]/.test(text)) onSkip(text);
    else kept.push(text);
  }
  // blank and `total` lines are skipped by basic-ftp before it looks for the last line, so here too
  const meta = (line: string): boolean => line.trim() === '' || line.startsWith('total');
  for (let last = kept.at(-1); last !== undefined && (meta(last) || !readable(last)); last = kept.at(-1)) {
    kept.pop();
    if (!meta(last)) onSkip(last);
  }
  return parseList(kept.join('\n'));
}

/**
 * Reads the fact line of an MLST reply (`250-Listing x`, ` type=file;size=3;modify=…; /x`, `250 End`).
 * Undefined when the reply carries no facts.
 */
export function parseMlstReply(message: string): FileInfo | undefined {
  const lines = message.split(/\r?\n/).slice(1, -1);
  const facts = lines.map((line) => line.replace(/^\s+/, '')).find((line) => /^[^\s=]+=[^;]*;/.test(line));
  if (facts === undefined) return undefined;
  // the name part is the full path, which basic-ftp's MLSD parser drops as "not in this folder"
  const space = facts.indexOf(' ');
  return parseList(`${space < 0 ? facts : facts.slice(0, space)} entry`)[0];
}
