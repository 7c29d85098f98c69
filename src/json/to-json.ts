import { Decimal } from '../mapping/decimal.js';

/** Text that is already JSON and is inserted as it is (a rendered request body, say). */
export class RawJson {
  constructor(readonly text: string) {}
}

/**
 * JSON text of a value, like JSON.stringify but exact for decimals: a {@link Decimal} is written as
 * its number text (`1234.56`), never through a binary double. Undefined object members are left
 * out; non-finite numbers become null, as in JSON.stringify.
 */
export function toJson(value: unknown, indent = ''): string {
  return write(value, indent, '');
}

function write(v: unknown, indent: string, pad: string): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    default:
      break;
  }
  if (v instanceof Decimal) return v.toString();
  if (v instanceof RawJson) return v.text;
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  const inner = indent === '' ? '' : pad + indent;
  const nl = indent === '' ? '' : '\n';
  const sep = indent === '' ? ',' : `,${nl}${inner}`;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    const parts = v.map((item: unknown) => write(item, indent, inner));
    return `[${nl}${inner}${parts.join(sep)}${nl}${pad}]`;
  }
  const parts: string[] = [];
  for (const key of Object.keys(v as object)) {
    const item = (v as Record<string, unknown>)[key];
    if (item === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${indent === '' ? '' : ' '}${write(item, indent, inner)}`);
  }
  if (parts.length === 0) return '{}';
  return `{${nl}${inner}${parts.join(sep)}${nl}${pad}}`;
}

/**
 * JSON of one flat record, the hot path of delivery: no indentation, no recursion for scalars.
 * Own members only (Object.keys, not for-in), so that nothing inherited can ever reach a target.
 */
export function recordJson(record: Readonly<Record<string, unknown>>): string {
  let out = '{';
  let first = true;
  const keys = Object.keys(record);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] ?? '';
    const v = record[key];
    if (v === undefined) continue;
    out += first ? memberName(key) : `,${memberName(key)}`;
    first = false;
    if (typeof v === 'string') out += JSON.stringify(v);
    else if (typeof v === 'number') out += Number.isFinite(v) ? String(v) : 'null';
    else if (typeof v === 'boolean') out += v ? 'true' : 'false';
    else if (v instanceof Decimal) out += v.toString();
    else out += write(v, '', '');
  }
  return `${out}}`;
}

const ESCAPE_RE = /["\\\u0000-\u001f\u2028\u2029]/;

/**
 * `"key":` of each member name seen: a mapping's records share their few names, so each is
 * escaped once instead of once per record. Bounded, in case records carry names from the data.
 */
const KEY_TEXT = new Map<string, string>();
const KEY_TEXT_LIMIT = 4096;

/** `"key":` as recordJson writes it (escaped as JSON.stringify escapes it). */
export function memberName(key: string): string {
  const known = KEY_TEXT.get(key);
  if (known !== undefined) return known;
  const text = `"${ESCAPE_RE.test(key) ? JSON.stringify(key).slice(1, -1) : key}":`;
  if (KEY_TEXT.size < KEY_TEXT_LIMIT) KEY_TEXT.set(key, text);
  return text;
}
