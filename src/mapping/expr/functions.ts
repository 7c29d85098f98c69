import { Decimal } from '../decimal.js';
import { DATE_FUNCTIONS } from './date-functions.js';
import { prepared } from './constants.js';
import { argAt, eager, type FunctionSpec } from './function-spec.js';
import { LOOKUP_FUNCTIONS } from './lookup-function.js';
import { order } from './operators.js';
import { TEXT_FUNCTIONS } from './text-functions.js';
import { ExpressionError, LIMITS, type ExprValue } from './types.js';
import { UNIT_FUNCTIONS } from './unit-functions.js';
import { describe, isAbsent, isList, isRecord, toDecimal, toInteger, toText, truthy } from './values.js';

/** Applies `fn` to a number; with `onInteger`, a safe-integer JS number stays a JS number. */
function numeric(name: string, fn: (d: Decimal) => Decimal, onInteger?: (n: number) => number): FunctionSpec {
  return eager(1, 1, ([v], column) => {
    if (isAbsent(v)) return null;
    if (onInteger !== undefined && typeof v === 'number' && Number.isSafeInteger(v)) return onInteger(v);
    return fn(toDecimal(v, `${name}()`, column));
  });
}

/** min()/max(): absent arguments are skipped, lists are looked into; the winning value is returned as is. */
function extreme(name: string, wins: (c: number) => boolean): FunctionSpec {
  return eager(1, LIMITS.arguments, (values, column) => {
    let best: ExprValue = null;
    const consider = (v: ExprValue): void => {
      if (isAbsent(v)) return;
      if (isAbsent(best) || wins(order(v, best, `${name}()`, column))) best = v;
    };
    for (const v of values) {
      if (isList(v)) for (const item of v) consider(item);
      else consider(v);
    }
    return best;
  });
}

function toNumberValue(v: ExprValue, column: number): ExprValue {
  if (isAbsent(v) || v === '') return null;
  if (typeof v === 'string') {
    const parsed = v.length <= LIMITS.numberText ? Decimal.parse(v) : undefined;
    if (parsed === undefined) throw new ExpressionError('expr_type', `number() cannot read ${describe(v)} as a number`, column);
    return parsed;
  }
  return toDecimal(v, 'number()', column);
}

function isEmpty(v: ExprValue): boolean {
  if (isAbsent(v) || v === '') return true;
  if (isList(v)) return v.length === 0;
  if (isRecord(v)) return Object.keys(v).length === 0;
  return false;
}

const coalesce: FunctionSpec = {
  min: 1,
  max: LIMITS.arguments,
  build: (args) => (s) => {
    for (const arg of args) {
      const v = arg(s);
      if (!isAbsent(v) && v !== '') return v;
    }
    return null;
  },
};

/** if(cond, a, b): only the chosen branch is evaluated. */
const ifFunction: FunctionSpec = {
  min: 3,
  max: 3,
  build: (args) => {
    const test = argAt(args, 0);
    const then = argAt(args, 1);
    const otherwise = argAt(args, 2);
    return (s) => (truthy(test(s)) ? then(s) : otherwise(s));
  },
};

/** round(v, scale) with a scale that is not constant: read for each row. */
const roundEachRow = eager(2, 2, ([v, scale], column) => {
  if (isAbsent(v)) return null;
  return toDecimal(v, 'round()', column).round(toInteger(scale, 'round() scale', LIMITS.roundScale, column));
});

/** round(v[, scale]): a constant scale (`round(x, 2)`, the usual form) is read once, not per row. */
const roundFunction: FunctionSpec = {
  min: 1,
  max: 2,
  build: (args, nodes, column, context) => {
    const value = argAt(args, 0);
    const scale = args[1];
    const digits = scale === undefined ? 0 : prepared(scale, (v) => toInteger(v, 'round() scale', LIMITS.roundScale, column));
    if (digits === undefined) return roundEachRow.build(args, nodes, column, context);
    return (s) => {
      const v = value(s);
      return isAbsent(v) ? null : toDecimal(v, 'round()', column).round(digits);
    };
  },
};

const NUMERIC_FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map<string, FunctionSpec>([
  ['round', roundFunction],
  ['floor', numeric('floor', (d) => d.floor(), (n) => n)],
  ['ceil', numeric('ceil', (d) => d.ceil(), (n) => n)],
  ['abs', numeric('abs', (d) => d.abs(), (n) => Math.abs(n))],
  ['min', extreme('min', (c) => c < 0)],
  ['max', extreme('max', (c) => c > 0)],
  ['number', eager(1, 1, ([v], column) => toNumberValue(v, column))],
  ['string', eager(1, 1, ([v], column) => (isAbsent(v) ? null : toText(v, 'string()', column)))],
  ['coalesce', coalesce],
  ['if', ifFunction],
  ['isEmpty', eager(1, 1, ([v]) => isEmpty(v))],
]);

/** Every built-in function by its (case-sensitive) name. */
export const FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map([
  ...TEXT_FUNCTIONS,
  ...NUMERIC_FUNCTIONS,
  ...DATE_FUNCTIONS,
  ...UNIT_FUNCTIONS,
  ...LOOKUP_FUNCTIONS,
]);

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charAt(i - 1) === b.charAt(j - 1) ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The closest function name to a misspelt one (a case difference or a few edits), if any. */
export function suggestFunction(name: string): string | undefined {
  if (name.length > 40) return undefined;
  let best: string | undefined;
  // Short names need a tight bound, or "sum" would suggest "min".
  let bestDistance = Math.max(1, Math.floor(name.length / 3)) + 1;
  for (const candidate of FUNCTIONS.keys()) {
    if (candidate.toLowerCase() === name.toLowerCase()) return candidate;
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
