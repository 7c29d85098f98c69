import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Logger } from '../log.js';
import { resolveParams } from '../profiles/run-params.js';
import { BodyTooLarge, readBody } from './read-body.js';
import type { HookTarget } from './types.js';
import { checkWebhook, type ReplayGuard } from './webhook-auth.js';

/** A webhook call carries at most run parameters. */
const HOOK_BODY_LIMIT = 64 * 1024;

function send(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** The `params` of a JSON body, as text; undefined for an empty body. */
function paramsOf(body: Buffer): Record<string, string> | string {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return 'the body must be JSON: {"params": {"name": "value"}} (or empty)';
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'the body must be a JSON object';
  const params: unknown = (parsed as Record<string, unknown>).params;
  if (params === undefined) return {};
  if (params === null || typeof params !== 'object' || Array.isArray(params)) return '"params" must be an object of name: value';
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return `params.${k} must be text, a number or true/false`;
    out[k] = String(v);
  }
  return out;
}

/**
 * `POST /hooks/<profile>`: starts a run of the profile (202 with the run id). Authenticated by the
 * profile's `trigger.webhook` token or signature; 401 starts nothing, a replayed signed call gets
 * 409. A call while a run is waiting or in progress names that run and says `coalesced: true`.
 */
export async function handleHook(req: IncomingMessage, res: ServerResponse, profile: string, target: HookTarget | undefined, replays: ReplayGuard, log: Logger): Promise<void> {
  let body: Buffer;
  try {
    body = await readBody(req, HOOK_BODY_LIMIT);
  } catch (err) {
    if (err instanceof BodyTooLarge) return send(res, 413, { error: err.message });
    throw err;
  }
  if (target?.webhook === undefined) return send(res, 404, { error: `no webhook trigger for profile ${profile}` });
  const check = checkWebhook(target.webhook, req.headers, body, Math.floor(Date.now() / 1000), replays);
  if (!check.ok) {
    log.warn({ profile, status: check.status, reason: check.message }, 'webhook call refused');
    return send(res, check.status, { error: check.message });
  }
  const given = paramsOf(body);
  if (typeof given === 'string') return send(res, 400, { error: given });
  const params = resolveParams(target.params, given);
  if (!params.ok) return send(res, 422, { error: 'the run parameters do not fit the profile', problems: params.problems });
  const run = target.requestRun('webhook', params.params);
  if (run === undefined) return send(res, 503, { error: `profile ${profile} is stopped or suspended; see /healthz` });
  if ('busy' in run) return send(res, 409, { error: run.busy });
  log.info({ profile, run: run.runId, coalesced: run.coalesced, via: check.via }, 'webhook call accepted');
  return send(res, 202, {
    profile, run: run.runId, coalesced: run.coalesced,
    ...(run.coalesced ? { message: `a run of ${profile} is already waiting or in progress (${run.runId}); this call joins it` } : {}),
  });
}
