/**
 * The text side of Decimal: reading canonical decimal text into a coefficient and a scale, and
 * writing them back as plain text. Kept apart from the arithmetic in decimal.ts.
 */

/** A coefficient and scale read from text: a double up to 15 digits (exact there), else a BigInt. */
export interface DecimalParts {
  readonly coefficient: number | bigint;
  readonly scale: number;
}

/**
 * Reads canonical text: an optional sign, digits, an optional point and digits ("1234.56", "-0.5",
 * "+12", ".5", "5."). Undefined for anything else (exponents, separators, spaces).
 */
export function parseDecimalText(text: string): DecimalParts | undefined {
  const len = text.length;
  if (len === 0) return undefined;
  let i = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === 45 || first === 43) {
    negative = first === 45;
    i = 1;
  }
  const intStart = i;
  // short inputs (the common case) are accumulated in a double, which is exact up to 15 digits
  let small = 0;
  let c = 0;
  while (i < len && (c = text.charCodeAt(i) - 48) >= 0 && c <= 9) {
    small = small * 10 + c;
    i++;
  }
  const intEnd = i;
  let fracStart = i;
  if (i < len && text.charCodeAt(i) === 46) {
    i++;
    fracStart = i;
    while (i < len && (c = text.charCodeAt(i) - 48) >= 0 && c <= 9) {
      small = small * 10 + c;
      i++;
    }
  }
  if (i !== len) return undefined;
  const fracDigits = i - fracStart;
  const digits = intEnd - intStart + fracDigits;
  if (digits === 0) return undefined;
  if (digits <= 15) return { coefficient: negative ? -small : small, scale: fracDigits };
  const intText = text.slice(intStart, intEnd);
  const coefficient = BigInt(fracDigits > 0 ? intText + text.slice(fracStart, i) : intText);
  return { coefficient: negative ? -coefficient : coefficient, scale: fracDigits };
}

/** Plain text of the unsigned `digits` of a coefficient at `scale`: never exponents, zeros as per scale. */
export function decimalText(digits: string, negative: boolean, scale: number): string {
  let text = digits;
  if (scale > 0) {
    if (text.length <= scale) text = '0'.repeat(scale - text.length + 1) + text;
    const point = text.length - scale;
    text = `${text.slice(0, point)}.${text.slice(point)}`;
  }
  return negative ? `-${text}` : text;
}
