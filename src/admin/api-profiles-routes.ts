import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename } from 'node:path';

import { createTwoFilesPatch } from 'diff';
import { stringify as toYaml } from 'yaml';

import type { Logger } from '../log.js';
import { type AuditAction, auditEntry } from './audit-entry.js';
import { listProfileFiles, loadProfileSet, profileIdOf } from '../profiles/load.js';
import type { LoadedProfile } from '../profiles/types.js';
import { BODY_LIMITS, diffQuery, parseJsonBody, parseQuery, rollbackBody } from './api-schemas.js';
import { maskedConnection, maskedUrl } from './masked.js';
import { type ApiProblem, apiProblem, currentVersion, PROFILE_ID, readProfileFile, roughFacts, validateProfileText, writeProfileFile } from './profile-files.js';
import { BodyTooLarge, readBody, refuseBody } from './read-body.js';
import type { Route } from './router.js';
import { sendJson } from './run-request.js';
import type { AdminContext } from './types.js';

const ID = '([A-Za-z0-9_][A-Za-z0-9_.-]{0,99})';

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** The facts of a profile the console lists; from the loaded profile when valid, else from its text. */
function summary(id: string, text: string, loaded: LoadedProfile | undefined, problems: readonly ApiProblem[], version: number): Record<string, unknown> {
  const rough = roughFacts(text);
  const p = loaded?.profile;
  const source = p?.source;
  const target = loaded?.export === undefined ? p?.target : undefined;
  return {
    id,
    kind: loaded?.export !== undefined ? 'export' : rough.kind,
    description: rough.description,
    valid: loaded !== undefined,
    problems,
    version,
    source: source === undefined ? null : { type: source.type, connection: typeof source.connection === 'string' ? source.connection : source.connection === undefined ? null : '(inline)', dir: source.dir ?? null },
    target: loaded?.export !== undefined ? { type: 'export', url: maskedUrl(loaded.export.source.url) } : target === undefined ? null : target.type === 'http' ? { type: target.type, url: maskedUrl(target.url) } : { type: target.type, url: null, exchange: target.exchange, routingKey: target.routingKey ?? '' },
    // a webhook trigger holds its token and secret: write-only, like connection secrets
    trigger: p?.trigger === undefined ? null : maskedConnection(p.trigger),
    params: p?.params ?? {},
  };
}

async function profileText(req: IncomingMessage, res: ServerResponse): Promise<string | undefined> {
  let body: Buffer;
  try {
    body = await readBody(req, BODY_LIMITS.profile);
  } catch (err) {
    if (err instanceof BodyTooLarge) return void refuseBody(req, res, err);
    throw err;
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json') {
    try {
      const value: unknown = JSON.parse(body.toString('utf8'));
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return void sendJson(res, 400, { error: 'a JSON profile must be an object' });
      return toYaml(value, { lineWidth: 0 });
    } catch {
      return void sendJson(res, 400, { error: 'the body is not valid JSON' });
    }
  }
  if (type !== '' && !['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'].includes(type)) {
    return void sendJson(res, 415, { error: 'send the profile as application/yaml (or text/yaml, text/plain) or application/json' });
  }
  const text = body.toString('utf8');
  if (text.includes('\u0000')) return void sendJson(res, 400, { error: 'the profile text holds a NUL byte' });
  return text;
}

/**
 * Validates and writes a profile text as the file of `id`, then records the save (who, when,
 * note). Invalid: 422 with every problem and nothing written.
 */
async function save(ctx: AdminContext, res: ServerResponse, id: string, text: string, savedBy: string, note: string | null, action: AuditAction): Promise<void> {
  const checked = await validateProfileText(ctx.profilesDir, id, text);
  if (checked.profile === undefined) {
    sendJson(res, 422, { error: `profile ${id} is not valid; nothing was saved`, problems: checked.problems });
    return;
  }
  const before = await readProfileFile(ctx.profilesDir, id);
  const unchanged = before?.text === text;
  if (!unchanged) await writeProfileFile(ctx.profilesDir, id, text);
  // the audit row commits with the save record
  const audit = auditEntry(savedBy, action, id, { note, unchanged });
  const version = await ctx.store.recordProfileSave({ profile: id, contentHash: checked.profile.contentHash, content: text, savedBy, note, audit });
  sendJson(res, before === undefined ? 201 : 200, { id, version, contentHash: checked.profile.contentHash, created: before === undefined, unchanged, warnings: checked.problems.filter((p) => p.severity === 'warning') });
}

/**
 * The profile routes: list, read, save (PUT, YAML or JSON, validated in full), versions with who
 * and when, a diff between versions, rollback, and the connections with their secrets masked. The
 * profiles folder is the source of truth: every read goes to the files.
 */
export function profileRoutes(ctx: AdminContext, log: Logger): Route[] {
  return [
    {
      method: 'GET', path: /^\/api\/profiles$/, access: 'api',
      handle: async ({ res }) => {
        // validated as the daemon loads them: a secret missing from its environment is an error
        const set = await loadProfileSet(ctx.profilesDir);
        const list: Record<string, unknown>[] = [];
        for (const file of await listProfileFiles(ctx.profilesDir)) {
          const id = profileIdOf(file);
          const loaded = set.profiles.get(id);
          // a valid profile's text came with the load; only an invalid file is read again
          const text = loaded?.text ?? (await readProfileFile(ctx.profilesDir, id))?.text;
          if (text === undefined) continue;
          const problems = set.problems.filter((p) => basename(p.file) === file).map(apiProblem);
          const { version } = await currentVersion(ctx.store, id, text);
          list.push(summary(id, text, loaded, problems, version));
        }
        sendJson(res, 200, { profiles: list });
      },
    },
    {
      method: 'GET', path: new RegExp(`^/api/profiles/${ID}$`), access: 'api',
      handle: async ({ res, params: [id = ''] }) => {
        const found = await readProfileFile(ctx.profilesDir, id);
        if (found === undefined) return sendJson(res, 404, { error: `no profile ${id}` });
        const checked = await validateProfileText(ctx.profilesDir, id, found.text);
        const { version, contentHash } = await currentVersion(ctx.store, id, found.text);
        sendJson(res, 200, { ...summary(id, found.text, checked.profile, checked.problems, version), text: found.text, contentHash });
      },
    },
    {
      method: 'PUT', path: new RegExp(`^/api/profiles/${ID}$`), access: 'api',
      handle: async ({ req, res, url, params: [id = ''], caller }) => {
        if (!PROFILE_ID.test(id) || id === 'connections') return sendJson(res, 400, { error: `"${id}" cannot be a profile id` });
        const text = await profileText(req, res);
        if (text === undefined) return;
        await save(ctx, res, id, text, caller?.name ?? 'api', url.searchParams.get('note')?.slice(0, 500) ?? null, 'profile.save');
        log.info({ profile: id, by: caller?.name }, 'profile saved through the API');
      },
    },
    {
      method: 'GET', path: new RegExp(`^/api/profiles/${ID}/versions$`), access: 'api',
      handle: async ({ res, params: [id = ''] }) => {
        const found = await readProfileFile(ctx.profilesDir, id);
        const current = found === undefined ? undefined : await currentVersion(ctx.store, id, found.text);
        const versions = await ctx.store.listProfileVersions(id);
        if (versions.length === 0 && found === undefined) return sendJson(res, 404, { error: `no profile ${id}` });
        const saves = await ctx.store.listProfileSaves(id, 200);
        sendJson(res, 200, {
          versions: versions.map((v) => ({ version: v.version, contentHash: v.contentHash, savedBy: v.savedBy, savedAt: iso(v.savedAt), firstSeen: iso(v.firstSeen), note: v.note, current: v.version === current?.version })),
          saves: saves.map((s) => ({ ...s, savedAt: iso(s.savedAt) })),
        });
      },
    },
    {
      method: 'GET', path: new RegExp(`^/api/profiles/${ID}/versions/(\\d+)$`), access: 'api',
      handle: async ({ res, params: [id = '', n = ''] }) => {
        const v = await ctx.store.getProfileVersion(id, Number(n));
        if (v === undefined) return sendJson(res, 404, { error: `profile ${id} has no version ${n}` });
        if (v.content === null) return sendJson(res, 410, { error: `the text of ${id} v${n} was not kept (it predates kept texts)` });
        sendJson(res, 200, { version: v.version, contentHash: v.contentHash, savedBy: v.savedBy, savedAt: iso(v.savedAt), firstSeen: iso(v.firstSeen), note: v.note, text: v.content });
      },
    },
    {
      method: 'GET', path: new RegExp(`^/api/profiles/${ID}/diff$`), access: 'api',
      handle: async ({ res, url, params: [id = ''] }) => {
        const q = parseQuery(res, url, diffQuery);
        if (q === undefined) return;
        const from = await ctx.store.getProfileVersion(id, q.from);
        let to: { label: string; text: string | null; version: number } | undefined;
        if (q.to === undefined) {
          const found = await readProfileFile(ctx.profilesDir, id);
          if (found !== undefined) to = { label: 'current', text: found.text, version: (await currentVersion(ctx.store, id, found.text)).version };
        } else {
          const v = await ctx.store.getProfileVersion(id, q.to);
          if (v !== undefined) to = { label: `v${v.version}`, text: v.content, version: v.version };
        }
        if (from === undefined || to === undefined) return sendJson(res, 404, { error: `profile ${id} has no such version` });
        if (from.content === null || to.text === null) return sendJson(res, 410, { error: 'the text of one of these versions was not kept' });
        sendJson(res, 200, { from: from.version, to: to.version, diff: createTwoFilesPatch(`${id} v${from.version}`, `${id} ${to.label}`, from.content, to.text) });
      },
    },
    {
      method: 'POST', path: new RegExp(`^/api/profiles/${ID}/rollback$`), access: 'api',
      handle: async ({ req, res, params: [id = ''], caller }) => {
        const body = await parseJsonBody(req, res, rollbackBody);
        if (body === undefined) return;
        const v = await ctx.store.getProfileVersion(id, body.version);
        if (v === undefined) return sendJson(res, 404, { error: `profile ${id} has no version ${body.version}` });
        if (v.content === null) return sendJson(res, 410, { error: `the text of ${id} v${body.version} was not kept` });
        await save(ctx, res, id, v.content, caller?.name ?? 'api', body.note ?? `rollback to v${body.version}`, 'profile.rollback');
        log.info({ profile: id, version: body.version, by: caller?.name }, 'profile rolled back through the API');
      },
    },
    {
      method: 'GET', path: /^\/api\/connections$/, access: 'api',
      handle: async ({ res }) => {
        const set = await loadProfileSet(ctx.profilesDir, { unresolvedSecrets: 'warn' });
        sendJson(res, 200, { connections: [...set.connections].map(([name, c]) => ({ name, ...maskedConnection(c) })) });
      },
    },
  ];
}
