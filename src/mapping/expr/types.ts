import type { Decimal } from '../decimal.js';

/** A value an expression works with. Numbers written in an expression are Decimals. */
export type ExprValue =
  | string
  | number
  | boolean
  | Decimal
  | Date
  | null
  | undefined
  | readonly ExprValue[]
  | ExprObject;

/** A nested record (XML/JSON sources, grouped rows); always a null-prototype object. */
export interface ExprObject {
  readonly [key: string]: ExprValue;
}

/** What an expression can see of the row being mapped. */
export interface ExprScope {
  /** a field mapped earlier in the record, by its target name; undefined when absent */
  field(name: string): ExprValue;
  /** a raw source column/path of the current row; undefined when absent or empty */
  column(name: string): ExprValue;
  /** a run parameter (`param.from`); undefined when not given */
  param(name: string): ExprValue;
  /**
   * Optional fast path for `field`: the slot of a field for `fieldAt`, or -1 when it has none.
   * Asked once per reference and scope, so that each row reads a slot instead of looking up a name.
   */
  fieldSlot?(name: string): number;
  /** the value of the field in a slot from `fieldSlot`, as `field` would give it */
  fieldAt?(slot: number): ExprValue;
}

/** A profile lookup table as expressions read it: key text to value (null or "" is "nothing"). */
export type ExprLookupTable = ReadonlyMap<string, string | number | boolean | null>;

/** What the profile provides to the functions of an expression while it is compiled. */
export interface CompileContext {
  /** the profile's `lookups`, by name, for lookup() */
  readonly lookups: ReadonlyMap<string, ExprLookupTable>;
}

/** One compiled node: evaluates against the current row. */
export type Evaluator = (scope: ExprScope) => ExprValue;

/**
 * A compile or evaluation failure. `code` is stable for result files and tests:
 * `expr_syntax`, `expr_unknown_function`, `expr_arity`, `expr_forbidden`, `expr_too_long`,
 * `expr_too_deep`, `expr_pattern` (regex or date pattern), `expr_timezone`, `expr_unit`,
 * `expr_lookup` (compile time); `expr_type`, `expr_div_zero`, `expr_argument`, `expr_too_long`,
 * `expr_runtime` (evaluation).
 */
export class ExpressionError extends Error {
  readonly code: string;
  /** 1-based column in the expression source, when known */
  readonly column?: number;

  constructor(code: string, message: string, column?: number) {
    super(message);
    this.name = 'ExpressionError';
    this.code = code;
    if (column !== undefined) this.column = column;
  }
}

/** Limits that keep a hostile profile from exhausting the daemon. */
export const LIMITS = {
  /** characters of expression source */
  sourceLength: 4_000,
  /** nesting of the syntax tree */
  depth: 64,
  /** characters of any string an expression produces */
  stringLength: 1_000_000,
  /** target length of padStart/padEnd */
  padLength: 10_000,
  /** characters of a regex literal given to replace() */
  patternLength: 500,
  /** characters of text that arithmetic will read as a number */
  numberText: 1_000,
  /** largest |scale| accepted by round() */
  roundScale: 1_000,
  /** arguments of a variadic function */
  arguments: 255,
} as const;

/**
 * Property names that lead to prototypes or Object.prototype methods. They are refused as field,
 * column, parameter and member names, so that a careless scope implementation (`fields[name]` on a
 * plain object) can never hand out a function or a prototype.
 */
export const FORBIDDEN_NAMES: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
  ...Object.getOwnPropertyNames(Object.prototype),
]);

export type UnaryOp = '-' | '+' | 'not';
export type ArithmeticOp = '+' | '-' | '*' | '/' | '%';
export type ComparisonOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type LogicalOp = 'and' | 'or' | '??';

interface NodeBase {
  /** 1-based column of the token that starts (or, for operators, names) the node */
  readonly column: number;
  /** height of the subtree; checked against LIMITS.depth while parsing */
  readonly depth: number;
}

export interface LiteralNode extends NodeBase {
  readonly kind: 'literal';
  readonly value: ExprValue;
}
/** `price`, `field["Unit price"]`, `row["Qty"]`, `row.Qty`, `param.from` */
export interface RefNode extends NodeBase {
  readonly kind: 'field' | 'column' | 'param';
  readonly name: string;
}
/** `a.b` (name) or `a[expr]` (index) on a value */
export interface MemberNode extends NodeBase {
  readonly kind: 'member';
  readonly object: Node;
  readonly key: string | Node;
}
export interface UnaryNode extends NodeBase {
  readonly kind: 'unary';
  readonly op: UnaryOp;
  readonly operand: Node;
}
export interface BinaryNode extends NodeBase {
  readonly kind: 'arithmetic';
  readonly op: ArithmeticOp;
  readonly left: Node;
  readonly right: Node;
}
export interface ComparisonNode extends NodeBase {
  readonly kind: 'comparison';
  readonly op: ComparisonOp;
  readonly left: Node;
  readonly right: Node;
}
export interface LogicalNode extends NodeBase {
  readonly kind: 'logical';
  readonly op: LogicalOp;
  readonly left: Node;
  readonly right: Node;
}
export interface InNode extends NodeBase {
  readonly kind: 'in';
  readonly negated: boolean;
  readonly value: Node;
  readonly list: Node;
}
export interface ConditionalNode extends NodeBase {
  readonly kind: 'conditional';
  readonly test: Node;
  readonly consequent: Node;
  readonly alternate: Node;
}
export interface ArrayNode extends NodeBase {
  readonly kind: 'array';
  readonly elements: readonly Node[];
}
export interface CallNode extends NodeBase {
  readonly kind: 'call';
  readonly name: string;
  readonly args: readonly Node[];
}

/** The syntax tree of an expression. */
export type Node =
  | LiteralNode
  | RefNode
  | MemberNode
  | UnaryNode
  | BinaryNode
  | ComparisonNode
  | LogicalNode
  | InNode
  | ConditionalNode
  | ArrayNode
  | CallNode;
