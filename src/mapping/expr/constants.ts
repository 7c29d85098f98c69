/**
 * Constant evaluators: literals and subexpressions folded at compile time. Functions ask for the
 * value of a constant argument (round's scale, substring's start) to prepare it once instead of
 * converting it again for every row.
 */
import type { Evaluator, ExprScope, ExprValue } from './types.js';

const constants = new WeakMap<Evaluator, ExprValue>();

/** A scope that sees nothing: constants never look at it. */
export const EMPTY_SCOPE: ExprScope = {
  field: () => undefined,
  column: () => undefined,
  param: () => undefined,
};

/** An evaluator that always gives `value`. */
export function constant(value: ExprValue): Evaluator {
  const ev: Evaluator = () => value;
  constants.set(ev, value);
  return ev;
}

/** Whether `ev` gives the same value for every row. */
export function isConstant(ev: Evaluator): boolean {
  return constants.has(ev);
}

/**
 * `prepare(value)` of a constant argument, or undefined when the argument is not constant or
 * `prepare` throws: a bad constant is then reported on each row, as it would be without this.
 */
export function prepared<T>(ev: Evaluator | undefined, prepare: (value: ExprValue) => T): T | undefined {
  if (ev === undefined || !constants.has(ev)) return undefined;
  try {
    return prepare(constants.get(ev));
  } catch {
    return undefined;
  }
}
