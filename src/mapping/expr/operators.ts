import { Decimal } from '../decimal.js';
import { ExpressionError, FORBIDDEN_NAMES, type ArithmeticOp, type ComparisonOp, type Evaluator, type ExprValue } from './types.js';
import { checkLength, describe, isAbsent, isList, isNumeric, isRecord, sanitize, toDecimal, toText } from './values.js';

function bothSafe(a: number, b: number, r: number): boolean {
  return Number.isSafeInteger(a) && Number.isSafeInteger(b) && Number.isSafeInteger(r);
}

function divisionByZero(column: number): ExpressionError {
  return new ExpressionError('expr_div_zero', `division by zero at column ${column}`, column);
}

/** `+`: concatenates when either side is text, otherwise adds. Absent operands give null. */
function add(a: ExprValue, b: ExprValue, column: number): ExprValue {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (bothSafe(a, b, r)) return r;
  }
  if (isAbsent(a) || isAbsent(b)) return null;
  if (typeof a === 'string' || typeof b === 'string') {
    return checkLength(toText(a, 'operator "+"', column) + toText(b, 'operator "+"', column), column);
  }
  return toDecimal(a, 'operator "+"', column).add(toDecimal(b, 'operator "+"', column));
}

function sub(a: ExprValue, b: ExprValue, column: number): ExprValue {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    if (bothSafe(a, b, r)) return r + 0;
  }
  if (isAbsent(a) || isAbsent(b)) return null;
  return toDecimal(a, 'operator "-"', column).sub(toDecimal(b, 'operator "-"', column));
}

function mul(a: ExprValue, b: ExprValue, column: number): ExprValue {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a * b;
    if (bothSafe(a, b, r)) return r + 0;
  }
  if (isAbsent(a) || isAbsent(b)) return null;
  return toDecimal(a, 'operator "*"', column).mul(toDecimal(b, 'operator "*"', column));
}

/** Exact when it divides evenly; otherwise 20 fraction digits, trailing zeros trimmed. */
function div(a: ExprValue, b: ExprValue, column: number): ExprValue {
  if (typeof a === 'number' && typeof b === 'number' && Number.isSafeInteger(a) && Number.isSafeInteger(b)) {
    if (b === 0) throw divisionByZero(column);
    if (a % b === 0) return a / b + 0;
  }
  if (isAbsent(a) || isAbsent(b)) return null;
  const divisor = toDecimal(b, 'operator "/"', column);
  const dividend = toDecimal(a, 'operator "/"', column);
  if (divisor.isZero()) throw divisionByZero(column);
  return (dividend.divByPowerOfTen(divisor) ?? dividend.div(divisor, 20)).stripTrailingZeros();
}

function mod(a: ExprValue, b: ExprValue, column: number): ExprValue {
  if (typeof a === 'number' && typeof b === 'number' && Number.isSafeInteger(a) && Number.isSafeInteger(b)) {
    if (b === 0) throw divisionByZero(column);
    return (a % b) + 0;
  }
  if (isAbsent(a) || isAbsent(b)) return null;
  const divisor = toDecimal(b, 'operator "%"', column);
  const dividend = toDecimal(a, 'operator "%"', column);
  if (divisor.isZero()) throw divisionByZero(column);
  return dividend.mod(divisor);
}

/**
 * The evaluator of `left op right`; the result is a Decimal unless both sides are safe integers. One closure per operator rather than one that calls the
 * operator's function: each then always calls the same function, which V8 can inline, where a
 * shared closure would see every operator of the profile at one call site.
 */
export function arithmetic(op: ArithmeticOp, left: Evaluator, right: Evaluator, column: number): Evaluator {
  switch (op) {
    case '+':
      return (s) => add(left(s), right(s), column);
    case '-':
      return (s) => sub(left(s), right(s), column);
    case '*':
      return (s) => mul(left(s), right(s), column);
    case '/':
      return (s) => div(left(s), right(s), column);
    case '%':
      return (s) => mod(left(s), right(s), column);
  }
}

/** Unary minus; absent stays null. */
export function negate(v: ExprValue, column: number): ExprValue {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return -v + 0;
  if (isAbsent(v)) return null;
  return toDecimal(v, 'operator "-"', column).neg();
}

/** Unary plus: reads number text as a number; absent stays null. */
export function toNumeric(v: ExprValue, column: number): ExprValue {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (isAbsent(v)) return null;
  return toDecimal(v, 'operator "+"', column);
}

function compareNumeric(a: number | Decimal, b: number | Decimal): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  return toDecimal(a, 'comparison').cmp(toDecimal(b, 'comparison'));
}

/** Compares strings by Unicode code point (JS `<` compares UTF-16 units, which differs above U+FFFF). */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const cx = a.codePointAt(i) ?? x;
      const cy = b.codePointAt(i) ?? y;
      return cx < cy ? -1 : 1;
    }
  }
  return a.length - b.length;
}

/**
 * Orders two values of the same kind (numbers, text, dates).
 * @throws ExpressionError (`expr_type`) for mixed kinds or kinds without an order.
 */
export function order(a: ExprValue, b: ExprValue, context: string, column?: number): number {
  if (isNumeric(a) && isNumeric(b)) {
    if (typeof a === 'number' && !Number.isFinite(a)) throw notComparable(a, b, context, column);
    if (typeof b === 'number' && !Number.isFinite(b)) throw notComparable(a, b, context, column);
    return compareNumeric(a, b);
  }
  if (typeof a === 'string' && typeof b === 'string') return compareText(a, b);
  if (a instanceof Date && b instanceof Date) {
    const d = a.getTime() - b.getTime();
    if (Number.isNaN(d)) throw notComparable(a, b, context, column);
    return d;
  }
  throw notComparable(a, b, context, column);
}

function notComparable(a: ExprValue, b: ExprValue, context: string, column?: number): ExpressionError {
  const hint = typeof a === 'string' || typeof b === 'string' ? ' (use number(…) to read text as a number)' : '';
  return new ExpressionError('expr_type', `${context} cannot compare ${describe(a)} with ${describe(b)}${hint}`, column);
}

/**
 * Equality without coercion: numbers equal numerically across number/Decimal, different kinds
 * are never equal ("1" == 1 is false), absent equals absent, lists and objects compare by content.
 */
export function equals(a: ExprValue, b: ExprValue, depth = 0): boolean {
  if (a === b) return true;
  if (isAbsent(a) || isAbsent(b)) return isAbsent(a) && isAbsent(b);
  if (isNumeric(a)) {
    if (!isNumeric(b)) return false;
    if (typeof a === 'number' && typeof b === 'number') return false;
    if ((typeof a === 'number' && !Number.isFinite(a)) || (typeof b === 'number' && !Number.isFinite(b))) return false;
    return compareNumeric(a, b) === 0;
  }
  if (a instanceof Date) return b instanceof Date && a.getTime() === b.getTime();
  if (depth > 64) return false;
  if (isList(a)) {
    if (!isList(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equals(sanitize(a[i]), sanitize(b[i]), depth + 1)) return false;
    return true;
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => Object.hasOwn(b, k) && equals(sanitize(a[k]), sanitize(b[k]), depth + 1));
  }
  return false;
}

/** `== != < <= > >=`; ordering with an absent side gives null (unknown), like SQL. */
export function comparison(op: ComparisonOp, a: ExprValue, b: ExprValue, column: number): boolean | null {
  if (op === '==') return equals(a, b);
  if (op === '!=') return !equals(a, b);
  if (isAbsent(a) || isAbsent(b)) return null;
  const c = order(a, b, `operator "${op}"`, column);
  switch (op) {
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
}

/** `x in list`: membership by `==`; an absent list gives null. */
export function memberOf(v: ExprValue, list: ExprValue, column: number): boolean | null {
  if (isAbsent(list)) return null;
  if (!isList(list)) {
    throw new ExpressionError('expr_type', `operator "in" needs a list such as [1, 2], got ${describe(list)}`, column);
  }
  for (const item of list) if (equals(v, sanitize(item))) return true;
  return false;
}

/**
 * Reads `key` of a value: list elements by whole-number index, own data properties of plain
 * objects by name. Absent containers, missing keys and negative indexes give undefined; getters,
 * inherited properties and prototype names are never read.
 */
export function readMember(target: ExprValue, key: ExprValue, column: number): ExprValue {
  if (isAbsent(target) || isAbsent(key)) return undefined;
  if (isList(target)) {
    const index = key instanceof Decimal && key.isInteger() ? key.toNumber() : key;
    if (typeof index !== 'number' || !Number.isSafeInteger(index)) {
      throw new ExpressionError('expr_type', `a list index must be a whole number, got ${describe(key)}`, column);
    }
    return index >= 0 && index < target.length ? sanitize(target[index]) : undefined;
  }
  if (isRecord(target)) {
    if (typeof key !== 'string') {
      throw new ExpressionError('expr_type', `an object key must be text, got ${describe(key)}`, column);
    }
    if (FORBIDDEN_NAMES.has(key)) return undefined;
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    return descriptor === undefined ? undefined : sanitize(descriptor.value);
  }
  const name = typeof key === 'string' ? `"${key}"` : 'an element';
  throw new ExpressionError('expr_type', `cannot read ${name} of ${describe(target)}`, column);
}
