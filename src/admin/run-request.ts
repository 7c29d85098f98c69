import type { ServerResponse } from 'node:http';

import type { Logger } from '../log.js';
import { resolveParams } from '../profiles/run-params.js';
import type { HookTarget } from './types.js';

/** A run request's body carries at most its parameters. */
export const RUN_BODY_LIMIT = 64 * 1024;

/**
 * Answers with a JSON body (once). `close` ends the connection too: for a refusal sent before the
 * request body was read, so the client stops sending it.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, options: { close?: boolean } = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...(options.close === true ? { connection: 'close' } : {}) }).end(JSON.stringify(body));
}

/**
 * The JSON body of a run request (`{"params": {...}}`, or empty) as its fields, with `params` as
 * text; a message for a body that is not that.
 */
export function runRequestBody(body: Buffer): { fields: Record<string, unknown>; given: Record<string, string> } | string {
  let parsed: unknown = {};
  try {
    if (body.length > 0) parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return 'the body must be JSON: {"params": {"name": "value"}} (or empty)';
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'the body must be a JSON object';
  const fields = parsed as Record<string, unknown>;
  const raw = fields.params ?? {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return '"params" must be an object of name: value';
  const given: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return `params.${k} must be text, a number or true/false`;
    given[k] = String(v);
  }
  return { fields, given };
}

/**
 * Checks the parameters against the profile and asks for the run: 422 with every problem, 503 for
 * a stopped profile, 409 when busy, else 202 with the run id (and `coalesced` when it joined one).
 */
export function answerRunRequest(res: ServerResponse, profile: string, target: Pick<HookTarget, 'params' | 'requestRun'>, trigger: string, given: Readonly<Record<string, string>>, log: Logger, file?: string): void {
  const params = resolveParams(target.params, given);
  if (!params.ok) return sendJson(res, 422, { error: 'the run parameters do not fit the profile', problems: params.problems });
  const run = target.requestRun(trigger, params.params, file);
  if (run === undefined) return sendJson(res, 503, { error: `profile ${profile} is stopped or suspended; see /healthz` });
  if ('busy' in run) return sendJson(res, 409, { error: run.busy });
  log.info({ profile, run: run.runId, coalesced: run.coalesced, trigger }, 'run requested');
  return sendJson(res, 202, {
    profile, run: run.runId, coalesced: run.coalesced, params: params.params.texts, ...(file === undefined ? {} : { file }),
    ...(run.coalesced ? { message: `a run of ${profile} is already waiting or in progress (${run.runId}); this call joins it` } : {}),
  });
}
