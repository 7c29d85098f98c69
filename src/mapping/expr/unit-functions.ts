/**
 * convert(value, fromUnit, toUnit): unit conversion in exact decimals. Every factor is exact by
 * definition (1 lb = 0.45359237 kg, 1 in = 0.0254 m since 1959), so a conversion is exact whenever
 * its result has a finite decimal expansion; otherwise it has 20 fraction digits, like `/`.
 */
import { Decimal } from '../decimal.js';
import { argAt, literalText, type FunctionSpec } from './function-spec.js';
import { ExpressionError, type Node } from './types.js';
import { isAbsent, toDecimal } from './values.js';

/** Fraction digits of a conversion that does not come out even (the same as the `/` operator). */
const INEXACT_SCALE = 20;

/** Size of one unit in its dimension's base unit (kg, m, l, m2, s), as exact decimal text. */
const DIMENSIONS: ReadonlyMap<string, ReadonlyMap<string, string>> = new Map([
  ['mass', new Map([['mg', '0.000001'], ['g', '0.001'], ['kg', '1'], ['t', '1000'], ['lb', '0.45359237'], ['oz', '0.028349523125']])],
  ['length', new Map([['mm', '0.001'], ['cm', '0.01'], ['dm', '0.1'], ['m', '1'], ['km', '1000'], ['in', '0.0254'], ['ft', '0.3048'], ['yd', '0.9144']])],
  ['volume', new Map([['ml', '0.001'], ['cl', '0.01'], ['dl', '0.1'], ['l', '1'], ['m3', '1000']])],
  ['area', new Map([['mm2', '0.000001'], ['cm2', '0.0001'], ['m2', '1']])],
  ['time', new Map([['s', '1'], ['min', '60'], ['h', '3600'], ['d', '86400']])],
]);

interface Unit {
  readonly name: string;
  readonly dimension: string;
  readonly factor: Decimal;
}

const UNITS = new Map<string, Unit>();
for (const [dimension, units] of DIMENSIONS) {
  for (const [name, text] of units) {
    const factor = Decimal.parse(text);
    if (factor === undefined) throw new RangeError(`bad unit factor ${text}`);
    UNITS.set(name, { name, dimension, factor });
  }
}

/** `mass: mg, g, kg, t, lb, oz; length: …` for error messages. */
function knownUnits(): string {
  return [...DIMENSIONS].map(([dimension, units]) => `${dimension}: ${[...units.keys()].join(', ')}`).join('; ');
}

function unitAt(nodes: readonly Node[], i: number, column: number): Unit {
  const what = i === 1 ? 'the unit to convert from' : 'the unit to convert to';
  const name = literalText(nodes, i, column, 'expr_unit', `convert(): ${what}`, '"kg"');
  const unit = UNITS.get(name);
  if (unit !== undefined) return unit;
  const at = nodes[i]?.column ?? column;
  throw new ExpressionError('expr_unit', `convert(): unknown unit "${name}" (column ${at}); known units are ${knownUnits()}`, at);
}

/** value × from ÷ to: exact when the ratio of the units is a finite decimal, as almost all are. */
function converter(from: Unit, to: Unit): (value: Decimal) => Decimal {
  const ratio = from.factor.div(to.factor, INEXACT_SCALE);
  if (ratio.mul(to.factor).eq(from.factor)) {
    const exact = ratio.stripTrailingZeros();
    return (value) => value.mul(exact).stripTrailingZeros();
  }
  // kg to lb, m to in: dividing the product once keeps results such as 2.54 cm → 1 in exact.
  return (value) => value.mul(from.factor).div(to.factor, INEXACT_SCALE).stripTrailingZeros();
}

const convert: FunctionSpec = {
  min: 3,
  max: 3,
  build: (args, nodes, column) => {
    const from = unitAt(nodes, 1, column);
    const to = unitAt(nodes, 2, column);
    if (from.dimension !== to.dimension) {
      throw new ExpressionError(
        'expr_unit',
        `convert() cannot convert ${from.name} (${from.dimension}) to ${to.name} (${to.dimension}) (column ${column}); units of ${from.dimension} are ${[...(DIMENSIONS.get(from.dimension)?.keys() ?? [])].join(', ')}`,
        column,
      );
    }
    const apply = converter(from, to);
    const value = argAt(args, 0);
    return (s) => {
      const v = value(s);
      return isAbsent(v) ? null : apply(toDecimal(v, 'convert()', column));
    };
  },
};

/** convert() by name. */
export const UNIT_FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map<string, FunctionSpec>([['convert', convert]]);
