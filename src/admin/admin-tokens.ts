import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** What a token may do: `read` sees everything under /api, `admin` may also change things. */
export type ApiRole = 'admin' | 'read';

/** One accepted token, kept only as its SHA-256. */
export interface ApiToken {
  readonly role: ApiRole;
  /** sha256 of the token, hex */
  readonly hash: string;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Reads one entry: `admin=sha256:<hex>` / `read=sha256:<hex>` (hashed at rest, as
 * `ferry token new` prints them), `admin=<token>` / `read=<token>`, or a bare `<token>` (admin).
 */
export function parseTokenEntry(entry: string): ApiToken | undefined {
  const text = entry.trim();
  if (text === '' || text.startsWith('#')) return undefined;
  const m = /^(admin|read)=(.+)$/.exec(text);
  const role: ApiRole = m === null ? 'admin' : (m[1] as ApiRole);
  const secret = m === null ? text : (m[2] ?? '');
  const hashed = /^sha256:([0-9a-f]{64})$/i.exec(secret);
  return { role, hash: hashed?.[1]?.toLowerCase() ?? sha256(secret) };
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

/** Compares two secrets in constant time (for equal lengths). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The role of the bearer token in an Authorization header, compared by hash in constant time. */
export function roleOf(header: string | undefined, tokens: readonly ApiToken[]): ApiRole | undefined {
  const token = bearerToken(header);
  if (token === undefined) return undefined;
  const given = Buffer.from(sha256(token), 'hex');
  let role: ApiRole | undefined;
  for (const token of tokens) {
    const wanted = Buffer.from(token.hash, 'hex');
    if (wanted.length === given.length && timingSafeEqual(given, wanted) && role !== 'admin') role = token.role;
  }
  return role;
}

/** A new random token and the entry that accepts it without storing it. */
export function newToken(role: ApiRole): { token: string; entry: string } {
  const token = `fy_${randomBytes(24).toString('base64url')}`;
  return { token, entry: `${role}=sha256:${sha256(token)}` };
}
