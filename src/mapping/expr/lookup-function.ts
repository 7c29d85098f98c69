/**
 * lookup(table, key[, default]): reads one of the profile's lookup tables, the same tables the
 * field option `lookup:` uses. The table is named by quoted text and must exist when the profile
 * is compiled, so a misspelt name fails the profile instead of every row.
 */
import { Decimal } from '../decimal.js';
import { argAt, literalText, type FunctionSpec } from './function-spec.js';
import { ExpressionError, type Evaluator, type ExprValue } from './types.js';
import { isAbsent, toText } from './values.js';

/** A table value as an expression value: "" is nothing, as an empty lookup cell is; numbers stay exact. */
function tableValue(v: string | number | boolean | null): ExprValue {
  if (v === null || v === '') return null;
  if (typeof v === 'number' && !Number.isSafeInteger(v) && Number.isFinite(v)) return Decimal.fromNumber(v);
  return v;
}

const lookup: FunctionSpec = {
  min: 2,
  max: 3,
  build: (args, nodes, column, context) => {
    const name = literalText(nodes, 0, column, 'expr_lookup', 'the table of lookup()', '"vat"');
    const table = context.lookups.get(name);
    if (table === undefined) {
      const at = nodes[0]?.column ?? column;
      const known = [...context.lookups.keys()];
      const list = known.length === 0 ? 'this profile has no lookups' : `known: ${known.join(', ')}`;
      throw new ExpressionError('expr_lookup', `lookup(): no lookup named "${name}" (column ${at}); ${list}`, at);
    }
    const key = argAt(args, 1);
    // The default is evaluated only when it is needed, like the branches of if().
    const otherwise: Evaluator = args[2] ?? ((): ExprValue => null);
    return (s) => {
      const k = key(s);
      if (isAbsent(k)) return otherwise(s);
      const found = table.get(toText(k, 'lookup() key', column));
      return found === undefined ? otherwise(s) : tableValue(found);
    };
  },
};

/** lookup() by name. */
export const LOOKUP_FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map<string, FunctionSpec>([['lookup', lookup]]);
