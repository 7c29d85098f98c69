/**
 * The parts of a "records API" that the demo Orders API and the test target share: reading a
 * request, finding the records in a batch body, and handing out per-record ids. Kept free of any
 * test-only behaviour so that `scripts/` never depends on `test/`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Request headers with lower-cased names; repeated headers are joined with `, `. */
export function flattenHeaders(rawHeaders: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    const value = rawHeaders[i + 1] ?? '';
    const seen = headers[name];
    headers[name] = seen === undefined ? value : `${seen}, ${value}`;
  }
  return headers;
}

/** Splits a request target such as `/v1/orders?x=1` into its path and query. */
export function splitTarget(target: string): { path: string; query: URLSearchParams } {
  const q = target.indexOf('?');
  return q < 0
    ? { path: target, query: new URLSearchParams() }
    : { path: target.slice(0, q), query: new URLSearchParams(target.slice(q + 1)) };
}

/** The outcome of reading a request body: complete, or cut short by the client (partial bytes kept). */
export interface BodyRead {
  /** The bytes; empty when they were not kept. */
  readonly body: Buffer;
  /** How many bytes arrived. */
  readonly bytes: number;
  readonly complete: boolean;
}

const EMPTY = Buffer.alloc(0);

/**
 * Reads a whole request body. Never rejects: a client that goes away mid-upload yields the bytes
 * that did arrive with `complete: false`, because tests want to see such requests too. With
 * `keep` false the bytes are only counted, which keeps memory flat under benchmark load.
 */
export function readBody(req: IncomingMessage, keep = true): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const settle = (complete: boolean): void => {
      if (settled) return;
      settled = true;
      const body = chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : chunks.length === 0 ? EMPTY : Buffer.concat(chunks, bytes);
      resolve({ body, bytes, complete });
    };
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (keep) chunks.push(chunk);
    });
    req.on('end', () => settle(true));
    req.on('error', () => settle(false));
    req.on('close', () => settle(req.readableEnded));
  });
}

/** Parses a body as JSON; `undefined` when it is empty or not JSON. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

const RECORD_ARRAY_KEYS = ['items', 'records', 'data'] as const;

/**
 * The records of a batch body: the body itself when it is an array, else the first array under
 * `items`, `records` or `data`, else a lone JSON object counts as one record (a batch of size 1
 * sent unwrapped). Anything else holds no records.
 */
export function extractRecords(json: unknown): unknown[] {
  if (Array.isArray(json)) return json;
  if (json === null || typeof json !== 'object') return [];
  const wrapper = json as Record<string, unknown>;
  for (const key of RECORD_ARRAY_KEYS) {
    const inner = wrapper[key];
    if (Array.isArray(inner)) return inner;
  }
  return [json];
}

/**
 * The token of an `Authorization: Bearer <token>` header, or `undefined` when the header is absent
 * or uses another scheme.
 */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const match = /^Bearer[ \t]+(\S+)\s*$/i.exec(authorization);
  return match?.[1];
}

/**
 * Hands out record ids (`<prefix><n>`). With an idempotency key the id of a record is stable per
 * key and position, as a real API that honours idempotency keys would answer a retried batch with
 * the ids it gave the first time; without a key every record gets a fresh id.
 */
export class RecordIds {
  readonly #prefix: string;
  readonly #byKey = new Map<string, string[]>();
  #next = 1;

  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  /** The id of the record at `position` (0-based) of the batch sent with `key`. */
  idFor(key: string | undefined, position: number): string {
    if (key === undefined) return this.#fresh();
    let ids = this.#byKey.get(key);
    if (ids === undefined) {
      ids = [];
      this.#byKey.set(key, ids);
    }
    while (ids.length <= position) ids.push(this.#fresh());
    return ids[position] ?? this.#fresh();
  }

  /** `{"results":[{"id":...}, ...]}` with one entry per record. */
  results(key: string | undefined, count: number): { results: { id: string }[] } {
    const results: { id: string }[] = new Array<{ id: string }>(count);
    for (let i = 0; i < count; i++) results[i] = { id: this.idFor(key, i) };
    return { results };
  }

  #fresh(): string {
    return `${this.#prefix}${this.#next++}`;
  }
}

/** Writes a JSON answer (or no body for 204/304) with the given extra headers. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (status === 204 || status === 304 || body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  if (!res.hasHeader('content-type')) res.setHeader('content-type', 'application/json');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.writeHead(status).end(text);
}
