import { ExpressionError } from './types.js';

/** One token; `column` is 1-based. */
export interface Token {
  readonly kind: 'number' | 'string' | 'name' | 'punct' | 'end';
  /** the source text (for strings: the decoded value) */
  readonly text: string;
  readonly column: number;
}

const PUNCTUATORS = [
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '??',
  '+',
  '-',
  '*',
  '/',
  '%',
  '<',
  '>',
  '!',
  '(',
  ')',
  '[',
  ']',
  ',',
  '.',
  '?',
  ':',
];

const SIMPLE_ESCAPES: ReadonlyMap<string, string> = new Map([
  ['n', '\n'],
  ['t', '\t'],
  ['r', '\r'],
  ['\\', '\\'],
  ["'", "'"],
  ['"', '"'],
]);

const LETTER = /\p{L}/u;

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isNameStart(c: string | undefined): boolean {
  if (c === undefined) return false;
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '$') return true;
  return c > '\x7f' && LETTER.test(c);
}

function isNamePart(c: string | undefined): boolean {
  return isNameStart(c) || isDigit(c);
}

/** Describes a token for error messages: `")"`, `name "foo"`, `end of expression`. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'end of expression';
    case 'string':
      return 'text';
    case 'number':
      return `number ${token.text}`;
    default:
      return `"${token.text}"`;
  }
}

/**
 * Splits an expression into tokens.
 * @throws ExpressionError (`expr_syntax`) on characters or literals the language does not have.
 */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source.charAt(i);
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const column = i + 1;
    if (isDigit(c) || (c === '.' && isDigit(source.charAt(i + 1)))) {
      i = readNumber(source, i, tokens);
    } else if (c === '"' || c === "'") {
      i = readString(source, i, tokens);
    } else if (isNameStart(c)) {
      let end = i + 1;
      while (isNamePart(source.charAt(end))) end++;
      tokens.push({ kind: 'name', text: source.slice(i, end), column });
      i = end;
    } else {
      const punct = PUNCTUATORS.find((p) => source.startsWith(p, i));
      if (punct === undefined) {
        const hint = c === '=' ? ' (use == to compare)' : '';
        throw new ExpressionError('expr_syntax', `unexpected "${c}" at column ${column}${hint}`, column);
      }
      tokens.push({ kind: 'punct', text: punct, column });
      i += punct.length;
    }
  }
  tokens.push({ kind: 'end', text: '', column: source.length + 1 });
  return tokens;
}

function readNumber(source: string, start: number, tokens: Token[]): number {
  let i = start;
  while (isDigit(source.charAt(i))) i++;
  if (source.charAt(i) === '.' && isDigit(source.charAt(i + 1))) {
    i++;
    while (isDigit(source.charAt(i))) i++;
  }
  if (isNamePart(source.charAt(i)) || source.charAt(i) === '.') {
    throw new ExpressionError(
      'expr_syntax',
      `invalid number "${source.slice(start, i + 1)}" at column ${start + 1} (write plain digits such as 1234.56)`,
      start + 1,
    );
  }
  tokens.push({ kind: 'number', text: source.slice(start, i), column: start + 1 });
  return i;
}

/**
 * Reads a quoted string. Unknown escapes such as `\d` keep their backslash, so regex patterns for
 * replace() can be written as `"\d+"` instead of `"\\d+"`.
 */
function readString(source: string, start: number, tokens: Token[]): number {
  const quote = source.charAt(start);
  let value = '';
  let i = start + 1;
  for (;;) {
    if (i >= source.length) {
      throw new ExpressionError('expr_syntax', `text starting at column ${start + 1} is not closed with ${quote}`, start + 1);
    }
    const c = source.charAt(i);
    if (c === quote) break;
    if (c !== '\\') {
      value += c;
      i++;
      continue;
    }
    const e = source.charAt(i + 1);
    const simple = SIMPLE_ESCAPES.get(e);
    if (simple !== undefined) {
      value += simple;
      i += 2;
    } else if (e === 'u') {
      const hex = source.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        throw new ExpressionError('expr_syntax', `bad \\u escape at column ${i + 1} (expected 4 hex digits)`, i + 1);
      }
      value += String.fromCharCode(Number.parseInt(hex, 16));
      i += 6;
    } else {
      value += `\\${e}`;
      i += 2;
    }
  }
  tokens.push({ kind: 'string', text: value, column: start + 1 });
  return i + 1;
}
