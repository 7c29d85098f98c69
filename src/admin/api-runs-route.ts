import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Logger } from '../log.js';
import { resolveParams } from '../profiles/run-params.js';
import type { HookTarget } from './types.js';
import { BodyTooLarge, readBody } from './read-body.js';

function send(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/**
 * `POST /api/profiles/<id>/runs` with `{ "params": { … } }`: a manual run, as `ferry run --param`
 * in the daemon (the caller is already authenticated as admin). 202 with the run id; a run already
 * waiting or in progress is joined (`coalesced: true`).
 */
export async function handleApiRun(req: IncomingMessage, res: ServerResponse, profile: string, target: Pick<HookTarget, 'params' | 'requestRun'> | undefined, log: Logger): Promise<void> {
  let body: Buffer;
  try {
    body = await readBody(req, 64 * 1024);
  } catch (err) {
    if (err instanceof BodyTooLarge) return send(res, 413, { error: err.message });
    throw err;
  }
  if (target === undefined) return send(res, 404, { error: `no running profile ${profile}` });
  let parsed: unknown = {};
  try {
    if (body.length > 0) parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return send(res, 400, { error: 'the body must be JSON: {"params": {"name": "value"}}' });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return send(res, 400, { error: 'the body must be a JSON object' });
  const fields = parsed as Record<string, unknown>;
  if (fields.file !== undefined) return send(res, 400, { error: '"file" is not supported by the daemon yet; use ferry run --file, or POST /upload/<profile>' });
  const raw = fields.params ?? {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return send(res, 400, { error: '"params" must be an object of name: value' });
  const given: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return send(res, 400, { error: `params.${k} must be text, a number or true/false` });
    given[k] = String(v);
  }
  const params = resolveParams(target.params, given);
  if (!params.ok) return send(res, 422, { error: 'the run parameters do not fit the profile', problems: params.problems });
  const run = target.requestRun('api', params.params);
  if (run === undefined) return send(res, 503, { error: `profile ${profile} is stopped or suspended; see /healthz` });
  if ('busy' in run) return send(res, 409, { error: run.busy });
  log.info({ profile, run: run.runId, coalesced: run.coalesced }, 'manual run requested through the API');
  return send(res, 202, { profile, run: run.runId, coalesced: run.coalesced, params: params.params.texts });
}
