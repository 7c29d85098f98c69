import type { RawValue } from '../formats/types.js';

/** What the values of one column look like, as a suggestion for the profile. */
export interface ColumnGuess {
  readonly column: string;
  readonly type: 'string' | 'integer' | 'decimal' | 'boolean' | 'date' | 'datetime';
  /** date pattern, e.g. dd.MM.yyyy */
  readonly format?: string;
  readonly decimalSeparator?: string;
  readonly thousandsSeparator?: string;
  /** digits with leading zeros: an identifier, to keep as text */
  readonly leadingZeros?: boolean;
  /** share of rows where the column was empty (0–1) */
  readonly emptyShare: number;
  /** a few distinct values, shortened, for the admin to recognise the column */
  readonly examples: readonly string[];
}

const DATE_PATTERNS: readonly { re: RegExp; format: string; withTime: boolean }[] = [
  { re: /^\d{4}-\d{2}-\d{2}$/, format: 'yyyy-MM-dd', withTime: false },
  { re: /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?/, format: "yyyy-MM-dd'T'HH:mm:ss", withTime: true },
  { re: /^\d{1,2}\.\d{1,2}\.\d{4}$/, format: 'dd.MM.yyyy', withTime: false },
  { re: /^\d{1,2}\.\d{1,2}\.\d{4} \d{1,2}:\d{2}$/, format: 'dd.MM.yyyy HH:mm', withTime: true },
  { re: /^\d{1,2}\/\d{1,2}\/\d{4}$/, format: 'dd/MM/yyyy', withTime: false },
  { re: /^\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2}$/, format: 'dd/MM/yyyy HH:mm', withTime: true },
  { re: /^\d{8}$/, format: 'yyyyMMdd', withTime: false },
];
const BOOLEAN_WORDS = new Set(['true', 'false', 'yes', 'no', 'ja', 'nei', 'nein', 'j', 'n', 'y', 'x', 'si', 'sí']);

function text(v: RawValue): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v.trim() === '' ? undefined : v.trim();
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return undefined;
  return String(v);
}

/** Guesses a profile field for each column from sample values (the first rows of a file). */
export function guessColumns(columns: readonly string[], valuesOf: (column: string) => readonly RawValue[]): ColumnGuess[] {
  return columns.map((column) => guessOne(column, valuesOf(column)));
}

function guessOne(column: string, raw: readonly RawValue[]): ColumnGuess {
  const values = raw.map(text).filter((v): v is string => v !== undefined);
  const emptyShare = raw.length === 0 ? 1 : 1 - values.length / raw.length;
  const examples = [...new Set(values)].slice(0, 3).map((v) => (v.length > 24 ? `${v.slice(0, 23)}…` : v));
  const base = { column, emptyShare, examples };
  if (values.length === 0) return { ...base, type: 'string' };
  if (raw.some((v) => v instanceof Date)) return { ...base, type: raw.every((v) => !(v instanceof Date) || v.getUTCHours() + v.getUTCMinutes() === 0) ? 'date' : 'datetime' };
  const all = (re: RegExp): boolean => values.every((v) => re.test(v));
  if (all(/^\d+$/) && values.some((v) => v.length > 1 && v.startsWith('0'))) return { ...base, type: 'string', leadingZeros: true };
  if (all(/^\d{13,}$/)) return { ...base, type: 'string', leadingZeros: false };
  for (const p of DATE_PATTERNS) {
    if (all(p.re) && (p.format !== 'yyyyMMdd' || values.every((v) => Number(v.slice(4, 6)) <= 12 && Number(v.slice(6, 8)) <= 31))) {
      const format = p.format.startsWith('dd/') && values.some((v) => Number(v.split('/')[1]) > 12) ? p.format.replace('dd/MM', 'MM/dd') : p.format;
      return { ...base, type: p.withTime ? 'datetime' : 'date', format };
    }
  }
  if (raw.every((v) => typeof v === 'number' || v === undefined || v === '')) {
    return { ...base, type: raw.every((v) => typeof v !== 'number' || Number.isInteger(v)) ? 'integer' : 'decimal' };
  }
  if (all(/^[+-]?\d+$/)) return { ...base, type: 'integer' };
  if (all(/^[+-]?\d{1,3}(\.\d{3})*,\d+-?$|^[+-]?\d+,\d+-?$/)) {
    return { ...base, type: 'decimal', decimalSeparator: ',', ...(values.some((v) => v.includes('.')) ? { thousandsSeparator: '.' } : {}) };
  }
  if (all(/^[+-]?\d{1,3}(,\d{3})*\.\d+$|^[+-]?\d+\.\d+$/)) {
    return { ...base, type: 'decimal', ...(values.some((v) => v.includes(',')) ? { thousandsSeparator: ',' } : {}) };
  }
  if (values.every((v) => BOOLEAN_WORDS.has(v.toLowerCase()) || v === '0' || v === '1') && new Set(values.map((v) => v.toLowerCase())).size <= 2) {
    return { ...base, type: 'boolean' };
  }
  return { ...base, type: 'string' };
}

/** A camelCase field name for a column header: `Order No.` → `orderNo`, `Gewicht (g)` → `gewichtG`. */
export function fieldNameFor(column: string, taken: ReadonlySet<string>): string {
  const words = column.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  const cased = words.map((w) => (w === w.toUpperCase() ? w.toLowerCase() : w));
  let name = cased.map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1))).join('');
  if (name === '' || /^\d/.test(name)) name = `field${name}`;
  let candidate = name;
  for (let n = 2; taken.has(candidate); n++) candidate = `${name}${n}`;
  return candidate;
}
