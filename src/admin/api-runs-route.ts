import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Logger } from '../log.js';
import type { HookTarget } from './types.js';
import { BodyTooLarge, readBody } from './read-body.js';
import { answerRunRequest, RUN_BODY_LIMIT, runRequestBody, sendJson } from './run-request.js';

/**
 * `POST /api/profiles/<id>/runs` with `{ "params": { … } }`: a manual run, as `ferry run --param`
 * in the daemon (the caller is already authenticated as admin). 202 with the run id; a run already
 * waiting or in progress is joined (`coalesced: true`).
 */
export async function handleApiRun(req: IncomingMessage, res: ServerResponse, profile: string, target: Pick<HookTarget, 'params' | 'requestRun'> | undefined, log: Logger): Promise<void> {
  let body: Buffer;
  try {
    body = await readBody(req, RUN_BODY_LIMIT);
  } catch (err) {
    if (err instanceof BodyTooLarge) return sendJson(res, 413, { error: err.message });
    throw err;
  }
  if (target === undefined) return sendJson(res, 404, { error: `no running profile ${profile}` });
  const parsed = runRequestBody(body);
  if (typeof parsed === 'string') return sendJson(res, 400, { error: parsed });
  if (parsed.fields.file !== undefined) return sendJson(res, 400, { error: '"file" is not supported by the daemon yet; use ferry run --file, or POST /upload/<profile>' });
  return answerRunRequest(res, profile, target, 'api', parsed.given, log);
}
