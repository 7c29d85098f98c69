import { prepared } from './constants.js';
import { argAt, eager, type FunctionSpec } from './function-spec.js';
import { compilePattern, replaceAll } from './replace.js';
import { ExpressionError, LIMITS, type ExprValue } from './types.js';
import { checkLength, describe, isAbsent, isList, toInteger, toText } from './values.js';

const SURROGATE = /[\uD800-\uDFFF]/;

/** Length in code points, so an emoji counts as one character. */
function charCount(s: string): number {
  if (!SURROGATE.test(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Slice by code points (start inclusive, end exclusive). */
function charSlice(s: string, start: number, end?: number): string {
  if (!SURROGATE.test(s)) return s.slice(start, end);
  return Array.from(s).slice(start, end).join('');
}

/**
 * The subject text of a string function; null when absent, so absent inputs propagate. `context`
 * names the function in errors (`substring()`); it is passed ready-made, as this runs per row.
 */
function subject(v: ExprValue, context: string, column: number): string | null {
  return isAbsent(v) ? null : toText(v, context, column);
}

/** A character count or position; `context` names it in errors (`substring() start`). */
function count(v: ExprValue, context: string, column: number): number {
  const n = toInteger(v, context, LIMITS.stringLength, column);
  if (n < 0) throw new ExpressionError('expr_argument', `${context} must not be negative, got ${n}`, column);
  return n;
}

function unary(name: string, fn: (s: string) => string): FunctionSpec {
  const context = `${name}()`;
  return eager(1, 1, ([v], column) => {
    const s = subject(v, context, column);
    return s === null ? null : checkLength(fn(s), column);
  });
}

function predicate(name: string, fn: (s: string, part: string) => boolean): FunctionSpec {
  const context = `${name}()`;
  return eager(2, 2, ([v, p], column) => {
    const s = subject(v, context, column);
    const part = subject(p, context, column);
    return s === null || part === null ? null : fn(s, part);
  });
}

function pad(name: string, atStart: boolean): FunctionSpec {
  return eager(2, 3, ([v, len, fill], column) => {
    const s = subject(v, `${name}()`, column);
    if (s === null) return null;
    const target = toInteger(len, `${name}() length`, Number.MAX_SAFE_INTEGER, column);
    if (target > LIMITS.padLength) {
      throw new ExpressionError('expr_too_long', `${name}() length must be at most ${LIMITS.padLength}, got ${target}`, column);
    }
    const chars = Array.from(fill === undefined ? ' ' : toText(fill, `${name}() fill`, column));
    if (chars.length === 0) throw new ExpressionError('expr_argument', `${name}() fill must not be empty`, column);
    const missing = target - charCount(s);
    if (missing <= 0) return s;
    const padding = charSlice(chars.join('').repeat(Math.ceil(missing / chars.length)), 0, missing);
    return atStart ? padding + s : s + padding;
  });
}

const replace: FunctionSpec = {
  min: 3,
  max: 3,
  build: (args, nodes, column) => {
    const node = nodes[1];
    if (node?.kind !== 'literal' || typeof node.value !== 'string') {
      const at = node?.column ?? column;
      throw new ExpressionError(
        'expr_pattern',
        `replace() needs its pattern as quoted text, such as replace(sku, "^SKU-", "") (column ${at})`,
        at,
      );
    }
    const pattern = compilePattern(node.value, node.column);
    const text = argAt(args, 0);
    const replacement = argAt(args, 2);
    return (s) => {
      const input = subject(text(s), 'replace()', column);
      if (input === null) return null;
      const r = replacement(s);
      return replaceAll(input, pattern, isAbsent(r) ? '' : toText(r, 'replace() replacement', column), column);
    };
  },
};

/** substring(text, start, length) for each row, when start or length is not constant. */
const substringEachRow = eager(2, 3, ([v, start, len], column) => {
  const s = subject(v, 'substring()', column);
  if (s === null) return null;
  const from = count(start, 'substring() start', column);
  return charSlice(s, from, len === undefined ? undefined : from + count(len, 'substring() length', column));
});

/** substring(text, start[, length]): constant positions (the usual form) are checked once, not per row. */
const substring: FunctionSpec = {
  min: 2,
  max: 3,
  build: (args, nodes, column, context) => {
    const text = argAt(args, 0);
    const from = prepared(args[1], (v) => count(v, 'substring() start', column));
    const length = args[2];
    const to = length === undefined ? null : prepared(length, (v) => count(v, 'substring() length', column));
    if (from === undefined || to === undefined) return substringEachRow.build(args, nodes, column, context);
    const end = to === null ? undefined : from + to;
    return (s) => {
      const input = subject(text(s), 'substring()', column);
      return input === null ? null : charSlice(input, from, end);
    };
  },
};

function joinList(list: ExprValue, sep: ExprValue, column: number): ExprValue {
  if (isAbsent(list)) return null;
  if (!isList(list)) throw new ExpressionError('expr_type', `join() needs a list, got ${describe(list)}`, column);
  const separator = sep === undefined ? ',' : toText(sep, 'join() separator', column);
  const parts: string[] = [];
  let total = 0;
  for (const item of list) {
    const part = isAbsent(item) ? '' : toText(item, 'join() element', column);
    total += part.length + separator.length;
    if (total > LIMITS.stringLength + separator.length) {
      throw new ExpressionError('expr_too_long', `join() result is longer than ${LIMITS.stringLength} characters`, column);
    }
    parts.push(part);
  }
  return parts.join(separator);
}

/** String functions. Positions and lengths count characters (code points), starting at 0. */
export const TEXT_FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map<string, FunctionSpec>([
  [
    'concat',
    eager(0, LIMITS.arguments, (values, column) => {
      let out = '';
      for (const v of values) {
        if (!isAbsent(v)) out = checkLength(out + toText(v, 'concat()', column), column);
      }
      return out;
    }),
  ],
  ['upper', unary('upper', (s) => s.toUpperCase())],
  ['lower', unary('lower', (s) => s.toLowerCase())],
  ['trim', unary('trim', (s) => s.trim())],
  ['substring', substring],
  [
    'left',
    eager(2, 2, ([v, n], column) => {
      const s = subject(v, 'left()', column);
      return s === null ? null : charSlice(s, 0, count(n, 'left() length', column));
    }),
  ],
  [
    'right',
    eager(2, 2, ([v, n], column) => {
      const s = subject(v, 'right()', column);
      if (s === null) return null;
      const keep = count(n, 'right() length', column);
      return keep === 0 ? '' : charSlice(s, Math.max(0, charCount(s) - keep));
    }),
  ],
  ['padStart', pad('padStart', true)],
  ['padEnd', pad('padEnd', false)],
  ['replace', replace],
  ['contains', predicate('contains', (s, part) => s.includes(part))],
  ['startsWith', predicate('startsWith', (s, part) => s.startsWith(part))],
  ['endsWith', predicate('endsWith', (s, part) => s.endsWith(part))],
  [
    'length',
    eager(1, 1, ([v], column) => {
      if (isAbsent(v)) return null;
      if (isList(v)) return v.length;
      return charCount(toText(v, 'length()', column));
    }),
  ],
  [
    'split',
    eager(2, 2, ([v, sep], column) => {
      const s = subject(v, 'split()', column);
      if (s === null) return null;
      const separator = toText(sep, 'split() separator', column);
      return separator === '' ? Array.from(s) : s.split(separator);
    }),
  ],
  ['join', eager(1, 2, ([list, sep], column) => joinList(list, sep, column))],
]);
