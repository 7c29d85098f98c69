import assert from 'node:assert/strict';

import { Decimal } from '../../../src/mapping/decimal.js';
import {
  compileExpression,
  ExpressionError,
  type CompiledExpression,
  type ExprObject,
  type ExprScope,
  type ExprValue,
} from '../../../src/mapping/expr/compile.js';

/** Named values a test scope hands out. */
export type Values = Readonly<Record<string, ExprValue>>;

function lookup(values: Values): (name: string) => ExprValue {
  const map = new Map(Object.entries(values));
  return (name) => map.get(name);
}

/** A scope backed by Maps, as a careful caller would write it. */
export function scopeOf(fields: Values = {}, columns: Values = {}, params: Values = {}): ExprScope {
  return { field: lookup(fields), column: lookup(columns), param: lookup(params) };
}

/** Compiles or fails the test with the compile message. */
export function compile(source: string): CompiledExpression {
  const result = compileExpression(source);
  if (!result.ok) assert.fail(`${source}: ${result.message}`);
  return result.expression;
}

/** Compiles and evaluates once. */
export function run(source: string, fields: Values = {}, columns: Values = {}, params: Values = {}): ExprValue {
  return compile(source).evaluate(scopeOf(fields, columns, params));
}

/** The text of a Decimal result, failing when the result is not a Decimal. */
export function dec(v: ExprValue): string {
  assert.ok(v instanceof Decimal, `expected a Decimal, got ${typeof v}: ${String(v)}`);
  return v.toString();
}

/** The compile failure of `source`, failing the test when it compiles. */
export function compileError(source: string): { message: string; column: number; code: string } {
  const result = compileExpression(source);
  if (result.ok) assert.fail(`expected a compile error for ${source.slice(0, 80)}`);
  return result;
}

/** The ExpressionError thrown when evaluating `source`. */
export function runtimeError(source: string, fields: Values = {}, columns: Values = {}): ExpressionError {
  const expression = compile(source);
  try {
    expression.evaluate(scopeOf(fields, columns));
  } catch (e) {
    assert.ok(e instanceof ExpressionError, `expected an ExpressionError, got ${String(e)}`);
    return e;
  }
  return assert.fail(`expected ${source} to throw`);
}

/** A null-prototype object, as sources hand out nested records. */
export function record(entries: Values): ExprObject {
  return Object.assign(Object.create(null) as Record<string, ExprValue>, entries);
}

/** price 1234.56 (Decimal) and qty 3 (integer field). */
export const money: Values = { price: Decimal.parse('1234.56'), qty: 3 };
