import { Decimal } from '../../mapping/decimal.js';

const SHORT_INTEGER = /^-?\d{1,15}$/;
/** a JSON number with 16 or more significant digits, or an exponent: a double may not hold it */
const LONG_NUMBER = /\d(?:\.?\d){15}|\d[eE][-+]?\d/;

/**
 * A JSON number from its source text: a JS number when the double says exactly what the text
 * says (`12`, `1234.56`, `0.1`), else an exact {@link Decimal} (`12345678901234567890`,
 * `0.12345678901234567891`). An exponent beyond ±1000 keeps its text.
 */
export function jsonNumber(text: string): number | Decimal | string {
  const n = Number(text);
  if (SHORT_INTEGER.test(text)) return n;
  const exact = exactDecimal(text);
  if (exact === undefined) return text;
  return Number.isFinite(n) && exact.cmp(Decimal.fromNumber(n)) === 0 ? n : exact;
}

/** Whether a line of JSON text may hold a number that {@link jsonNumber} keeps as a Decimal. */
export function mayHoldLongNumber(text: string): boolean {
  return LONG_NUMBER.test(text);
}

function exactDecimal(text: string): Decimal | undefined {
  const e = text.search(/[eE]/);
  if (e === -1) return Decimal.parse(text);
  const mantissa = Decimal.parse(text.slice(0, e));
  const exponent = Number(text.slice(e + 1));
  if (mantissa === undefined || !Number.isInteger(exponent) || Math.abs(exponent) > 1000) return undefined;
  return Decimal.of(mantissa.coefficient, mantissa.scale - exponent);
}
