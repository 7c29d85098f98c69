import type { ArithmeticOp, ComparisonOp, LogicalOp } from './types.js';

/** Binding powers of the parser, loosest first; postfix `.` and `[` bind tightest of all. */
export const BP = {
  ternary: 1,
  coalesce: 2,
  or: 3,
  and: 4,
  equality: 5,
  relational: 6,
  additive: 7,
  multiplicative: 8,
  prefix: 9,
} as const;

/** Arithmetic operator tokens with their binding power. */
export const ARITHMETIC_OPERATORS: ReadonlyMap<string, [ArithmeticOp, number]> = new Map([
  ['+', ['+', BP.additive]],
  ['-', ['-', BP.additive]],
  ['*', ['*', BP.multiplicative]],
  ['/', ['/', BP.multiplicative]],
  ['%', ['%', BP.multiplicative]],
]);

/** Comparison operator tokens with their binding power. */
export const COMPARISON_OPERATORS: ReadonlyMap<string, [ComparisonOp, number]> = new Map([
  ['==', ['==', BP.equality]],
  ['!=', ['!=', BP.equality]],
  ['<', ['<', BP.relational]],
  ['<=', ['<=', BP.relational]],
  ['>', ['>', BP.relational]],
  ['>=', ['>=', BP.relational]],
]);

/** `and`/`or` (as words or symbols) and `??` with their binding power. */
export const LOGICAL_OPERATORS: ReadonlyMap<string, [LogicalOp, number]> = new Map([
  ['and', ['and', BP.and]],
  ['&&', ['and', BP.and]],
  ['or', ['or', BP.or]],
  ['||', ['or', BP.or]],
  ['??', ['??', BP.coalesce]],
]);

/** Names that are literal values rather than field references. */
export const LITERAL_NAMES: ReadonlyMap<string, boolean | null> = new Map([
  ['true', true],
  ['false', false],
  ['null', null],
]);
