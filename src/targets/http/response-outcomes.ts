import type { HttpTarget } from '../../profiles/schema.js';
import type { RecordOutcome } from '../types.js';
import type { HttpAnswer } from './request.js';

type ResponseSpec = NonNullable<HttpTarget['response']>;

/** Longest error text taken from a target's answer. */
export const MAX_ERROR_TEXT = 300;

/**
 * The value at a dotted path such as `data.results` or `errors.0.message`; the whole value for an
 * empty path. `undefined` when some step is missing.
 */
export function readPath(value: unknown, path: string | undefined): unknown {
  if (path === undefined || path === '' || path === '.' || path === '$') return value;
  let at = value;
  for (const step of path.replace(/^\$\./, '').split('.')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = Array.isArray(at) ? (/^\d+$/.test(step) ? at[Number(step)] : undefined) : (at as Record<string, unknown>)[step];
  }
  return at;
}

function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Text of a value reported as an error; `undefined` when it says "no error" (absent, null, false, ""). */
function errorText(value: unknown): string | undefined {
  if (value === undefined || value === null || value === false || value === '') return undefined;
  if (typeof value === 'string') return shorten(value);
  if (value === true) return 'the target reported an error for this record';
  if (typeof value === 'object') {
    const inner = messageOf(value);
    if (inner !== undefined) return inner;
    if (Array.isArray(value) && value.length === 0) return undefined;
    if (!Array.isArray(value) && Object.keys(value).length === 0) return undefined;
    return shorten(JSON.stringify(value));
  }
  return shorten(String(value));
}

function targetIdOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** Cuts a text to {@link MAX_ERROR_TEXT} characters, on one line. */
export function shorten(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= MAX_ERROR_TEXT ? line : `${line.slice(0, MAX_ERROR_TEXT - 1)}…`;
}

/** The `message`, `error` or `detail` text of a JSON error object, if it has one. */
function messageOf(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  for (const name of ['message', 'error', 'detail'] as const) {
    const v = record[name];
    if (typeof v === 'string' && v.trim() !== '') return shorten(v);
    if (v !== null && typeof v === 'object') {
      const nested = messageOf(v);
      if (nested !== undefined) return nested;
    }
  }
  return undefined;
}

/**
 * Per-record outcomes of a 2xx answer. Without `target.response` every record is delivered. With
 * it, the array at `items` holds one entry per record in request order: `id` gives the target's id,
 * a non-empty `error` marks the record failed. Records the answer says nothing about are failed,
 * because ferry cannot tell whether the target kept them. Error texts end with their code in
 * brackets, as row errors do in the result file.
 */
export function outcomesOf(answer: HttpAnswer, spec: ResponseSpec | undefined, count: number): RecordOutcome[] {
  if (spec === undefined) return new Array<RecordOutcome>(count).fill({ status: 'delivered' });
  const where = spec.items === undefined ? 'the answer' : `"${spec.items}" of the answer`;
  const parsed = parseJson(answer.body);
  const items = parsed.ok ? readPath(parsed.value, spec.items) : undefined;
  if (!Array.isArray(items)) {
    const why = parsed.ok ? `${where} is not an array` : 'the answer is not JSON';
    const failed: RecordOutcome = {
      status: 'failed',
      error: `the target answered ${answer.status} but ${why} (see target.response), so it is unknown whether this record was taken [E_TARGET_RESPONSE]`,
    };
    return new Array<RecordOutcome>(count).fill(failed);
  }
  const outcomes: RecordOutcome[] = [];
  for (let i = 0; i < count; i++) {
    if (i >= items.length) {
      outcomes.push({
        status: 'failed',
        error: `the target answered ${answer.status} with ${items.length} entries in ${where} for ${count} records and none for this one (position ${i + 1}), so it is unknown whether it was taken [E_TARGET_RESPONSE]`,
      });
      continue;
    }
    const entry: unknown = items[i];
    const error = spec.error === undefined ? undefined : errorText(readPath(entry, spec.error));
    if (error !== undefined) {
      outcomes.push({ status: 'failed', error: `${error} [E_TARGET_REJECTED]` });
      continue;
    }
    const targetId = spec.id === undefined ? undefined : targetIdOf(readPath(entry, spec.id));
    outcomes.push(targetId === undefined ? { status: 'delivered' } : { status: 'delivered', targetId });
  }
  return outcomes;
}

/** Why the target refused a request: the `message`/`error`/`detail` of a JSON body, else the status line. */
export function rejectionText(answer: HttpAnswer): string {
  const statusLine = `${answer.status}${answer.statusText === '' ? '' : ` ${answer.statusText}`}`;
  const parsed = parseJson(answer.body);
  const message = parsed.ok ? messageOf(parsed.value) : undefined;
  const why = message === undefined ? '' : `: ${message}`;
  return `the target refused the record (${statusLine})${why} [E_TARGET_REJECTED]`;
}
