import { createHash, randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

import { parse as parseYaml } from 'yaml';

import { loadProfileText } from '../profiles/load.js';
import type { LoadedProfile, Problem } from '../profiles/types.js';
import type { StateStore } from '../store/types.js';
import { auditEntry } from './audit-entry.js';

/** A problem as the API shows it: a dotted key path, the line, the message. */
export interface ApiProblem {
  readonly path: string;
  readonly line: number;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

/** `fields.lines[0].from` */
export function dottedPath(path: readonly (string | number)[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

/** A loader problem in the API's form. */
export function apiProblem(p: Problem): ApiProblem {
  return { path: dottedPath(p.path), line: Math.max(1, p.line), message: p.message, severity: p.severity === 'warning' ? 'warning' : 'error' };
}

/** A profile id as file names allow it (the same pattern as the routes). */
export const PROFILE_ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/;

/** The sha256 of a profile text, as LoadedProfile.contentHash. */
export function contentHashOf(text: string): string {
  return createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');
}

/** The file of profile `id` (`.yaml`, else `.yml`) and its text; undefined when there is none. */
export async function readProfileFile(dir: string, id: string): Promise<{ path: string; text: string } | undefined> {
  for (const ext of ['.yaml', '.yml']) {
    const path = join(dir, `${id}${ext}`);
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text !== undefined) return { path, text };
  }
  return undefined;
}

/**
 * Writes a profile file so that the daemon's reload never reads half of it: a temporary name in
 * the same folder, then a rename over the old file. An existing `.yml` file keeps its name.
 */
export async function writeProfileFile(dir: string, id: string, text: string): Promise<string> {
  const path = (await readProfileFile(dir, id))?.path ?? join(dir, `${id}.yaml`);
  const temp = join(dir, `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, { encoding: 'utf8', flag: 'wx' });
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  return path;
}

/** Validates a profile text as `ferry check` would (every problem, secrets resolved as the daemon does). */
export async function validateProfileText(dir: string, id: string, text: string): Promise<{ profile?: LoadedProfile; problems: ApiProblem[] }> {
  const { profile, problems } = await loadProfileText(dir, id, text);
  const shown = problems.map(apiProblem);
  return { ...(profile === undefined || shown.some((p) => p.severity === 'error') ? {} : { profile }), problems: shown };
}

/**
 * The version number of the text on disk, registering it (saved by `disk`) when ferry has not
 * seen that content before: an edit made outside the API shows up as a version of its own.
 */
export async function currentVersion(store: StateStore, id: string, text: string): Promise<{ version: number; contentHash: string }> {
  const contentHash = contentHashOf(text);
  const known = (await store.listProfileVersions(id)).find((v) => v.contentHash === contentHash);
  if (known !== undefined && known.savedBy !== null) return { version: known.version, contentHash };
  const note = known === undefined ? 'edited on disk' : 'first seen by the API';
  const version = await store.recordProfileSave({ profile: id, contentHash, content: text, savedBy: 'disk', note, audit: auditEntry('disk', 'profile.disk-edit', id, { note }) });
  return { version, contentHash };
}

/** What a profile text says about itself, read leniently so that an invalid file still shows in lists. */
export function roughFacts(text: string): { kind: 'import' | 'export'; description: string | null } {
  try {
    const doc: unknown = parseYaml(text);
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return { kind: 'import', description: null };
    const o = doc as Record<string, unknown>;
    return { kind: o.kind === 'export' ? 'export' : 'import', description: typeof o.description === 'string' ? o.description : null };
  } catch {
    return { kind: 'import', description: null };
  }
}
