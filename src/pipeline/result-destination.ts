import { isAbsolute, join, parse, posix, resolve } from 'node:path';

import type { LoadedProfile } from '../profiles/types.js';
import type { BatchRow } from '../store/types.js';

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Expands `{date:yyyyMMdd}` / `{time:HHmmss}` with the letters y M d H m s, in local time. */
function formatStamp(pattern: string, at: Date): string {
  return pattern
    .replace(/yyyy/g, String(at.getFullYear()))
    .replace(/MM/g, pad(at.getMonth() + 1))
    .replace(/dd/g, pad(at.getDate()))
    .replace(/HH/g, pad(at.getHours()))
    .replace(/mm/g, pad(at.getMinutes()))
    .replace(/ss/g, pad(at.getSeconds()));
}

/** Longest file name ferry makes, in UTF-8 bytes: file systems allow 255, and result copies get a batch-id prefix. */
const MAX_NAME_BYTES = 200;

/** The longest start of `text` that fits in `maxBytes` UTF-8 bytes, cut between code points. */
function fitUtf8(text: string, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    bytes += Buffer.byteLength(ch);
    if (bytes > maxBytes) break;
    out += ch;
  }
  return out;
}

/**
 * A remote file name made safe to use as one path segment: no separators, no control characters,
 * no leading dot, at most 200 UTF-8 bytes (a longer name is cut between code points, keeping its
 * extension).
 */
export function safeFileName(name: string): string {
  const cleaned = name.replace(/[\u0000-\u001f\u007f/\\]/g, '_').replace(/^\.+/, '_');
  if (cleaned === '') return '_';
  if (Buffer.byteLength(cleaned) <= MAX_NAME_BYTES) return cleaned;
  const ext = /\.[A-Za-z0-9]{1,16}$/.exec(cleaned)?.[0] ?? '';
  return fitUtf8(cleaned.slice(0, cleaned.length - ext.length), MAX_NAME_BYTES - ext.length) + ext;
}

/**
 * Expands a file name template: `{name}` `{stem}` `{ext}` of the source file, `{date:…}`,
 * `{time:…}`, `{profile}`, `{batch}` and `{param.name}` (a run parameter; empty when not given).
 * The source name is sanitised first and the result again, so a hostile name or parameter cannot
 * climb out of the result folder.
 */
export function expandNameTemplate(template: string, vars: { fileName: string; profile: string; batch: string; at: Date; params?: Readonly<Record<string, string>> }): string {
  const name = safeFileName(vars.fileName);
  const { name: stem, ext } = parse(name);
  const out = template.replace(/\{(name|stem|ext|profile|batch|date|time|param\.[A-Za-z][A-Za-z0-9_]*)(?::([^}]+))?\}/g, (_m, key: string, fmt: string | undefined) => {
    if (key.startsWith('param.')) {
      const p = key.slice(6);
      return vars.params !== undefined && Object.hasOwn(vars.params, p) ? (vars.params[p] ?? '') : '';
    }
    switch (key) {
      case 'name': return name;
      case 'stem': return stem;
      case 'ext': return ext.replace(/^\./, '');
      case 'profile': return vars.profile;
      case 'batch': return vars.batch;
      case 'date': return formatStamp(fmt ?? 'yyyyMMdd', vars.at);
      default: return formatStamp(fmt ?? 'HHmmss', vars.at);
    }
  });
  return safeFileName(out);
}

/** Where a batch's result file is written, and where it is delivered when that is a server. */
export interface ResultDestination {
  /** the file written first (the final file for local destinations) */
  readonly localPath: string;
  /** the remote folder path to upload to, when `results.to.connection` is a server */
  readonly remotePath?: string;
  readonly doneFile: boolean;
}

/**
 * Where the result file of a batch goes: `results.to.dir` on the local disk, joined to the `root` of
 * a `local` connection, or on the server of an SFTP/FTP connection (written locally first, then
 * uploaded). Without `results`, into `<data>/results/<profile>/`.
 */
export function resultDestination(loaded: LoadedProfile, batch: BatchRow, dataDir: string, params?: Readonly<Record<string, string>>): ResultDestination {
  const results = loaded.profile.results;
  const name = expandNameTemplate(results?.name ?? `{stem}.result.${results?.format ?? 'csv'}`, { fileName: batch.fileName, profile: loaded.id, batch: batch.id, at: new Date(batch.createdAt), ...(params === undefined ? {} : { params }) });
  if (results === undefined) return { localPath: resolve(dataDir, 'results', loaded.id, `${batch.id}-${name}`), doneFile: false };
  const connection = loaded.connections.results;
  const doneFile = results.doneFile === true;
  if (connection !== undefined && connection.type !== 'local') {
    return { localPath: resolve(dataDir, 'results', loaded.id, `${batch.id}-${name}`), remotePath: posix.join(results.to.dir, name), doneFile };
  }
  const root = connection?.type === 'local' && connection.root !== undefined ? connection.root : undefined;
  const dir = root === undefined || isAbsolute(results.to.dir) ? results.to.dir : join(root, results.to.dir);
  return { localPath: resolve(dir, name), doneFile };
}
