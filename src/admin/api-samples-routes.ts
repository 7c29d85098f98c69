import { rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { basename, join } from 'node:path';

import { stringify as toYaml } from 'yaml';

import { FerryError } from '../errors.js';
import { previewFile } from '../preview/preview-file.js';
import { inspectSample, sampleFormat, starterProfileYaml } from '../preview/starter-profile.js';
import { loadProfileSet, loadProfileText } from '../profiles/load.js';
import { resolveParams } from '../profiles/run-params.js';
import type { LoadedProfile } from '../profiles/types.js';
import { newId } from '../util/ids.js';
import { BODY_LIMITS, parseJsonBody, previewBody } from './api-schemas.js';
import { apiProblem } from './profile-files.js';
import { BodyTooLarge, refuseBody } from './read-body.js';
import type { Route } from './router.js';
import { sendJson } from './run-request.js';
import { findSample, pruneSamples, sampleExtension, samplesDir, saveBody } from './sample-files.js';
import type { AdminContext } from './types.js';

const FORMATS = new Set(['csv', 'xlsx', 'xml', 'json', 'ndjson']);

/** Runs a preview, answering a file-level input error (unreadable, wrong format) as 422 with its code. */
async function answerPreview(res: ServerResponse, loaded: LoadedProfile, path: string, name: string, rows: number, given: Readonly<Record<string, string>>): Promise<void> {
  const params = resolveParams(loaded.profile.params, given);
  if (!params.ok) return sendJson(res, 422, { error: 'the parameters do not fit the profile', problems: params.problems.map((message) => ({ path: 'params', line: 1, message, severity: 'error' })) });
  try {
    sendJson(res, 200, await previewFile(loaded, { path, name }, { rows, params: params.params }));
  } catch (err) {
    if (err instanceof FerryError && err.kind === 'input') return sendJson(res, 422, { error: `${name}: ${err.message}`, code: err.code, location: err.location ?? null });
    throw err;
  }
}

async function receive(req: Parameters<Route['handle']>[0]['req'], res: ServerResponse, path: string): Promise<number | undefined> {
  try {
    return await saveBody(req, path, BODY_LIMITS.sample);
  } catch (err) {
    if (err instanceof BodyTooLarge) return void refuseBody(req, res, err);
    throw err;
  }
}

/**
 * The mapping editor's routes: `POST /api/samples` keeps a sample file and says what it holds
 * (format, columns, first rows, a starter profile); `POST /api/preview` previews an unsaved
 * profile against it; `POST /api/profiles/<id>/preview` previews a saved profile against a file in
 * the body. Nothing is sent or recorded.
 */
export function sampleRoutes(ctx: AdminContext): Route[] {
  return [
    {
      method: 'POST', path: /^\/api\/samples$/, access: 'api',
      handle: async ({ req, res, url }) => {
        const name = basename(url.searchParams.get('name') ?? 'sample.csv').slice(0, 200);
        const type = url.searchParams.get('format') ?? undefined;
        if (type !== undefined && !FORMATS.has(type)) return sendJson(res, 400, { error: `format must be one of ${[...FORMATS].join(', ')}` });
        await pruneSamples(ctx.dataDir);
        const id = newId('smp');
        const path = join(samplesDir(ctx.dataDir), `${id}${sampleExtension(name)}`);
        const size = await receive(req, res, path);
        if (size === undefined) return;
        const format = sampleFormat(name, type as Parameters<typeof sampleFormat>[1]);
        try {
          const s = await inspectSample({ path, name }, format);
          const profileId = name.replace(/\.[^.]*$/, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'new-profile';
          sendJson(res, 201, {
            sample: id, name, size,
            detected: { ...s.detected, format: format.type, columns: s.columns },
            fields: s.guesses,
            rows: s.rows,
            profile: starterProfileYaml(profileId, name, format, s.detected, s.guesses),
          });
        } catch (err) {
          await rm(path, { force: true });
          if (err instanceof FerryError && err.kind === 'input') return sendJson(res, 422, { error: `${name}: ${err.message}`, code: err.code, location: err.location ?? null });
          throw err;
        }
      },
    },
    {
      method: 'POST', path: /^\/api\/preview$/, access: 'api',
      handle: async ({ req, res }) => {
        const body = await parseJsonBody(req, res, previewBody);
        if (body === undefined) return;
        const path = await findSample(ctx.dataDir, body.sample);
        if (path === undefined) return sendJson(res, 404, { error: `no sample ${body.sample} (samples are kept for a day); upload it again` });
        const text = typeof body.profile === 'string' ? body.profile : toYaml(body.profile, { lineWidth: 0 });
        const loaded = await loadProfileText(ctx.profilesDir, body.id ?? 'preview', text, { unresolvedSecrets: 'warn' });
        const problems = loaded.problems.map(apiProblem);
        if (loaded.profile === undefined || problems.some((p) => p.severity === 'error')) return sendJson(res, 422, { error: 'the profile is not valid yet', problems });
        await answerPreview(res, loaded.profile, path, basename(path), body.rows, body.params);
      },
    },
    {
      method: 'POST', path: /^\/api\/profiles\/([A-Za-z0-9_][A-Za-z0-9_.-]{0,99})\/preview$/, access: 'api',
      handle: async ({ req, res, url, params: [id = ''] }) => {
        const set = await loadProfileSet(ctx.profilesDir, { only: id, unresolvedSecrets: 'warn' });
        const loaded = set.profiles.get(id);
        if (loaded === undefined) {
          const problems = set.problems.map(apiProblem).filter((p) => p.severity === 'error');
          return sendJson(res, problems.length === 0 ? 404 : 422, problems.length === 0 ? { error: `no profile ${id}` } : { error: `profile ${id} is not valid`, problems });
        }
        const name = basename(url.searchParams.get('name') ?? 'sample.csv').slice(0, 200);
        const rows = Math.min(1000, Math.max(0, Number(url.searchParams.get('rows') ?? 50) || 50));
        await pruneSamples(ctx.dataDir);
        const path = join(samplesDir(ctx.dataDir), `${newId('smp')}${sampleExtension(name)}`);
        if ((await receive(req, res, path)) === undefined) return;
        try {
          await answerPreview(res, loaded, path, name, rows, {});
        } finally {
          await rm(path, { force: true });
        }
      },
    },
  ];
}
