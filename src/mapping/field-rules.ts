import type { FieldType } from '../profiles/field-schema.js';
import { ConversionFailure, type Converter } from './convert.js';
import { Decimal } from './decimal.js';
import type { FieldValue, LookupTable, RowError } from './types.js';

/** A field's row errors go here; the rest of the row is still mapped. */
export interface ErrorSink {
  errors: RowError[] | undefined;
}

/** A value as it reaches the rules: from a cell, a constant or an expression. */
export type Convertible = string | number | boolean | Date | Decimal;

/** A min or max, converted once to the field's type so that each row compares like with like. */
export interface Bound {
  readonly text: string;
  readonly value: FieldValue;
}

/** What a field's rules are, settled once per profile. */
export interface FieldRules {
  readonly label: string;
  readonly type: FieldType;
  readonly convert: Converter;
  readonly required: boolean;
  readonly defaultValue: FieldValue | undefined;
  readonly pattern: RegExp | undefined;
  /** the pattern as written, for messages */
  readonly patternText: string | undefined;
  readonly table: LookupTable | undefined;
  /** `the map` or `lookup <name>`, for messages */
  readonly tableName: string;
  /** the row error code of a value missing from the table: `map` or `lookup` */
  readonly tableCode: 'map' | 'lookup';
  /** an untyped expression keeps the type of its result (price * qty stays a number) */
  readonly keepResultType: boolean;
  readonly min: Bound | undefined;
  readonly max: Bound | undefined;
  readonly minLength: number | undefined;
  readonly maxLength: number | undefined;
  /** builds the field's row error (with its column, when it has one) */
  readonly err: (code: string, message: string) => RowError;
}

/** A value for a message: text in quotes (shortened), numbers as they are. */
export function show(value: unknown): string {
  if (typeof value !== 'string') return value instanceof Decimal ? value.toString() : String(value);
  return `"${value.length > 60 ? `${value.slice(0, 60)}…` : value}"`;
}

/** Records a row error; returns undefined so that a rule can `return fail(…)`. */
export function fail(sink: ErrorSink, error: RowError): undefined {
  (sink.errors ??= []).push(error);
  return undefined;
}

function compareBound(value: FieldValue, bound: FieldValue, type: FieldType): number | undefined {
  if (typeof value === 'number' && typeof bound === 'number') return value - bound;
  if (value instanceof Decimal && bound instanceof Decimal) return value.cmp(bound);
  if (typeof value === 'string' && typeof bound === 'string') {
    // ISO dates order as text; datetimes may carry different offsets, so compare the instants.
    if (type === 'datetime') return Date.parse(value) - Date.parse(bound);
    return value < bound ? -1 : value > bound ? 1 : 0;
  }
  return undefined;
}

/** Length in characters as a person counts them (an emoji is one), not UTF-16 units. */
function charLength(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * The rules that apply once a field's value is known, whatever its source, in order: default and
 * required, pattern, map or lookup, type conversion, min/max, minLength/maxLength. Runs per row:
 * everything it needs is settled in `rules` beforehand.
 */
export function compileRules(rules: FieldRules): (sink: ErrorSink, raw: Convertible | undefined) => FieldValue | undefined {
  const { label, type, convert, required, defaultValue, pattern, patternText, table, tableName, tableCode, keepResultType, min, max, minLength, maxLength, err } = rules;
  return (sink, raw) => {
    if (raw === undefined) {
      if (defaultValue !== undefined) return defaultValue;
      return required ? fail(sink, err('required', `${label} is empty; a value is required`)) : undefined;
    }
    let value: Convertible = raw;
    if (pattern !== undefined && typeof value === 'string' && !pattern.test(value)) {
      return fail(sink, err('pattern', `${label} is ${show(value)}, which does not match the pattern ${patternText ?? ''}`));
    }
    if (table !== undefined) {
      const key = typeof value === 'string' ? value : value.toString();
      const mapped = table.get(key);
      if (mapped === undefined) {
        if (defaultValue !== undefined) return defaultValue;
        const known = [...table.keys()];
        const list = known.length <= 12 ? `; allowed: ${known.join(', ')}` : '';
        return fail(sink, err(tableCode, `${label} is ${show(key)}, which is not in ${tableName}${list}`));
      }
      // A lookup file's empty cell means "nothing", like an empty source cell: never "".
      if (mapped === null || mapped === '') return required ? fail(sink, err('required', `${label} is ${show(key)}, which ${tableName} maps to nothing; a value is required`)) : undefined;
      value = mapped;
    }
    const out = keepResultType && typeof value !== 'string' ? (value instanceof Date ? value.toISOString() : value) : convert(value);
    if (out instanceof ConversionFailure) return fail(sink, err('type', `${label} is ${show(value)}, ${out.message}`));
    if (min !== undefined) {
      const c = compareBound(out, min.value, type);
      if (c !== undefined && c < 0) return fail(sink, err('min', `${label} is ${show(typeof out === 'string' ? value : out)}, the minimum is ${min.text}`));
    }
    if (max !== undefined) {
      const c = compareBound(out, max.value, type);
      if (c !== undefined && c > 0) return fail(sink, err('max', `${label} is ${show(typeof out === 'string' ? value : out)}, the maximum is ${max.text}`));
    }
    if (typeof out === 'string' && (minLength !== undefined || maxLength !== undefined)) {
      const length = charLength(out);
      if (minLength !== undefined && length < minLength) return fail(sink, err('length', `${label} is ${show(out)}, shorter than ${minLength} characters`));
      if (maxLength !== undefined && length > maxLength) return fail(sink, err('length', `${label} is ${show(out)}, longer than ${maxLength} characters`));
    }
    return out;
  };
}
