import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Logger } from '../log.js';
import { BodyTooLarge, readBody, refuseBody } from './read-body.js';
import { answerRunRequest, RUN_BODY_LIMIT, runRequestBody, sendJson } from './run-request.js';
import type { HookTarget } from './types.js';
import { checkWebhook, type ReplayGuard } from './webhook-auth.js';

/**
 * `POST /hooks/<profile>`: starts a run of the profile (202 with the run id). Authenticated by the
 * profile's `trigger.webhook` token or signature; 401 starts nothing, a replayed signed call gets
 * 409. A call while a run is waiting or in progress names that run and says `coalesced: true`.
 */
export async function handleHook(req: IncomingMessage, res: ServerResponse, profile: string, target: HookTarget | undefined, replays: ReplayGuard, log: Logger): Promise<void> {
  let body: Buffer;
  try {
    body = await readBody(req, RUN_BODY_LIMIT);
  } catch (err) {
    if (err instanceof BodyTooLarge) return refuseBody(req, res, err);
    throw err;
  }
  if (target?.webhook === undefined) return sendJson(res, 404, { error: `no webhook trigger for profile ${profile}` });
  const check = checkWebhook(target.webhook, req.headers, body, Math.floor(Date.now() / 1000), replays);
  if (!check.ok) {
    log.warn({ profile, status: check.status, reason: check.message }, 'webhook call refused');
    return sendJson(res, check.status, { error: check.message });
  }
  const parsed = runRequestBody(body);
  if (typeof parsed === 'string') return sendJson(res, 400, { error: parsed });
  log.info({ profile, via: check.via }, 'webhook call accepted');
  return answerRunRequest(res, profile, target, 'webhook', parsed.given, log);
}
