import type { Accessor, RawValue, SourceRow } from '../formats/types.js';
import type { FieldSpec } from '../profiles/field-schema.js';
import { ConversionFailure, compileConverter, type Converter } from './convert.js';
import { Decimal } from './decimal.js';
import type { CompiledExpression, ExprScope, ExprValue } from './expr/compile.js';
import { compileExpression, ExpressionError } from './expr/compile.js';
import { directResult } from './expression-result.js';
import { type Bound, compileRules, fail, show } from './field-rules.js';
import type { FieldValue, LookupTable, MappingIssue, RowError } from './types.js';

/** Everything a field needs while one row is mapped. */
export interface RowContext {
  readonly row: SourceRow;
  readonly record: Record<string, FieldValue>;
  readonly scope: ExprScope;
  errors: RowError[] | undefined;
}

/** A compiled field: returns the value to set, or undefined to leave the field out. */
export interface FieldProgram {
  readonly name: string;
  /** source column read by `from`, if any */
  readonly column: string | undefined;
  readonly expression: CompiledExpression | undefined;
  /** the `when` condition, if any */
  readonly condition: CompiledExpression | undefined;
  /** binds the field's `from` to the file: a column of its header, or a path in its records */
  bind(accessor: (from: string) => Accessor): (ctx: RowContext) => FieldValue | undefined;
}

type Scalar = string | number | boolean | null;

/** A nested source value as a record value: dates as ISO text, objects with null prototypes kept as plain data. */
export function toFieldValue(v: RawValue): FieldValue | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Decimal) return v;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map((x: RawValue) => toFieldValue(x) ?? null);
  const out: Record<string, FieldValue> = {};
  for (const [k, x] of Object.entries(v)) {
    const f = toFieldValue(x);
    if (f !== undefined) Object.defineProperty(out, k, { value: f, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const EMPTY_SCOPE: ExprScope = { field: () => undefined, column: () => undefined, param: () => undefined };

function toConvertible(v: ExprValue | Scalar): string | number | boolean | Date | Decimal | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean' || v instanceof Date || v instanceof Decimal) return v;
  return undefined;
}

/**
 * Compiles one field of a profile: its source (`from`, `value` or `expr`), then trim, empty check,
 * default and required, pattern, map or lookup, type conversion, and min/max/length. Problems with
 * the field's settings are returned as issues at the field's key path.
 */
export function compileField(name: string, spec: FieldSpec, lookups: ReadonlyMap<string, LookupTable>): { program?: FieldProgram; issues: MappingIssue[] } {
  const issues: MappingIssue[] = [];
  const at = (...p: (string | number)[]): readonly (string | number)[] => ['fields', name, ...p];
  const converted = compileConverter(spec);
  if (!converted.ok) return { issues: [{ path: at(converted.path), message: converted.message }] };
  const convert: Converter = converted.convert;
  const type = converted.type;
  const label = spec.label ?? spec.from ?? name;
  // Settings (default, min, max) may be written as in the file or canonically (1.5, 2026-11-23).
  const canonical = compileConverter({ type, ...(spec.timezone === undefined ? {} : { timezone: spec.timezone }) });
  const convertSetting = (v: string | number | boolean): FieldValue | ConversionFailure => {
    const out = convert(v);
    if (!(out instanceof ConversionFailure) || !canonical.ok) return out;
    const again = canonical.convert(v);
    return again instanceof ConversionFailure ? out : again;
  };

  let pattern: RegExp | undefined;
  if (spec.pattern !== undefined) pattern = new RegExp(spec.pattern, 'u');
  let table: LookupTable | undefined;
  let tableName = '';
  if (spec.map !== undefined) {
    table = new Map(Object.entries(spec.map));
    tableName = 'the map';
  } else if (spec.lookup !== undefined) {
    table = lookups.get(spec.lookup);
    tableName = `lookup ${spec.lookup}`;
    if (table === undefined) issues.push({ path: at('lookup'), message: `no lookup named "${spec.lookup}"; known: ${[...lookups.keys()].join(', ') || 'none'}` });
  }
  const bounds: { min?: Bound; max?: Bound } = {};
  for (const which of ['min', 'max'] as const) {
    const b = spec[which];
    if (b === undefined) continue;
    if (type === 'string' || type === 'boolean') {
      issues.push({ path: at(which), message: `min and max apply to numbers and dates; this field is ${type} (use minLength/maxLength for text)` });
      continue;
    }
    const v = convertSetting(b);
    if (v instanceof ConversionFailure) issues.push({ path: at(which), message: `${show(b)} is ${v.message}` });
    else bounds[which] = { text: String(b), value: v };
  }
  let condition: CompiledExpression | undefined;
  if (spec.when !== undefined) {
    const compiled = compileExpression(spec.when, { lookups });
    if (compiled.ok) condition = compiled.expression;
    else issues.push({ path: at('when'), message: `${compiled.message} in the condition` });
  }
  let expression: CompiledExpression | undefined;
  if (spec.expr !== undefined) {
    const compiled = compileExpression(spec.expr, { lookups });
    if (compiled.ok) expression = compiled.expression;
    else issues.push({ path: at('expr'), message: `${compiled.message} in the expression` });
  }
  let defaultValue: FieldValue | undefined;
  if (spec.default !== undefined && spec.default !== null) {
    const d = convertSetting(spec.default);
    if (d instanceof ConversionFailure) issues.push({ path: at('default'), message: `${show(spec.default)} is ${d.message}` });
    else defaultValue = d;
  }
  if (issues.length > 0) return { issues };

  const trim = spec.trim === true || type !== 'string';
  // an expression without a declared type keeps the type of its result: price * qty stays a number
  const keepResultType = spec.type === undefined && spec.expr !== undefined;
  const column = spec.from;
  const err = (code: string, message: string): RowError => (column === undefined ? { field: name, code, message } : { field: name, code, message, column });

  const finish = compileRules({
    label, type, convert, required: spec.required === true, defaultValue, pattern, patternText: spec.pattern, table, tableName,
    tableCode: spec.map !== undefined ? 'map' : 'lookup', keepResultType, min: bounds.min, max: bounds.max,
    minLength: spec.minLength, maxLength: spec.maxLength, err,
  });

  // A constant goes through the same rules once, now, so that a bad one is a profile problem.
  let constant: FieldValue | undefined;
  if (spec.value !== undefined) {
    const probe: RowContext = { row: { row: 0, cells: [] }, record: {}, scope: EMPTY_SCOPE, errors: undefined };
    constant = finish(probe, toConvertible(spec.value));
    for (const e of probe.errors ?? []) issues.push({ path: at('value'), message: e.message });
    if (issues.length > 0) return { issues };
  }

  const program: FieldProgram = {
    name,
    column,
    expression,
    condition,
    bind(accessor) {
      const run = bindSource(accessor);
      if (condition === undefined) return run;
      const cond = condition;
      return (ctx) => {
        let go: ExprValue;
        try {
          go = cond.evaluate(ctx.scope);
        } catch (e) {
          if (!(e instanceof ExpressionError)) throw e;
          return fail(ctx, err('expr', `the condition of ${name} could not be evaluated: ${e.message}`));
        }
        return truthy(go) ? run(ctx) : undefined;
      };
    },
  };
  return { program, issues };

  function bindSource(accessor: (from: string) => Accessor): (ctx: RowContext) => FieldValue | undefined {
    if (spec.value !== undefined) {
      const value = constant;
      return () => value;
    }
    if (expression !== undefined) {
      const expr = expression;
      const refs = expr.fieldRefs;
      const direct = directResult(spec);
      return (ctx) => {
        // A field this one builds on was rejected already; a second error about it says nothing new.
        if (ctx.errors !== undefined && refs.length > 0 && ctx.errors.some((e) => refs.includes(e.field))) return undefined;
        let result: ExprValue;
        try {
          result = expr.evaluate(ctx.scope);
        } catch (e) {
          if (!(e instanceof ExpressionError)) throw e;
          return fail(ctx, err('expr', `${label} could not be computed: ${e.message}`));
        }
        const settled = direct?.(result);
        if (settled !== undefined) return settled;
        if (Array.isArray(result) || (result !== null && typeof result === 'object' && !(result instanceof Decimal) && !(result instanceof Date))) {
          return result as FieldValue;
        }
        return finish(ctx, toConvertible(result as ExprValue));
      };
    }
    const read = column === undefined ? (): RawValue => undefined : accessor(column);
    return (ctx) => {
      const v = read(ctx.row);
      if (typeof v === 'string') {
        if (v.length === 0) return finish(ctx, undefined);
        const text = trim ? v.trim() : v;
        return finish(ctx, text.length === 0 ? undefined : text);
      }
      if (v === undefined) return finish(ctx, undefined);
      if (typeof v === 'number' || typeof v === 'boolean' || v instanceof Date || v instanceof Decimal) return finish(ctx, v);
      // a repeated element (an array) or an element with children: kept as they are for a field
      // without a type, refused for a typed one, which needs a single value
      if (spec.type === undefined) return toFieldValue(v);
      const what = Array.isArray(v) ? `${v.length} values` : 'nested fields';
      return fail(ctx, err('type', `${label} has ${what}, but a ${spec.type} field takes one value`));
    };
  }
}

/** Truthiness of a condition: false, null, undefined, "", 0 and a zero Decimal are false. */
function truthy(v: ExprValue): boolean {
  if (v === null || v === undefined || v === false || v === '' || v === 0) return false;
  if (v instanceof Decimal) return !v.isZero();
  return true;
}
