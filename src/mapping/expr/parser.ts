import { Decimal } from '../decimal.js';
import { describeToken, tokenize, type Token } from './lexer.js';
import { ARITHMETIC_OPERATORS, BP, COMPARISON_OPERATORS, LITERAL_NAMES, LOGICAL_OPERATORS } from './precedence.js';
import { ExpressionError, FORBIDDEN_NAMES, LIMITS, type Node } from './types.js';

/** Height of a new node over `children`; refuses trees deeper than LIMITS.depth. */
function heightOver(column: number, ...children: readonly Node[]): number {
  let max = 0;
  for (const child of children) if (child.depth > max) max = child.depth;
  if (max + 1 > LIMITS.depth) {
    throw new ExpressionError(
      'expr_too_deep',
      `expression is nested too deeply (more than ${LIMITS.depth} levels) at column ${column}`,
      column,
    );
  }
  return max + 1;
}

function checkName(name: string, column: number): void {
  if (FORBIDDEN_NAMES.has(name)) {
    throw new ExpressionError('expr_forbidden', `the name "${name}" is not allowed (column ${column})`, column);
  }
}

/**
 * Parses expression source into a syntax tree (a Pratt parser over the token list).
 * @throws ExpressionError with a 1-based column on any syntax error or limit.
 */
export function parse(source: string): Node {
  const parser = new Parser(tokenize(source));
  const node = parser.expression(0);
  parser.expectEnd();
  return node;
}

class Parser {
  private pos = 0;
  private nesting = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  expression(minBp: number): Node {
    const start = this.peek();
    if (++this.nesting > LIMITS.depth) {
      throw new ExpressionError(
        'expr_too_deep',
        `expression is nested too deeply (more than ${LIMITS.depth} levels) at column ${start.column}`,
        start.column,
      );
    }
    let left = this.prefix(this.next());
    for (;;) {
      const next = this.infix(left, minBp);
      if (next === undefined) break;
      left = next;
    }
    this.nesting--;
    return left;
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.kind !== 'end') this.fail(t);
  }

  private peek(offset = 0): Token {
    const t = this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
    if (t === undefined) throw new ExpressionError('expr_syntax', 'empty token list', 1);
    return t;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.pos++;
    return t;
  }

  private isPunct(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'punct' && t.text === text;
  }

  private expect(text: string): Token {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== text) {
      throw new ExpressionError(
        'expr_syntax',
        `expected "${text}" but found ${describeToken(t)} at column ${t.column}`,
        t.column,
      );
    }
    return t;
  }

  private fail(t: Token): never {
    const what = t.kind === 'end' ? 'unexpected end of expression' : `unexpected ${describeToken(t)}`;
    throw new ExpressionError('expr_syntax', `${what} at column ${t.column}`, t.column);
  }

  private prefix(t: Token): Node {
    const column = t.column;
    if (t.kind === 'number') {
      const value = Decimal.parse(t.text);
      if (value === undefined) this.fail(t);
      return { kind: 'literal', value, column, depth: 1 };
    }
    if (t.kind === 'string') return { kind: 'literal', value: t.text, column, depth: 1 };
    if (t.kind === 'name') return this.name(t);
    if (t.kind === 'punct') {
      if (t.text === '-' || t.text === '+' || t.text === '!') {
        const operand = this.expression(BP.prefix);
        const op = t.text === '!' ? 'not' : t.text;
        return { kind: 'unary', op, operand, column, depth: heightOver(column, operand) };
      }
      if (t.text === '(') {
        const inner = this.expression(0);
        this.expect(')');
        return inner;
      }
      if (t.text === '[') {
        const elements = this.list(']');
        return { kind: 'array', elements, column, depth: heightOver(column, ...elements) };
      }
    }
    return this.fail(t);
  }

  private name(t: Token): Node {
    const column = t.column;
    const name = t.text;
    const literal = LITERAL_NAMES.get(name);
    if (literal !== undefined) return { kind: 'literal', value: literal, column, depth: 1 };
    if (name === 'not') {
      const operand = this.expression(BP.prefix);
      return { kind: 'unary', op: 'not', operand, column, depth: heightOver(column, operand) };
    }
    if (name === 'and' || name === 'or' || name === 'in') this.fail(t);
    if (this.isPunct('(')) {
      this.next();
      const args = this.list(')');
      return { kind: 'call', name, args, column, depth: heightOver(column, ...args) };
    }
    if (name === 'row' || name === 'param') {
      const key = this.literalKey(name);
      return { kind: name === 'row' ? 'column' : 'param', name: key, column, depth: 1 };
    }
    if (name === 'field' && this.isPunct('[')) {
      return { kind: 'field', name: this.literalKey(name), column, depth: 1 };
    }
    checkName(name, column);
    return { kind: 'field', name, column, depth: 1 };
  }

  /** `.Name` or `["Name"]` after row / param / field: only literal names, so refs are static. */
  private literalKey(owner: string): string {
    const t = this.next();
    if (t.kind === 'punct' && t.text === '.') {
      const key = this.next();
      if (key.kind !== 'name') this.fail(key);
      checkName(key.text, key.column);
      return key.text;
    }
    if (t.kind === 'punct' && t.text === '[') {
      const key = this.next();
      if (key.kind !== 'string') {
        throw new ExpressionError(
          'expr_syntax',
          `${owner}[…] needs a quoted name such as ${owner}["Unit price"] (column ${key.column})`,
          key.column,
        );
      }
      checkName(key.text, key.column);
      this.expect(']');
      return key.text;
    }
    throw new ExpressionError(
      'expr_syntax',
      `"${owner}" must be followed by .Name or ["Name"] (column ${t.column})`,
      t.column,
    );
  }

  /** Comma-separated expressions up to `close`; the opening bracket is already consumed. */
  private list(close: string): Node[] {
    const items: Node[] = [];
    if (this.isPunct(close)) {
      this.next();
      return items;
    }
    for (;;) {
      items.push(this.expression(0));
      if (this.isPunct(',')) {
        this.next();
        continue;
      }
      this.expect(close);
      return items;
    }
  }

  /** Extends `left` with the next infix/postfix operator binding tighter than `minBp`. */
  private infix(left: Node, minBp: number): Node | undefined {
    const t = this.peek();
    const text = t.text;
    const column = t.column;
    if (t.kind === 'punct') {
      if (text === '.' || text === '[') return this.member(left);
      if (text === '(') {
        throw new ExpressionError(
          'expr_syntax',
          `only built-in functions can be called, like upper(name) (column ${column})`,
          column,
        );
      }
      const arithmetic = ARITHMETIC_OPERATORS.get(text);
      if (arithmetic !== undefined) {
        const [op, bp] = arithmetic;
        if (bp <= minBp) return undefined;
        this.next();
        const right = this.expression(bp);
        return { kind: 'arithmetic', op, left, right, column, depth: heightOver(column, left, right) };
      }
      const comparison = COMPARISON_OPERATORS.get(text);
      if (comparison !== undefined) {
        const [op, bp] = comparison;
        if (bp <= minBp) return undefined;
        this.next();
        const right = this.expression(bp);
        return { kind: 'comparison', op, left, right, column, depth: heightOver(column, left, right) };
      }
      if (text === '?') {
        if (BP.ternary <= minBp) return undefined;
        this.next();
        const consequent = this.expression(0);
        this.expect(':');
        const alternate = this.expression(BP.ternary - 1);
        const depth = heightOver(column, left, consequent, alternate);
        return { kind: 'conditional', test: left, consequent, alternate, column, depth };
      }
    }
    const logical = t.kind === 'punct' || t.kind === 'name' ? LOGICAL_OPERATORS.get(text) : undefined;
    if (logical !== undefined) {
      const [op, bp] = logical;
      if (bp <= minBp) return undefined;
      this.next();
      const right = this.expression(bp);
      return { kind: 'logical', op, left, right, column, depth: heightOver(column, left, right) };
    }
    const after = this.peek(1);
    const notIn = text === 'not' && after.kind === 'name' && after.text === 'in';
    if (t.kind === 'name' && (text === 'in' || notIn)) {
      if (BP.relational <= minBp) return undefined;
      this.next();
      if (notIn) this.next();
      const list = this.expression(BP.relational);
      return { kind: 'in', negated: notIn, value: left, list, column, depth: heightOver(column, left, list) };
    }
    return undefined;
  }

  private member(object: Node): Node {
    const t = this.next();
    const column = t.column;
    if (t.text === '.') {
      const key = this.next();
      if (key.kind !== 'name') this.fail(key);
      checkName(key.text, key.column);
      return { kind: 'member', object, key: key.text, column, depth: heightOver(column, object) };
    }
    const index = this.expression(0);
    this.expect(']');
    if (index.kind === 'literal' && typeof index.value === 'string') {
      checkName(index.value, index.column);
      return { kind: 'member', object, key: index.value, column, depth: heightOver(column, object) };
    }
    return { kind: 'member', object, key: index, column, depth: heightOver(column, object, index) };
  }
}
