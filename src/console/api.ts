/**
 * The admin API client: every call carries the bearer token kept in sessionStorage (gone when the
 * tab closes, so a shared machine does not keep it), and a 401 sends the reader back to the login view.
 */
import type { Problem } from './types.js';

const TOKEN_KEY = 'ferry.console.token';

/** The token of this tab, if the reader logged in. */
export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Keeps the token for this tab. */
export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

/** Forgets the token. */
export function clearToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** Called on a 401; the shell sets it to show the login view. */
let onUnauthorized: () => void = () => undefined;

/** Sets what happens when the daemon refuses the token. */
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

/** A refused or failed call, with the daemon's message and, for invalid profiles, its problems. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems: readonly (Problem | string)[] = [],
  ) {
    super(message);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function errorOf(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const message = isRecord(body) && typeof body.error === 'string' ? body.error : text.trim() || `${res.status} ${res.statusText}`;
  const problems = isRecord(body) && Array.isArray(body.problems) ? (body.problems as (Problem | string)[]) : [];
  return new ApiError(res.status, message, problems);
}

/** Options of a call: a JSON body, or raw bytes/text with their content type. */
export interface CallOptions {
  readonly method?: 'GET' | 'POST' | 'PUT';
  readonly json?: unknown;
  readonly body?: BodyInit;
  readonly contentType?: string;
}

/** Calls the API and answers the raw response (for downloads); throws ApiError unless 2xx. */
export async function callRaw(path: string, options: CallOptions = {}): Promise<Response> {
  const headers = new Headers({ accept: 'application/json' });
  const token = getToken();
  if (token !== null) headers.set('authorization', `Bearer ${token}`);
  let body: BodyInit | undefined = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers.set('content-type', 'application/json');
  } else if (options.contentType !== undefined) {
    headers.set('content-type', options.contentType);
  }
  let res: Response;
  try {
    res = await fetch(path, { method: options.method ?? 'GET', headers, ...(body === undefined ? {} : { body }) });
  } catch (error) {
    throw new ApiError(0, `the daemon did not answer (${error instanceof Error ? error.message : String(error)})`);
  }
  if (res.status === 401) {
    clearToken();
    onUnauthorized();
  }
  if (!res.ok) throw await errorOf(res);
  return res;
}

/** Calls the API and answers its JSON body, typed as the contract says. */
export async function call<T>(path: string, options: CallOptions = {}): Promise<T> {
  const res = await callRaw(path, options);
  return (await res.json()) as T;
}

/** `encodeURIComponent` for one path segment. */
export const seg = (s: string): string => encodeURIComponent(s);

/** A query string from the given values, leaving out empty ones. */
export function query(values: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

/** The text to show for a failure. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError && error.status === 403) return `Not allowed: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
