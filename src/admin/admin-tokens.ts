import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** What a token may do: `read` sees everything under /api, `admin` may also change things. */
export type ApiRole = 'admin' | 'read';

/** One accepted token, kept only as its SHA-256. */
export interface ApiToken {
  readonly role: ApiRole;
  /** sha256 of the token, hex */
  readonly hash: string;
  /** who holds it, recorded with the profile versions they save; `token:<hash prefix>` when unnamed */
  readonly name?: string;
}

/** The caller of an authenticated API request. */
export interface ApiCaller {
  readonly role: ApiRole;
  readonly name: string;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Reads one entry: `[name:]admin=sha256:<hex>` / `[name:]read=sha256:<hex>` (hashed at rest, as
 * `ferry token new` prints them), `[name:]admin=<token>` / `[name:]read=<token>`, or a bare
 * `<token>` (admin). The name says who saved a profile version.
 */
export function parseTokenEntry(entry: string): ApiToken | undefined {
  const text = entry.trim();
  if (text === '' || text.startsWith('#')) return undefined;
  const m = /^(?:([A-Za-z0-9_.@-]{1,64}):)?(admin|read)=(.+)$/.exec(text);
  const role: ApiRole = m === null ? 'admin' : (m[2] as ApiRole);
  const secret = m === null ? text : (m[3] ?? '');
  const hashed = /^sha256:([0-9a-f]{64})$/i.exec(secret);
  const token: ApiToken = { role, hash: hashed?.[1]?.toLowerCase() ?? sha256(secret) };
  return m?.[1] === undefined ? token : { ...token, name: m[1] };
}

/**
 * The tokens for `/api`: `FERRY_ADMIN_TOKENS` (comma-separated entries) and
 * `FERRY_ADMIN_TOKENS_FILE` (one entry per line, `#` comments). No tokens: the API refuses all.
 */
export function adminTokens(env: Readonly<Record<string, string | undefined>> = process.env): readonly ApiToken[] {
  const fromFile = env.FERRY_ADMIN_TOKENS_FILE === undefined ? [] : readFileSync(env.FERRY_ADMIN_TOKENS_FILE, 'utf8').split(/\r?\n/);
  const fromEnv = (env.FERRY_ADMIN_TOKENS ?? '').split(',');
  return [...fromEnv, ...fromFile].map(parseTokenEntry).filter((t): t is ApiToken => t !== undefined);
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer\s+(.+)$/i.exec((header ?? '').trim())?.[1];
}

/**
 * Compares two secrets in constant time. Both are hashed first, so a wrong guess of another length
 * takes as long as any other and does not tell the secret's length.
 */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/**
 * The caller behind the bearer token of an Authorization header, compared by hash in constant time
 * (every entry is compared, so the time does not say which one matched).
 */
export function callerOf(header: string | undefined, tokens: readonly ApiToken[]): ApiCaller | undefined {
  const token = bearerToken(header);
  if (token === undefined) return undefined;
  const given = Buffer.from(sha256(token), 'hex');
  let caller: ApiCaller | undefined;
  for (const t of tokens) {
    const wanted = Buffer.from(t.hash, 'hex');
    if (wanted.length === given.length && timingSafeEqual(given, wanted) && caller?.role !== 'admin') caller = { role: t.role, name: t.name ?? `token:${t.hash.slice(0, 8)}` };
  }
  return caller;
}

/** The role of the bearer token in an Authorization header. */
export function roleOf(header: string | undefined, tokens: readonly ApiToken[]): ApiRole | undefined {
  return callerOf(header, tokens)?.role;
}

/** A new random token and the entry that accepts it without storing it. */
export function newToken(role: ApiRole, name?: string): { token: string; entry: string } {
  if (name !== undefined && !/^[A-Za-z0-9_.@-]{1,64}$/.test(name)) throw new Error('a token name is 1 to 64 letters, digits or _ . @ -');
  const token = `fy_${randomBytes(24).toString('base64url')}`;
  return { token, entry: `${name === undefined ? '' : `${name}:`}${role}=sha256:${sha256(token)}` };
}
