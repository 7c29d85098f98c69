import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';

import { compileMapping } from '../mapping/compile.js';
import { loadLookups } from '../mapping/lookups.js';
import { compileBodyTemplate } from '../targets/body-template.js';
import { type Connection, connectionsFile } from './connection-schema.js';
import { issuesToProblems } from './format-issues.js';
import { type ExportProfile, exportProfileSchema } from './export-schema.js';
import { profileSchema } from './schema.js';
import { findLiteralSecrets, resolveReferences } from './secrets.js';
import type { KeyPath, LoadedProfile, Problem, ProfileSet, YamlSource } from './types.js';
import { parseYamlSource } from './yaml-source.js';

/** How the loader treats `${…}` references that cannot be resolved. */
export interface LoadOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** `warn` for commands that send nothing (preview): a missing secret is a warning, not an error */
  readonly unresolvedSecrets?: 'error' | 'warn';
  /** load only this profile (plus connections) */
  readonly only?: string;
}

const CONNECTIONS_FILE = 'connections.yaml';

/** The profile files of a folder: every .yaml/.yml except connections and profile tests. */
export async function listProfileFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .filter((n) => /\.ya?ml$/.test(n) && n !== CONNECTIONS_FILE && n !== 'connections.yml' && !/\.test\.ya?ml$/.test(n))
    .sort();
}

/** The profile id of a file name: `erp-orders.yaml` → `erp-orders`. */
export function profileIdOf(fileName: string): string {
  return basename(fileName).replace(/\.ya?ml$/, '');
}

function displayName(dir: string, file: string): string {
  const rel = relative(process.cwd(), join(dir, file));
  return rel.startsWith('..') ? join(dir, file) : rel;
}

function located(source: YamlSource, path: KeyPath, message: string, severity: 'error' | 'warning' = 'error', prefix: KeyPath = []): Problem {
  const full = [...prefix, ...path];
  return { file: source.file, line: source.lineOf(full), path: full, message, severity };
}

/**
 * Reads, resolves and validates every profile in `dir` and its connections file. Never stops at the
 * first problem: every problem of every file is returned, located by file, line and key path. Only
 * profiles without errors are returned as loaded.
 */
export async function loadProfileSet(dir: string, options: LoadOptions = {}): Promise<ProfileSet> {
  const env = options.env ?? process.env;
  const absDir = resolve(dir);
  const unresolvedSeverity = options.unresolvedSecrets === 'warn' ? 'warning' : 'error';
  const { connections, problems } = await loadConnections(absDir, dir, env, unresolvedSeverity);
  const profiles = new Map<string, LoadedProfile>();
  const files = (await listProfileFiles(absDir)).filter((f) => options.only === undefined || profileIdOf(f) === options.only);
  for (const file of files) {
    const loaded = await loadOne(absDir, dir, file, connections, env, unresolvedSeverity);
    problems.push(...loaded.problems);
    if (loaded.profile !== undefined) profiles.set(loaded.profile.id, loaded.profile);
  }
  return { profiles, connections, problems };
}

async function loadConnections(absDir: string, dir: string, env: Readonly<Record<string, string | undefined>>, unresolvedSeverity: 'error' | 'warning'): Promise<{ connections: Map<string, Connection>; problems: Problem[] }> {
  const problems: Problem[] = [];
  const connections = new Map<string, Connection>();
  const connectionsPath = join(absDir, CONNECTIONS_FILE);
  if (existsSync(connectionsPath)) {
    const text = await readFile(connectionsPath, 'utf8');
    const { source, problems: yamlProblems } = parseYamlSource(displayName(dir, CONNECTIONS_FILE), text);
    problems.push(...yamlProblems);
    if (yamlProblems.every((p) => p.severity !== 'error') && source.value !== undefined && source.value !== null) {
      for (const s of findLiteralSecrets(source.value)) problems.push(located(source, s.path, s.message));
      const resolved = resolveReferences(source.value, { env, baseDir: absDir });
      for (const s of resolved.issues) problems.push(located(source, s.path, s.message, unresolvedSeverity));
      const parsed = connectionsFile.safeParse(resolved.value);
      if (parsed.success) {
        for (const [name, c] of Object.entries(parsed.data)) connections.set(name, c);
      } else {
        problems.push(...issuesToProblems(parsed.error.issues, source));
      }
    }
  }
  return { connections, problems };
}

/**
 * Loads one profile from a text kept earlier (a stored profile version) as if it were the file
 * `<id>.yaml` in `dir`: connections, lookups and secrets are resolved as they are now.
 */
export async function loadProfileText(dir: string, id: string, text: string, options: LoadOptions = {}): Promise<{ profile?: LoadedProfile; problems: Problem[] }> {
  const env = options.env ?? process.env;
  const absDir = resolve(dir);
  const unresolvedSeverity = options.unresolvedSecrets === 'warn' ? 'warning' : 'error';
  const { connections, problems } = await loadConnections(absDir, dir, env, unresolvedSeverity);
  const loaded = await loadOne(absDir, dir, `${id}.yaml`, connections, env, unresolvedSeverity, Buffer.from(text, 'utf8'));
  return { profile: loaded.profile, problems: [...problems, ...loaded.problems] };
}

async function loadOne(absDir: string, dir: string, file: string, connections: ReadonlyMap<string, Connection>, env: Readonly<Record<string, string | undefined>>, unresolvedSeverity: 'error' | 'warning', given?: Buffer): Promise<{ profile?: LoadedProfile; problems: Problem[] }> {
  const path = join(absDir, file);
  const bytes = given ?? (await readFile(path));
  const { source, problems } = parseYamlSource(displayName(dir, file), bytes.toString('utf8'));
  if (problems.some((p) => p.severity === 'error')) return { problems };
  if (source.value === null || typeof source.value !== 'object' || Array.isArray(source.value)) {
    return { problems: [...problems, { file: source.file, line: 1, path: [], message: 'must be a YAML mapping with version, fields, …', severity: 'error' }] };
  }
  for (const s of findLiteralSecrets(source.value)) problems.push(located(source, s.path, s.message));
  for (const path of forbiddenKeys(source.value)) problems.push(located(source, path, 'is not allowed as a name here'));
  const resolved = resolveReferences(source.value, { env, baseDir: absDir });
  for (const s of resolved.issues) problems.push(located(source, s.path, s.message, unresolvedSeverity));
  const isExport = (resolved.value as Record<string, unknown>).kind === 'export';
  let exportSpec: ExportProfile | undefined;
  let parsed: ReturnType<typeof profileSchema.safeParse>;
  if (isExport) {
    const exp = exportProfileSchema.safeParse(resolved.value);
    if (!exp.success) return { problems: [...problems, ...issuesToProblems(exp.error.issues, source)] };
    exportSpec = exp.data;
    // the import schema holds what both kinds share: fields, lookups, params, trigger, notify
    const { fields, lookups, params, trigger, notify } = exp.data;
    // every export takes `since` (the watermark otherwise) as a run parameter
    parsed = profileSchema.safeParse({ version: 1, fields, lookups, params: { since: { description: 'export records changed since (instead of the watermark)' }, ...params }, trigger, notify });
  } else {
    parsed = profileSchema.safeParse(resolved.value);
  }
  if (!parsed.success) return { problems: [...problems, ...issuesToProblems(parsed.error.issues, source)] };
  const profile = parsed.data;

  const lookupConnection = (ref: unknown, path: KeyPath): Connection | undefined => {
    if (ref === undefined) return undefined;
    if (typeof ref !== 'string') return ref as Connection;
    const c = connections.get(ref);
    if (c === undefined) {
      const known = [...connections.keys()];
      problems.push(located(source, path, `no connection named "${ref}" in profiles/${CONNECTIONS_FILE}${known.length > 0 ? `; known: ${known.join(', ')}` : ''}`));
    }
    return c;
  };
  const sourceConnection = lookupConnection(profile.source?.connection, ['source', 'connection']);
  const resultsConnection = exportSpec === undefined
    ? lookupConnection(profile.results?.to.connection, ['results', 'to', 'connection'])
    : lookupConnection(exportSpec.target.connection, ['target', 'connection']);
  if (sourceConnection !== undefined && profile.source !== undefined && profile.source.type !== 'local' && profile.source.type !== 'http' && sourceConnection.type !== profile.source.type && !(profile.source.type === 'ftps' && sourceConnection.type === 'ftps-implicit')) {
    problems.push(located(source, ['source', 'type'], `is ${profile.source.type}, but connection ${String(profile.source.connection)} is ${sourceConnection.type}`));
  }
  const targetConnection = profile.target?.type === 'amqp' ? lookupConnection(profile.target.connection, ['target', 'connection']) : undefined;
  const triggerConnection = lookupConnection(profile.trigger?.queue?.connection, ['trigger', 'queue', 'connection']);
  const brokerProblem = (c: Connection | undefined, path: KeyPath): void => {
    if (c !== undefined && c.type !== 'amqp') problems.push(located(source, path, `names a ${c.type} connection; it must be a type: amqp connection (a broker)`));
  };
  brokerProblem(targetConnection, ['target', 'connection']);
  brokerProblem(triggerConnection, ['trigger', 'queue', 'connection']);
  if (resultsConnection?.type === 'amqp') {
    problems.push(located(source, exportSpec === undefined ? ['results', 'to', 'connection'] : ['target', 'connection'], 'names an amqp connection; files are written to a folder (local, sftp, ftp or ftps)'));
  }
  if (profile.source?.type === 'amqp' && profile.trigger !== undefined) {
    if (profile.trigger.queue !== undefined) problems.push(located(source, ['trigger', 'queue'], 'cannot start runs of an amqp source: each message on source.queue is a batch already'));
    else problems.push(located(source, ['trigger'], 'is not used by an amqp source: its messages start the batches', 'warning'));
  } else if (profile.trigger?.queue !== undefined && exportSpec === undefined && (profile.source === undefined || profile.source.type === 'http')) {
    problems.push(located(source, ['trigger', 'queue'], `starts runs of a folder source (or an export); ${profile.source === undefined ? 'this profile has no source' : 'uploads start the batches of an http source'}`));
  }

  if (profile.target?.type === 'http') {
    const body = compileBodyTemplate(profile.target.body, profile.target.batchSize ?? 100);
    if (!body.ok) problems.push(located(source, ['target', profile.target.body === undefined ? 'batchSize' : 'body'], body.message));
  }
  if (profile.target?.stream === true && (profile.onError === 'reject-file' || profile.maxRejected !== undefined)) {
    const limit = profile.onError === 'reject-file' ? 'onError: reject-file' : 'maxRejected';
    problems.push(located(source, ['target', 'stream'], `cannot be combined with ${limit}: streamed records are sent before the whole file is read, so the file could no longer be rejected as a whole; remove one of the two`));
  }
  const lookups = await loadLookups(profile.lookups, absDir);
  for (const i of lookups.issues) problems.push(located(source, i.path, i.message));
  const compiled = compileMapping(profile, lookups.tables);
  if (!compiled.ok) for (const i of compiled.issues) problems.push(located(source, i.path, i.message));
  if (problems.some((p) => p.severity === 'error') || !compiled.ok) return { problems };

  return {
    problems,
    profile: {
      id: profileIdOf(file),
      path,
      dir: absDir,
      profile,
      connections: {
        ...(sourceConnection === undefined ? {} : { source: sourceConnection }),
        ...(resultsConnection === undefined ? {} : { results: resultsConnection }),
        ...(targetConnection === undefined ? {} : { target: targetConnection }),
        ...(triggerConnection === undefined ? {} : { trigger: triggerConnection }),
      },
      contentHash: createHash('sha256').update(bytes).digest('hex'),
      text: bytes.toString('utf8'),
      mapping: compiled.mapping,
      ...(exportSpec === undefined ? {} : { export: exportSpec }),
    },
  };
}

/** Keys named `__proto__` anywhere in a file: the schema would drop them silently. */
function forbiddenKeys(value: unknown, path: KeyPath = []): KeyPath[] {
  if (value === null || typeof value !== 'object') return [];
  const found: KeyPath[] = [];
  for (const key of Object.keys(value)) {
    const child: unknown = (value as Record<string, unknown>)[key];
    if (key === '__proto__') found.push([...path, key]);
    else found.push(...forbiddenKeys(child, [...path, Array.isArray(value) ? Number(key) : key]));
  }
  return found;
}

/** Formats a problem as `profiles/<file>.yaml:<line> <key.path>: <message>`. */
export function formatProblem(p: Problem): string {
  const path = p.path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
  return `${p.file}:${p.line} ${path === '' ? '(file)' : path}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`;
}
