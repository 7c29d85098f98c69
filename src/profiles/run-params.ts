import { Decimal } from '../mapping/decimal.js';
import type { ExprValue } from '../mapping/expr/types.js';
import type { ParamSpec, ParamType } from './param-schema.js';

/** A run's parameters: values for expressions, canonical texts for the ledger and name templates. */
export interface RunParams {
  readonly values: ReadonlyMap<string, ExprValue>;
  readonly texts: Readonly<Record<string, string>>;
}

/** The outcome of {@link resolveParams}: the parameters, or every problem with them. */
export type ParamsResult = { ok: true; params: RunParams } | { ok: false; problems: string[] };

/** No parameters. */
export const NO_PARAMS: RunParams = { values: new Map(), texts: {} };

const TRUE_WORDS = new Set(['true', 'yes', '1', 'ja', 'on']);
const FALSE_WORDS = new Set(['false', 'no', '0', 'nei', 'nein', 'off']);

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** `today`, `today-7`, `today+1` on the machine's calendar, as yyyy-MM-dd. */
function relativeDate(text: string, now: Date): string | undefined {
  const m = /^today(?:([+-])(\d{1,5}))?$/.exec(text.trim());
  if (m === null) return undefined;
  const days = m[2] === undefined ? 0 : Number(m[2]) * (m[1] === '-' ? -1 : 1);
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() + days);
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1, 2)}-${pad(d.getDate(), 2)}`;
}

function isValidDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (m === null) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** Converts one parameter's text by its declared type: the value and its canonical text, or why not. */
function convert(name: string, type: ParamType, text: string, now: Date): { value: ExprValue; text: string } | string {
  switch (type) {
    case 'string':
      return { value: text, text };
    case 'integer': {
      const t = text.trim();
      if (!/^-?\d{1,15}$/.test(t)) return `parameter ${name} must be a whole number, got "${text}"`;
      const n = Number(t);
      return { value: n, text: String(n) };
    }
    case 'decimal': {
      const d = Decimal.parse(text.trim());
      if (d === undefined) return `parameter ${name} must be a number such as 12.5, got "${text}"`;
      return { value: d, text: d.toString() };
    }
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (TRUE_WORDS.has(t)) return { value: true, text: 'true' };
      if (FALSE_WORDS.has(t)) return { value: false, text: 'false' };
      return `parameter ${name} must be true or false, got "${text}"`;
    }
    case 'date': {
      const t = relativeDate(text, now) ?? text.trim();
      if (!isValidDate(t)) return `parameter ${name} must be a date written yyyy-MM-dd (or today, today-7), got "${text}"`;
      return { value: t, text: t };
    }
  }
}

/**
 * Checks and converts the parameters a run was given against those the profile declares: unknown
 * names, missing required ones and values of the wrong type are all reported, not just the first.
 * Defaults fill what was not given. Dates are ISO text, as date fields hold them.
 */
export function resolveParams(declared: Readonly<Record<string, ParamSpec>> | undefined, given: Readonly<Record<string, string>>, now: Date = new Date()): ParamsResult {
  const problems: string[] = [];
  const decl = declared ?? {};
  const names = Object.keys(decl);
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(decl, name)) problems.push(`unknown parameter ${name}; ${names.length === 0 ? 'the profile declares no params' : `declared: ${names.join(', ')}`}`);
  }
  const values = new Map<string, ExprValue>();
  const texts: Record<string, string> = {};
  for (const [name, spec] of Object.entries(decl)) {
    const raw = Object.hasOwn(given, name) ? given[name] : spec.default === undefined || spec.default === null ? undefined : String(spec.default);
    if (raw === undefined || raw === '') {
      if (spec.required === true) problems.push(`parameter ${name} is required${spec.description === undefined ? '' : ` (${spec.description})`}; pass --param ${name}=…`);
      continue;
    }
    const out = convert(name, spec.type ?? 'string', raw, now);
    if (typeof out === 'string') {
      problems.push(out);
      continue;
    }
    values.set(name, out.value);
    texts[name] = out.text;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, params: { values, texts } };
}

/** Parses `k=v` arguments (`--param from=2026-01-01`); a later one wins. */
export function parseParamArgs(args: readonly string[]): { ok: true; given: Record<string, string> } | { ok: false; problems: string[] } {
  const given: Record<string, string> = {};
  const problems: string[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) problems.push(`--param ${arg}: write it as name=value`);
    else given[arg.slice(0, eq)] = arg.slice(eq + 1);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, given };
}
