/**
 * How the test target turns one script step into an answer. Split from http-target.ts so that
 * the server bookkeeping and the reply rules can each be read on their own.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import { sendJson } from '../../scripts/lib/record-server.js';

/** What to do with one request. All optional; the default is 200 with per-record ids. */
export interface TargetStep {
  /** Defaults to 200, to 503 when only `retryAfter` is given, to 307 with `redirectTo`. */
  status?: number;
  headers?: Record<string, string>;
  /** JSON-serialised; a string (text/plain) or Buffer (application/octet-stream) is sent as-is. */
  body?: unknown;
  /** Sets Retry-After (seconds such as "2", or an HTTP date). */
  retryAfter?: string;
  /** Read the body, then never answer; the socket stays open until `close()`. */
  hang?: boolean;
  /** Never read the body. Only an array step can do this: a function script has already seen the body, so it means `hang`. */
  hangBeforeBody?: boolean;
  /** Read the whole body, then destroy the socket without answering: the client cannot tell whether it was taken. */
  destroyAfterBody?: boolean;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Answer 307 with this Location. */
  redirectTo?: string;
  /** Builds a body `{"results":[...]}` with one entry per record; `undefined` (or no id and no error) gives the default id. */
  perRecord?: (record: unknown, i: number) => { id?: string; error?: string; retryable?: boolean } | undefined;
}

/** An answer decided for one request, not yet written. */
export interface TargetReply {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;
  /** `ok` for 200, `redirect`, else `status <n>`. */
  readonly outcome: string;
}

/** What a reply may need to know about the request it answers. */
export interface ReplyContext {
  /** The records of the request's batch. */
  records(): unknown[];
  /** The target's id for the record at position `i`. */
  idFor(i: number): string;
  /** The body of an unscripted 2xx answer. */
  defaultBody(): unknown;
}

const isSuccess = (status: number): boolean => status >= 200 && status < 300;

/** Decides status, headers and body for a step that answers (not hang/destroy). */
export function planReply(step: TargetStep, context: ReplyContext): TargetReply {
  const headers: Record<string, string> = { ...step.headers };
  if (step.retryAfter !== undefined) headers['retry-after'] = step.retryAfter;
  if (step.redirectTo !== undefined) {
    headers['location'] = step.redirectTo;
    return { status: step.status ?? 307, body: { redirect: step.redirectTo }, headers, outcome: 'redirect' };
  }
  const status = step.status ?? (step.retryAfter !== undefined ? 503 : 200);
  let body: unknown;
  if (step.body !== undefined) body = step.body;
  else if (step.perRecord !== undefined) body = perRecordBody(step.perRecord, context);
  else if (isSuccess(status)) body = context.defaultBody();
  else body = { error: STATUS_CODES[status] ?? `status ${status}` };
  return { status, body, headers, outcome: status === 200 ? 'ok' : `status ${status}` };
}

function perRecordBody(perRecord: NonNullable<TargetStep['perRecord']>, context: ReplyContext): unknown {
  const results = context.records().map((record, i) => {
    const entry = perRecord(record, i);
    if (entry === undefined) return { id: context.idFor(i) };
    if (entry.id === undefined && entry.error === undefined) return { ...entry, id: context.idFor(i) };
    return entry;
  });
  return { results };
}

/** Writes a planned reply, unless the client has hung up meanwhile (a delayed answer). */
export function writeReply(res: ServerResponse, reply: TargetReply): void {
  if (res.socket === null || res.socket.destroyed) return;
  const { status, body, headers } = reply;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    if (!res.hasHeader('content-type')) {
      res.setHeader('content-type', typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream');
    }
    res.writeHead(status).end(body);
    return;
  }
  sendJson(res, status, body, headers);
}
