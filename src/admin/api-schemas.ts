import type { IncomingMessage, ServerResponse } from 'node:http';

import { z } from 'zod';

import { BodyTooLarge, readBody, refuseBody } from './read-body.js';
import { sendJson } from './run-request.js';

/** Limits of request bodies, by kind. */
export const BODY_LIMITS = { json: 1 << 20, profile: 1 << 20, sample: 50 << 20 } as const;

/** Run and batch statuses a list may be filtered by. */
const status = z.enum(['running', 'completed', 'partial', 'failed', 'skipped']);
const limit = z.coerce.number().int().min(1).max(500).default(50);

/** Query of `GET /api/runs` and `GET /api/batches`. */
export const listQuery = z.strictObject({ profile: z.string().min(1).max(100).optional(), status: status.optional(), limit });

/** Query of `GET /api/batches/<id>`: a page of its row problems. */
export const rowsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100), offset: z.coerce.number().int().min(0).default(0) });

/** Query of `GET /api/audit`: a page of the trail, newest first; `before` is a seq (the next page starts below it). */
export const auditQuery = z.strictObject({ limit, before: z.coerce.number().int().min(1).optional() });

/** Query of `GET /api/stats`. */
export const statsQuery = z.strictObject({ minutes: z.coerce.number().int().min(5).max(7 * 24 * 60).default(60), profile: z.string().min(1).max(100).optional() });

/** Query of `GET /api/profiles/<id>/diff`. */
export const diffQuery = z.strictObject({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1).optional() });

/** Body of `POST /api/profiles/<id>/rollback`. */
export const rollbackBody = z.strictObject({ version: z.number().int().min(1), note: z.string().max(500).optional() });

/** Body of `POST /api/batches/<id>/reprocess`. */
export const reprocessBody = z.strictObject({ originalVersion: z.boolean().default(false) });

/** Body of `POST /api/preview`: an unsaved profile against an uploaded sample. */
export const previewBody = z.strictObject({
  profile: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
  sample: z.string().regex(/^smp_[A-Za-z0-9]+$/, { message: 'must be the id /api/samples answered with' }),
  id: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/).optional(),
  rows: z.number().int().min(1).max(1000).default(50),
  params: z.record(z.string(), z.string()).default({}),
});

/** The issues of a failed parse as `{ path, message }`. */
export function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/** Parses the query string with `schema`; answers 400 and returns undefined when it does not fit. */
export function parseQuery<T extends z.ZodType>(res: ServerResponse, url: URL, schema: T): z.infer<T> | undefined {
  const parsed = schema.safeParse(Object.fromEntries(url.searchParams));
  if (parsed.success) return parsed.data;
  sendJson(res, 400, { error: 'the query does not fit this route', problems: issuesOf(parsed.error) });
  return undefined;
}

/**
 * Reads a JSON body (an empty body is `{}`) and parses it with `schema`; answers 413, 400 and
 * returns undefined when it does not fit.
 */
export async function parseJsonBody<T extends z.ZodType>(req: IncomingMessage, res: ServerResponse, schema: T): Promise<z.infer<T> | undefined> {
  let body: Buffer;
  try {
    body = await readBody(req, BODY_LIMITS.json);
  } catch (err) {
    if (err instanceof BodyTooLarge) {
      refuseBody(req, res, err);
      return undefined;
    }
    throw err;
  }
  let value: unknown = {};
  try {
    if (body.length > 0) value = JSON.parse(body.toString('utf8'));
  } catch {
    sendJson(res, 400, { error: 'the body must be JSON' });
    return undefined;
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  sendJson(res, 400, { error: 'the body does not fit this route', problems: issuesOf(parsed.error) });
  return undefined;
}
