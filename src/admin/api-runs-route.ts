import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Logger } from '../log.js';
import { recordAudit } from './audit-entry.js';
import type { StateStore } from '../store/types.js';
import type { HookTarget } from './types.js';
import { BodyTooLarge, readBody, refuseBody } from './read-body.js';
import { answerRunRequest, RUN_BODY_LIMIT, runRequestBody, sendJson } from './run-request.js';

/**
 * `POST /api/profiles/<id>/runs` with `{ "params": { … }, "file": "name.csv" }` (both optional): a
 * manual run, as `ferry run --param` in the daemon (the caller is already authenticated as admin);
 * with `file`, only that file of the source folder. 202 with the run id; a run already waiting or
 * in progress with the same request is joined (`coalesced: true`).
 */
export async function handleApiRun(req: IncomingMessage, res: ServerResponse, profile: string, target: Pick<HookTarget, 'params' | 'requestRun' | 'takesFile'> | undefined, log: Logger, audit: { store: StateStore; actor: string }): Promise<void> {
  let body: Buffer;
  try {
    body = await readBody(req, RUN_BODY_LIMIT);
  } catch (err) {
    if (err instanceof BodyTooLarge) return refuseBody(req, res, err);
    throw err;
  }
  if (target === undefined) return sendJson(res, 404, { error: `no running profile ${profile}` });
  const parsed = runRequestBody(body);
  if (typeof parsed === 'string') return sendJson(res, 400, { error: parsed });
  const file = parsed.fields.file;
  if (file !== undefined) {
    if (target.takesFile !== true) return sendJson(res, 400, { error: `profile ${profile} does not read a folder; "file" does not apply` });
    if (typeof file !== 'string' || file === '' || file.length > 255 || file.split('/').some((part) => part === '..' || part === '') || file.includes('\0')) {
      return sendJson(res, 400, { error: '"file" must be the name of a file in the profile\'s source folder (a relative path without ..)' });
    }
  }
  // recorded as asked for, before the run starts (the run itself is in the ledger)
  await recordAudit(audit.store, audit.actor, 'run.manual', profile, { params: parsed.given, ...(typeof file === 'string' ? { file } : {}) });
  return answerRunRequest(res, profile, target, 'api', parsed.given, log, typeof file === 'string' ? file : undefined);
}
