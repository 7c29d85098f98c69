/**
 * The expression language of profile fields (`expr: "price * qty * 1.25"`): parsed once per
 * profile into a tree of closures, then evaluated per row.
 *
 * Safety comes from construction, not from sandboxing: there is no eval, no Function, no vm. The
 * only things an expression can reach are its scope (fields, columns, parameters by literal name),
 * own data properties of plain objects and list elements, the fixed function library, and the
 * profile's lookup tables by literal name.
 */
import { constant, EMPTY_SCOPE, isConstant } from './constants.js';
import { FUNCTIONS, suggestFunction } from './functions.js';
import { arithmetic, comparison, memberOf, negate, readMember, toNumeric } from './operators.js';
import { parse } from './parser.js';
import { ExpressionError, LIMITS, type CompileContext, type Evaluator, type ExprLookupTable, type ExprScope, type ExprValue, type Node } from './types.js';
import { isAbsent, isList, sanitize, truthy } from './values.js';

export type { ExprLookupTable, ExprObject, ExprScope, ExprValue } from './types.js';
export { ExpressionError } from './types.js';

/** A compiled expression, safe to evaluate for many rows (and from concurrent batches). */
export interface CompiledExpression {
  readonly source: string;
  /** names of fields referenced as bare identifiers (for "used before mapped" checks) */
  readonly fieldRefs: readonly string[];
  /** column names referenced via row["…"] / row.X with literal names */
  readonly columnRefs: readonly string[];
  /** run parameters referenced as param.name */
  readonly paramRefs: readonly string[];
  /** @throws ExpressionError on runtime errors (type mismatch, division by zero, bad function argument) */
  evaluate(scope: ExprScope): ExprValue;
}

/** The outcome of compileExpression: the expression, or a message with a 1-based column. */
export type CompileResult =
  | { ok: true; expression: CompiledExpression }
  | { ok: false; message: string; column: number; code: string };

/** What the profile provides to an expression; everything is optional. */
export interface CompileOptions {
  /** the profile's lookup tables, which lookup("name", key) reads; none when left out */
  readonly lookups?: ReadonlyMap<string, ExprLookupTable>;
}

interface Refs {
  readonly fields: Set<string>;
  readonly columns: Set<string>;
  readonly params: Set<string>;
  readonly context: CompileContext;
}

/** Evaluates `ev` once at compile time when all its inputs are constants (`1.25 * 4`, `[1, 2]`). */
function fold(ev: Evaluator, inputs: readonly Evaluator[]): Evaluator {
  for (const input of inputs) if (!isConstant(input)) return ev;
  try {
    const value = ev(EMPTY_SCOPE);
    return constant(isList(value) ? Object.freeze(value) : value);
  } catch (e) {
    // Leave the error to evaluation time, where it carries the row it happened on.
    if (e instanceof ExpressionError) return ev;
    throw e;
  }
}

function arityMessage(name: string, min: number, max: number): string {
  if (min === max) return `${name}() takes ${min} argument${min === 1 ? '' : 's'}`;
  if (max >= LIMITS.arguments) return `${name}() takes at least ${min} argument${min === 1 ? '' : 's'}`;
  return `${name}() takes ${min} to ${max} arguments`;
}

function compileCall(node: Extract<Node, { kind: 'call' }>, refs: Refs): Evaluator {
  const spec = FUNCTIONS.get(node.name);
  if (spec === undefined) {
    const suggestion = suggestFunction(node.name);
    const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
    throw new ExpressionError(
      'expr_unknown_function',
      `unknown function "${node.name}" at column ${node.column}${hint}`,
      node.column,
    );
  }
  const count = node.args.length;
  if (count < spec.min || count > spec.max) {
    throw new ExpressionError(
      'expr_arity',
      `${arityMessage(node.name, spec.min, spec.max)}, got ${count} (column ${node.column})`,
      node.column,
    );
  }
  const args = node.args.map((arg) => compileNode(arg, refs));
  return fold(spec.build(args, node.args, node.column, refs.context), args);
}

function compileNode(node: Node, refs: Refs): Evaluator {
  const column = node.column;
  switch (node.kind) {
    case 'literal':
      return constant(node.value);
    case 'field': {
      const name = node.name;
      refs.fields.add(name);
      // the slot is resolved again only when another scope (another file) evaluates this
      let bound: ExprScope | undefined;
      let slot = -1;
      return (s) => {
        if (s !== bound) {
          bound = s;
          slot = s.fieldSlot?.(name) ?? -1;
        }
        return sanitize(slot < 0 ? s.field(name) : s.fieldAt?.(slot));
      };
    }
    case 'column': {
      const name = node.name;
      refs.columns.add(name);
      return (s) => sanitize(s.column(name));
    }
    case 'param': {
      const name = node.name;
      refs.params.add(name);
      return (s) => sanitize(s.param(name));
    }
    case 'member': {
      const target = compileNode(node.object, refs);
      if (typeof node.key === 'string') {
        const key = node.key;
        return fold((s) => readMember(target(s), key, column), [target]);
      }
      const key = compileNode(node.key, refs);
      return fold((s) => readMember(target(s), key(s), column), [target, key]);
    }
    case 'unary': {
      const operand = compileNode(node.operand, refs);
      if (node.op === 'not') return fold((s) => !truthy(operand(s)), [operand]);
      if (node.op === '-') return fold((s) => negate(operand(s), column), [operand]);
      return fold((s) => toNumeric(operand(s), column), [operand]);
    }
    case 'arithmetic': {
      const left = compileNode(node.left, refs);
      const right = compileNode(node.right, refs);
      return fold(arithmetic(node.op, left, right, column), [left, right]);
    }
    case 'comparison': {
      const op = node.op;
      const left = compileNode(node.left, refs);
      const right = compileNode(node.right, refs);
      return fold((s) => comparison(op, left(s), right(s), column), [left, right]);
    }
    case 'logical': {
      const left = compileNode(node.left, refs);
      const right = compileNode(node.right, refs);
      if (node.op === 'and') return fold((s) => truthy(left(s)) && truthy(right(s)), [left, right]);
      if (node.op === 'or') return fold((s) => truthy(left(s)) || truthy(right(s)), [left, right]);
      return fold((s) => {
        const v = left(s);
        return isAbsent(v) ? right(s) : v;
      }, [left, right]);
    }
    case 'in': {
      const value = compileNode(node.value, refs);
      const list = compileNode(node.list, refs);
      const negated = node.negated;
      return fold((s) => {
        const found = memberOf(value(s), list(s), column);
        return negated && found !== null ? !found : found;
      }, [value, list]);
    }
    case 'conditional': {
      const test = compileNode(node.test, refs);
      const consequent = compileNode(node.consequent, refs);
      const alternate = compileNode(node.alternate, refs);
      return fold((s) => (truthy(test(s)) ? consequent(s) : alternate(s)), [test, consequent, alternate]);
    }
    case 'array': {
      const elements = node.elements.map((e) => compileNode(e, refs));
      return fold((s) => {
        const out: ExprValue[] = [];
        for (const e of elements) out.push(e(s));
        return out;
      }, elements);
    }
    case 'call':
      return compileCall(node, refs);
  }
}

class Expression implements CompiledExpression {
  constructor(
    readonly source: string,
    readonly fieldRefs: readonly string[],
    readonly columnRefs: readonly string[],
    readonly paramRefs: readonly string[],
    private readonly root: Evaluator,
  ) {}

  evaluate(scope: ExprScope): ExprValue {
    try {
      return this.root(scope);
    } catch (e) {
      // BigInt or string size limits of the engine surface as RangeError; report them as ours.
      if (e instanceof RangeError) throw new ExpressionError('expr_runtime', `expression failed: ${e.message}`);
      throw e;
    }
  }
}

/**
 * Compiles expression source once; evaluate the result per row. Errors carry a 1-based column
 * and a message meant for the profile author (`unexpected ")" at column 12`).
 */
export function compileExpression(source: string, options: CompileOptions = {}): CompileResult {
  if (source.length > LIMITS.sourceLength) {
    return {
      ok: false,
      code: 'expr_too_long',
      column: LIMITS.sourceLength + 1,
      message: `expression is longer than ${LIMITS.sourceLength} characters`,
    };
  }
  try {
    const refs: Refs = { fields: new Set(), columns: new Set(), params: new Set(), context: { lookups: options.lookups ?? new Map() } };
    const root = compileNode(parse(source), refs);
    const expression = new Expression(
      source,
      Object.freeze([...refs.fields]),
      Object.freeze([...refs.columns]),
      Object.freeze([...refs.params]),
      root,
    );
    return { ok: true, expression };
  } catch (e) {
    if (e instanceof ExpressionError) return { ok: false, code: e.code, column: e.column ?? 1, message: e.message };
    throw e;
  }
}
