import { ExpressionError, type CompileContext, type Evaluator, type ExprValue, type Node } from './types.js';

/** A built-in function: its argument count range and how it turns argument evaluators into one. */
export interface FunctionSpec {
  readonly min: number;
  readonly max: number;
  /**
   * `nodes` lets a function demand literal arguments (replace's pattern), `context` hands it what
   * the profile provides (lookup tables); called once per compile.
   */
  readonly build: (args: readonly Evaluator[], nodes: readonly Node[], column: number, context: CompileContext) => Evaluator;
}

/** The implementation of a function whose arguments are all evaluated before the call. */
export type EagerImpl = (args: readonly ExprValue[], column: number) => ExprValue;

/** Wraps an implementation that takes already evaluated arguments. */
export function eager(min: number, max: number, impl: EagerImpl): FunctionSpec {
  return {
    min,
    max,
    build: (args, _nodes, column) => {
      const [a, b, c] = args;
      if (args.length === 1 && a !== undefined) return (s) => impl([a(s)], column);
      if (args.length === 2 && a !== undefined && b !== undefined) return (s) => impl([a(s), b(s)], column);
      if (args.length === 3 && a !== undefined && b !== undefined && c !== undefined) {
        return (s) => impl([a(s), b(s), c(s)], column);
      }
      return (s) => {
        const values: ExprValue[] = [];
        for (const arg of args) values.push(arg(s));
        return impl(values, column);
      };
    },
  };
}

/** The argument evaluator at `i`; arity is checked before build, so a gap is a programming error. */
export function argAt(args: readonly Evaluator[], i: number): Evaluator {
  const a = args[i];
  if (a === undefined) throw new RangeError(`missing argument ${i}`);
  return a;
}

/**
 * The text of literal argument `i`, checked at compile time so that a typo fails the profile
 * rather than every row. Otherwise an ExpressionError with `code` that shows `example`.
 */
export function literalText(nodes: readonly Node[], i: number, column: number, code: string, what: string, example: string): string {
  const node = nodes[i];
  if (node?.kind === 'literal' && typeof node.value === 'string') return node.value;
  const at = node?.column ?? column;
  throw new ExpressionError(code, `${what} must be quoted text, such as ${example} (column ${at})`, at);
}
