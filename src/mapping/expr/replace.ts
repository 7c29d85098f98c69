import { ExpressionError, LIMITS } from './types.js';

/** A regex literal compiled once at profile load, with what replace() needs to expand `$n`. */
export interface CompiledPattern {
  readonly regex: RegExp;
  readonly groupCount: number;
  readonly named: boolean;
}

/**
 * Finds a repetition applied to a group that itself contains a repetition, such as `(a+)+` or
 * `(\w*,)*`: the classic shape of catastrophic backtracking, which can stall V8 for minutes on a
 * 30-character input. Returns the offending offset or -1. This is a heuristic, not a proof:
 * authors own their patterns, and other slow shapes (`a*a*a*…`, overlapping alternatives) remain
 * possible.
 */
export function nestedRepetition(pattern: string): number {
  const stack: boolean[] = [];
  let containsRepeat = false;
  let i = 0;
  let lastGroup: boolean | undefined;
  while (i < pattern.length) {
    const c = pattern.charAt(i);
    if (c === '\\') {
      i += 2;
      lastGroup = undefined;
      continue;
    }
    if (c === '[') {
      i = skipClass(pattern, i);
      lastGroup = undefined;
      continue;
    }
    if (c === '(') {
      stack.push(containsRepeat);
      containsRepeat = false;
      i++;
      lastGroup = undefined;
      continue;
    }
    if (c === ')') {
      const inner: boolean = containsRepeat;
      containsRepeat = (stack.pop() ?? false) || inner;
      lastGroup = inner;
      i++;
      continue;
    }
    const repeat = repetitionAt(pattern, i);
    if (repeat.length > 0) {
      if (repeat.repeats && lastGroup === true) return i;
      if (repeat.variable) containsRepeat = true;
      i += repeat.length;
      lastGroup = undefined;
      continue;
    }
    lastGroup = undefined;
    i++;
  }
  return -1;
}

function skipClass(pattern: string, start: number): number {
  let i = start + 1;
  while (i < pattern.length && pattern.charAt(i) !== ']') i += pattern.charAt(i) === '\\' ? 2 : 1;
  return i + 1;
}

interface Quantifier {
  /** characters it spans; 0 when there is none at this offset */
  readonly length: number;
  /** allows more than one repetition */
  readonly repeats: boolean;
  /** allows a varying number of repetitions above one (`+`, `*`, `{2,5}`, not `{3}` or `?`) */
  readonly variable: boolean;
}

function repetitionAt(pattern: string, i: number): Quantifier {
  const c = pattern.charAt(i);
  const lazy = (n: number): number => (pattern.charAt(i + n) === '?' ? n + 1 : n);
  if (c === '*' || c === '+') return { length: lazy(1), repeats: true, variable: true };
  if (c === '?') return { length: lazy(1), repeats: false, variable: false };
  if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i, i + 24));
    if (m !== null) {
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      return { length: lazy(m[0].length), repeats: max > 1, variable: max > min && max > 1 };
    }
  }
  return { length: 0, repeats: false, variable: false };
}

/**
 * Compiles the pattern of replace(): a literal, at most LIMITS.patternLength characters, valid
 * JavaScript regex syntax, without nested repetition. Applied with the `g` flag.
 */
export function compilePattern(pattern: string, column: number): CompiledPattern {
  if (pattern.length > LIMITS.patternLength) {
    throw new ExpressionError(
      'expr_pattern',
      `replace() pattern is longer than ${LIMITS.patternLength} characters (column ${column})`,
      column,
    );
  }
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, 'g');
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new ExpressionError('expr_pattern', `invalid replace() pattern at column ${column}: ${reason}`, column);
  }
  const at = nestedRepetition(pattern);
  if (at >= 0) {
    throw new ExpressionError(
      'expr_pattern',
      `replace() pattern repeats a group that already repeats ("${pattern.slice(0, at + 1)}"), ` +
        `which can take exponential time; rewrite it without nested repetition (column ${column})`,
      column,
    );
  }
  const probe = new RegExp(`${pattern}|`).exec('');
  return { regex, groupCount: probe === null ? 0 : probe.length - 1, named: probe?.groups !== undefined };
}

/**
 * Replaces every match, expanding `$$ $& $\` $' $1…$99 $<name>` as String.prototype.replace does,
 * but counting the output as it grows so a hostile replacement cannot build a giant string first.
 */
export function replaceAll(input: string, pattern: CompiledPattern, template: string, column: number): string {
  pattern.regex.lastIndex = 0;
  const plain = !template.includes('$');
  let extra = 0;
  return input.replace(pattern.regex, (...args: unknown[]) => {
    const piece = plain ? template : expandMatch(template, args, input, pattern);
    extra += piece.length;
    if (input.length + extra > LIMITS.stringLength) throw tooLong(column);
    return piece;
  });
}

function expandMatch(template: string, args: readonly unknown[], input: string, pattern: CompiledPattern): string {
  const n = pattern.groupCount;
  const groups = pattern.named ? (args[n + 3] as Record<string, string | undefined>) : undefined;
  return expand(template, String(args[0]), args, Number(args[n + 1]), input, n, groups);
}

function tooLong(column: number): ExpressionError {
  return new ExpressionError('expr_too_long', `replace() result is longer than ${LIMITS.stringLength} characters`, column);
}

function expand(
  template: string,
  match: string,
  args: readonly unknown[],
  offset: number,
  input: string,
  groupCount: number,
  groups: Record<string, string | undefined> | undefined,
): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const c = template.charAt(i);
    const n = template.charAt(i + 1);
    if (c !== '$' || i + 1 >= template.length) {
      out += c;
      i++;
    } else if (n === '$') {
      out += '$';
      i += 2;
    } else if (n === '&') {
      out += match;
      i += 2;
    } else if (n === '`') {
      out += input.slice(0, offset);
      i += 2;
    } else if (n === "'") {
      out += input.slice(offset + match.length);
      i += 2;
    } else if (n >= '0' && n <= '9') {
      const two = Number(template.slice(i + 1, i + 3));
      const useTwo = /^\d\d$/.test(template.slice(i + 1, i + 3)) && two >= 1 && two <= groupCount;
      const index = useTwo ? two : Number(n);
      if (index >= 1 && index <= groupCount) {
        const g = args[index];
        out += typeof g === 'string' ? g : '';
        i += useTwo ? 3 : 2;
      } else {
        out += '$';
        i++;
      }
    } else if (n === '<' && groups !== undefined) {
      const close = template.indexOf('>', i + 2);
      if (close < 0) {
        out += '$<';
        i += 2;
      } else {
        const name = template.slice(i + 2, close);
        const g = Object.hasOwn(groups, name) ? groups[name] : undefined;
        out += g ?? '';
        i = close + 1;
      }
    } else {
      out += '$';
      i++;
    }
  }
  return out;
}
