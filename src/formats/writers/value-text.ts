import { Decimal } from '../../mapping/decimal.js';

const DAY_MS = 86_400_000;

/**
 * True when a spreadsheet would run `text` as a formula or DDE command: it starts with `=`, `+`,
 * `-`, `@`, tab or CR (OWASP CSV injection, ASVS 5.0 1.2.10).
 */
export function looksLikeFormula(text: string): boolean {
  const c = text.charCodeAt(0);
  return c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13;
}

/** Number text without exponent notation (1e21 → "1000000000000000000000", 1e-7 → "0.0000001"). */
export function plainNumber(n: number): string {
  const text = String(n);
  return text.includes('e') ? Decimal.fromNumber(n).toString() : text;
}

/** True for a date at exactly midnight UTC, which readers produce for dates without a time. */
export function isUtcMidnight(date: Date): boolean {
  return date.getTime() % DAY_MS === 0;
}

/** ISO 8601: `yyyy-mm-dd` for a date at UTC midnight, the full UTC timestamp otherwise; undefined for an invalid date. */
export function dateText(date: Date): string | undefined {
  const time = date.getTime();
  if (Number.isNaN(time)) return undefined;
  const iso = date.toISOString();
  return time % DAY_MS === 0 ? iso.slice(0, iso.indexOf('T')) : iso;
}

/**
 * Text of a value that is not a string: numbers and Decimals as plain digits, dates as ISO,
 * booleans as true/false. Empty for null, undefined, NaN, infinities and invalid dates, which
 * have no text a reader could take back.
 */
export function scalarText(value: number | boolean | Date | Decimal | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return String(value);
    return Number.isFinite(value) ? plainNumber(value) : '';
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Decimal) return value.toString();
  return dateText(value) ?? '';
}

/**
 * Makes names unique by appending `_2`, `_3`… to repeats, so that no column silently
 * overwrites another one (JSON keys, XML element names after sanitising).
 */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.map((name) => {
    let candidate = name;
    for (let n = 2; seen.has(candidate); n++) candidate = `${name}_${n}`;
    seen.add(candidate);
    return candidate;
  });
}

/** Throws when a row has more values than the writer has columns: they would be lost silently. */
export function checkRowWidth(values: readonly unknown[], columns: number): void {
  if (values.length > columns) throw new RangeError(`a row has ${values.length} values but the file has ${columns} columns`);
}
