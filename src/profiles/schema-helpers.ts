import * as z from 'zod';

/** Closest candidate by edit distance, for "did you mean" hints; undefined when nothing is close. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] ?? 0;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] ?? 0;
      const left = prev[j - 1] ?? 0;
      prev[j] = Math.min(up + 1, left + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length] ?? 0;
}

/**
 * A strict object whose "unknown key" message lists the keys that are allowed, so that an admin who
 * typed `dealy` reads `unknown key "dealy" (did you mean "delay"?); allowed: …`.
 */
export function obj<T extends z.ZodRawShape>(shape: T) {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      const keys = issue.keys;
      const hints = keys.map((k) => {
        const near = closest(k, allowed);
        return near === undefined ? `"${k}"` : `"${k}" (did you mean "${near}"?)`;
      });
      return `unknown key ${hints.join(', ')}; allowed: ${allowed.join(', ')}`;
    },
  });
}

const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const DURATION_UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `500ms`, `5s`, `1m`, `2h`, `1d` into milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION_RE.exec(text.trim());
  if (m === null) return undefined;
  const unit = DURATION_UNIT_MS[m[2] ?? ''];
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}

/** A duration such as `5s`; a bare number means seconds. */
export const duration = z.union([z.number().nonnegative(), z.string()]).superRefine((v, ctx) => {
  if (typeof v === 'string' && parseDuration(v) === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration; write e.g. 500ms, 5s, 1m, 2h or 1d` });
  }
});

/** Milliseconds of a value accepted by {@link duration}. */
export function durationMs(v: string | number): number {
  return typeof v === 'number' ? Math.round(v * 1000) : (parseDuration(v) ?? 0);
}

const RATE_RE = /^(\d+(?:\.\d+)?)\/(s|m|h)$/;

/** Parses `20/s`, `600/m`, `1000/h` into requests per second. */
export function parseRate(text: string): number | undefined {
  const m = RATE_RE.exec(text.trim());
  if (m === null) return undefined;
  const per = m[2] === 's' ? 1 : m[2] === 'm' ? 60 : 3600;
  return Number(m[1]) / per;
}

export const rate = z.string().refine((v) => parseRate(v) !== undefined && (parseRate(v) ?? 0) > 0, {
  message: 'is not a rate; write e.g. 20/s, 600/m or 1000/h',
});

/** A number or a percentage (`5%`) of rows; used by maxRejected. */
export const countOrPercent = z.union([z.number().int().nonnegative(), z.string()]).superRefine((v, ctx) => {
  if (typeof v === 'string' && !/^\d+(\.\d+)?%$/.test(v.trim())) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is neither a row count nor a percentage such as 5%` });
  }
});

/** A single character, such as a delimiter or separator. */
export const singleChar = z.string().refine((v) => [...v].length === 1, { message: 'must be exactly one character' });

/** A glob list such as `["*.csv"]`; a single string is accepted too. */
export const globs = z.union([z.string(), z.array(z.string())]).transform((v) => (typeof v === 'string' ? [v] : v));

/** A regular expression written as text; checked by compiling it. */
export const regexText = z.string().superRefine((v, ctx) => {
  try {
    new RegExp(v, 'u');
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `is not a valid regular expression: ${(err as Error).message}` });
  }
});

/** An IANA time zone name, `UTC`, or a fixed offset such as `+01:00`. */
export const timeZoneName = z.string().superRefine((v, ctx) => {
  if (/^[+-]\d{2}:\d{2}$/.test(v)) return;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: v });
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a time zone; use an IANA name such as Europe/Oslo, UTC, or an offset such as +01:00` });
  }
});

/** A scalar YAML value usable as a constant, default or map entry. */
export const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const SIZE_UNITS: Readonly<Record<string, number>> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** A size in bytes: a number, or text such as `100MB`, `512 KiB`, `2GB`. */
export const byteSize = z.union([
  z.number().int().positive(),
  z.string().regex(/^\d+(\.\d+)?\s*(B|KB|MB|GB|KiB|MiB|GiB)$/i, { message: 'must be a size such as 100MB, 512KiB or a number of bytes' }),
]);

/** Bytes of a {@link byteSize} value. */
export function sizeBytes(v: string | number): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(v.trim());
  return Math.floor(Number(m?.[1] ?? 0) * (SIZE_UNITS[(m?.[2] ?? 'b').toLowerCase()] ?? 1));
}
