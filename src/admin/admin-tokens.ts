import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * The bearer tokens for `/api`: `FERRY_ADMIN_TOKENS` (comma-separated) or `FERRY_ADMIN_TOKENS_FILE`
 * (one per line). No tokens means the API answers 401 to everything.
 */
export function adminTokens(env: Readonly<Record<string, string | undefined>> = process.env): readonly string[] {
  const fromFile = env.FERRY_ADMIN_TOKENS_FILE === undefined ? [] : readFileSync(env.FERRY_ADMIN_TOKENS_FILE, 'utf8').split(/\r?\n/);
  const fromEnv = (env.FERRY_ADMIN_TOKENS ?? '').split(',');
  return [...fromEnv, ...fromFile].map((t) => t.trim()).filter((t) => t.length > 0);
}

/** Whether an Authorization header carries one of `tokens` (compared in constant time). */
export function isAdmin(header: string | undefined, tokens: readonly string[]): boolean {
  const m = /^Bearer\s+(.+)$/i.exec((header ?? '').trim());
  if (m === null) return false;
  const given = Buffer.from(m[1] ?? '');
  let ok = false;
  for (const token of tokens) {
    const wanted = Buffer.from(token);
    if (given.length === wanted.length && timingSafeEqual(given, wanted)) ok = true;
  }
  return ok;
}
