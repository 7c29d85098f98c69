import { Decimal } from '../decimal.js';
import { ExpressionError, LIMITS, type ExprObject, type ExprValue } from './types.js';

/** null or undefined: an absent input. */
export function isAbsent(v: ExprValue): v is null | undefined {
  return v === null || v === undefined;
}

/** number or Decimal. */
export function isNumeric(v: ExprValue): v is number | Decimal {
  return typeof v === 'number' || v instanceof Decimal;
}

/** A list (array) value. */
export function isList(v: ExprValue): v is readonly ExprValue[] {
  return Array.isArray(v);
}

/** A plain data object (null or Object prototype): the only objects whose properties are read. */
export function isRecord(v: ExprValue): v is ExprObject {
  if (typeof v !== 'object' || v === null || isList(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === null || proto === Object.prototype;
}

/** null, undefined, false, "", 0 and NaN are falsy; everything else (even an empty list) is truthy. */
export function truthy(v: ExprValue): boolean {
  if (v === null || v === undefined || v === false || v === '' || v === 0) return false;
  if (typeof v === 'number') return !Number.isNaN(v);
  if (v instanceof Decimal) return !v.isZero();
  return true;
}

/**
 * Normalises a value handed in by the scope or read from a nested object: functions and symbols
 * become undefined (they must never reach expression code), bigints become Decimals.
 */
export function sanitize(v: unknown): ExprValue {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return v;
    case 'bigint':
      return Decimal.fromInteger(v);
    case 'object':
      return v as ExprValue;
    default:
      return undefined;
  }
}

function preview(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/** A short human description for error messages: `text "abc"`, `number 5`, `a list`. */
export function describe(v: ExprValue): string {
  if (v === undefined || v === null) return 'nothing (absent)';
  if (typeof v === 'string') return `text ${preview(v)}`;
  if (typeof v === 'number') return `number ${String(v)}`;
  if (typeof v === 'boolean') return String(v);
  if (v instanceof Decimal) {
    const text = v.toString();
    return `number ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
  }
  if (v instanceof Date) return 'a date';
  if (Array.isArray(v)) return 'a list';
  return 'an object';
}

/** Throws `expr_too_long` when a produced string exceeds the limit. */
export function checkLength(s: string, column?: number): string {
  if (s.length > LIMITS.stringLength) {
    throw new ExpressionError(
      'expr_too_long',
      `text result is longer than ${LIMITS.stringLength} characters`,
      column,
    );
  }
  return s;
}

/** Plain number text without exponent notation (1e21 → "1000000000000000000000"). */
function numberText(n: number): string {
  if (Number.isSafeInteger(n)) return String(n);
  return Number.isFinite(n) ? Decimal.fromNumber(n).toString() : String(n);
}

/**
 * Text of a scalar: Decimals and numbers as plain digits, dates as ISO 8601, booleans as
 * "true"/"false". Lists, objects and absent values are refused with an `expr_type` error naming
 * `context` (an operator or a function).
 */
export function toText(v: ExprValue, context: string, column?: number): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberText(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Decimal) return v.toString();
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new ExpressionError('expr_type', `${context}: invalid date`, column);
    return v.toISOString();
  }
  throw new ExpressionError('expr_type', `${context} needs text, got ${describe(v)}`, column);
}

/**
 * A Decimal from a number, a Decimal or canonical number text ("12.50"); anything else is an
 * `expr_type` error naming `context`.
 */
export function toDecimal(v: ExprValue, context: string, column?: number): Decimal {
  if (v instanceof Decimal) return v;
  if (typeof v === 'number' && Number.isFinite(v)) return Decimal.fromNumber(v);
  if (typeof v === 'string' && v.length <= LIMITS.numberText) {
    const parsed = Decimal.parse(v);
    if (parsed !== undefined) return parsed;
  }
  throw new ExpressionError('expr_type', `${context} needs a number, got ${describe(v)}`, column);
}

/** A whole number (for positions, lengths, scales) within ±`max`. */
export function toInteger(v: ExprValue, context: string, max: number, column?: number): number {
  let n: number | undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v)) n = v;
  else if (v instanceof Decimal && v.isInteger()) n = v.toNumber();
  else if (typeof v === 'string') {
    const d = v.length <= LIMITS.numberText ? Decimal.parse(v) : undefined;
    if (d?.isInteger() === true) n = d.toNumber();
  }
  if (n === undefined) {
    throw new ExpressionError('expr_type', `${context} must be a whole number, got ${describe(v)}`, column);
  }
  if (Math.abs(n) > max) {
    throw new ExpressionError('expr_argument', `${context} must be between ${-max} and ${max}, got ${n}`, column);
  }
  return n;
}
