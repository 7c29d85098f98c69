import type { FieldSpec } from '../profiles/field-schema.js';
import { Decimal } from './decimal.js';
import type { ExprValue } from './expr/compile.js';
import { formatIsoDay } from './iso-format.js';
import type { FieldValue } from './types.js';

/** Settles one expression result directly, or gives undefined to leave it to the general rules. */
export type DirectResult = (result: ExprValue) => FieldValue | undefined;

/**
 * The shortcut for the usual results of an expression field: a Decimal for a decimal field, a Date
 * for a date field, text for a field without a type. It gives what the general field rules
 * (`finish` in field-program.ts, then the field's converter) give for such a result, without their
 * checks, which matter only to fields with a pattern, map, lookup, bounds or lengths; those
 * fields, other types and other results take the general path. Undefined when there is no shortcut.
 */
export function directResult(spec: FieldSpec): DirectResult | undefined {
  const ruled = spec.pattern !== undefined || spec.map !== undefined || spec.lookup !== undefined || spec.min !== undefined || spec.max !== undefined || spec.minLength !== undefined || spec.maxLength !== undefined;
  if (ruled || spec.expr === undefined) return undefined;
  switch (spec.type) {
    case 'decimal': {
      const scale = spec.scale;
      return (result) => (result instanceof Decimal ? (scale === undefined ? result : result.round(scale)) : undefined);
    }
    case 'date':
      return (result) => (result instanceof Date ? formatIsoDay(result.getTime()) : undefined);
    case undefined:
      // empty text is no value: the general rules apply default and required
      return (result) => (typeof result === 'string' && result !== '' ? result : undefined);
    default:
      return undefined;
  }
}
