import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

import { SECRET_KEYS } from './connection-schema.js';
import type { KeyPath } from './types.js';

/** A reference that could not be resolved, or a literal secret, at a key path. */
export interface SecretIssue {
  readonly path: KeyPath;
  readonly message: string;
}

const REF_RE = /\$\$\{|\$\{([^}]*)\}/g;
const WHOLE_REF_RE = /^\$\{(?:file:[^}]+|[A-Za-z_][A-Za-z0-9_]*)\}$/;
/** Subtrees that hold data rather than settings: a lookup entry called "token" is not a secret. */
const DATA_KEYS: ReadonlySet<string> = new Set(['fields', 'lookups', 'map']);

/** Where `${ENV}` and `${file:…}` references get their values; injectable for tests. */
export interface SecretContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** folder that relative `${file:…}` paths are resolved against */
  readonly baseDir: string;
}

/**
 * Replaces `${NAME}`, `${NAME:-default}` and `${file:/path}` in every string of a parsed YAML value.
 * `$${` stays a literal `${`. A reference that cannot be resolved is reported, and its text is left in
 * place so that validation still sees a string.
 */
export function resolveReferences(value: unknown, ctx: SecretContext): { value: unknown; issues: SecretIssue[] } {
  const issues: SecretIssue[] = [];
  const walk = (v: unknown, path: KeyPath): unknown => {
    if (typeof v === 'string') return v.includes('${') ? resolveString(v, path, ctx, issues) : v;
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, i]));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, child] of Object.entries(v)) {
        // defineProperty: a YAML key "__proto__" must stay an own key, never a prototype change
        Object.defineProperty(out, k, { value: walk(child, [...path, k]), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return v;
  };
  return { value: walk(value, []), issues };
}

function resolveString(text: string, path: KeyPath, ctx: SecretContext, issues: SecretIssue[]): string {
  return text.replace(REF_RE, (match: string, body: string | undefined) => {
    if (match === '$${') return '${';
    const ref = body ?? '';
    if (ref.startsWith('file:')) {
      const file = ref.slice(5).trim();
      const full = isAbsolute(file) ? file : resolve(ctx.baseDir, file);
      try {
        return readFileSync(full, 'utf8').replace(/\r?\n$/, '');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
        issues.push({ path, message: `secret file ${full} cannot be read (${code})` });
        return match;
      }
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s.exec(ref);
    if (m === null) {
      issues.push({ path, message: `"${match}" is not a reference; write \${ENV_NAME}, \${ENV_NAME:-default} or \${file:/path}` });
      return match;
    }
    const name = m[1] ?? '';
    const fromEnv = ctx.env[name];
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
    if (m[2] !== undefined) return m[2];
    issues.push({ path, message: `environment variable ${name} is not set` });
    return match;
  });
}

/**
 * Finds secrets written literally in a file (before references are resolved): a password, key,
 * token or secret must be a `${ENV}` or `${file:…}` reference, and a URL must not carry a password.
 */
export function findLiteralSecrets(raw: unknown): SecretIssue[] {
  const issues: SecretIssue[] = [];
  const walk = (v: unknown, path: KeyPath): void => {
    if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, [...path, i]));
      return;
    }
    if (v === null || typeof v !== 'object') return;
    for (const [k, child] of Object.entries(v)) {
      const childPath = [...path, k];
      if (DATA_KEYS.has(k)) continue;
      if (typeof child === 'string') {
        if (SECRET_KEYS.has(k) && !WHOLE_REF_RE.test(child)) {
          issues.push({ path: childPath, message: 'is a literal secret, which is refused; write ${ENV_NAME} or ${file:/path/to/secret} instead' });
        } else if (k === 'url' && /^[a-z][a-z0-9+.-]*:\/\/[^/@\s:]*:(?!\$\{)[^/@\s]*@/i.test(child)) {
          issues.push({ path: childPath, message: 'contains a literal password; put the whole URL in ${ENV_NAME} or ${file:/path}' });
        }
      } else {
        walk(child, childPath);
      }
    }
  };
  walk(raw, []);
  return issues;
}
