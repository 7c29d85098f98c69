/**
 * What {@link scanNumber} read: the digits as one integer and how many of them follow the
 * separator (up to 15 digits), and where the parts are in the text (always).
 */
export interface ScannedNumber {
  coefficient: number;
  scale: number;
  negative: boolean;
  intStart: number;
  intEnd: number;
  /** the text's length when there is no fraction */
  fracStart: number;
  /** where the digits end (before a trailing minus) */
  end: number;
  grouped: boolean;
}

/** A ScannedNumber to be filled; make one per field and reuse it for every row. */
export function scannedNumber(): ScannedNumber {
  return { coefficient: 0, scale: 0, negative: false, intStart: 0, intEnd: 0, fracStart: 0, end: 0, grouped: false };
}

/** {@link scanNumber}'s answers. */
export const NOT_A_NUMBER = 0;
export const SCANNED = 1;
/** a valid number of more than 15 digits: a double would not hold it exactly; read it as text */
export const TOO_LONG = 2;

/**
 * Reads a number written with the field's separators straight into a coefficient and a scale
 * (`1.234,56` → 123456 and 2), without building canonical text first: this runs for every numeric
 * cell of every row. One pass over the characters (a regex with alternatives costs several times
 * more). Accepts a leading sign or a trailing minus (SAP), thousands separators only in groups of
 * three, and `.5` / `5.` forms. Up to 15 digits are summed in a double, which is exact there;
 * longer numbers answer TOO_LONG, and {@link canonicalText} gives their text.
 */
export function scanNumber(text: string, decimalCode: number, thousandsCode: number, out: ScannedNumber): number {
  let n = text.length;
  let i = 0;
  let negative = false;
  let c = text.charCodeAt(0);
  if (c === 43 || c === 45) {
    negative = c === 45;
    i = 1;
  }
  if (n > i + 1 && text.charCodeAt(n - 1) === 45) {
    if (i === 1) return NOT_A_NUMBER; // a sign at both ends says two things; trust neither
    negative = true;
    n--;
  }
  const start = i;
  let value = 0;
  let digits = 0;
  let run = 0;
  let grouped = false;
  for (; i < n; i++) {
    c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      digits++;
      run++;
      continue;
    }
    if (c === thousandsCode) {
      if (grouped ? run !== 3 : run < 1 || run > 3) return NOT_A_NUMBER;
      grouped = true;
      run = 0;
      continue;
    }
    break;
  }
  if (grouped && run !== 3) return NOT_A_NUMBER;
  const intEnd = i;
  let fracStart = n;
  if (i < n) {
    if (c !== decimalCode) return NOT_A_NUMBER;
    fracStart = i + 1;
    for (i = fracStart; i < n; i++) {
      c = text.charCodeAt(i);
      if (c < 48 || c > 57) return NOT_A_NUMBER;
      value = value * 10 + (c - 48);
      digits++;
    }
  }
  if (intEnd === start && fracStart >= n) return NOT_A_NUMBER;
  out.negative = negative;
  out.intStart = start;
  out.intEnd = intEnd;
  out.fracStart = fracStart;
  out.end = n;
  out.grouped = grouped;
  if (digits > 15) return TOO_LONG;
  // + 0 turns -0 into 0
  out.coefficient = (negative ? -value : value) + 0;
  out.scale = n - fracStart;
  return SCANNED;
}

/** Canonical text (`-1234.56`) of a number {@link scanNumber} read from `text`. */
export function canonicalText(text: string, scanned: ScannedNumber, thousandsCode: number): string {
  const { negative, intStart, intEnd, fracStart, end, grouped } = scanned;
  let int = intEnd === intStart ? '0' : text.slice(intStart, intEnd);
  if (grouped) int = int.replaceAll(String.fromCharCode(thousandsCode), '');
  const sign = negative ? '-' : '';
  return fracStart >= end ? sign + int : `${sign}${int}.${text.slice(fracStart, end)}`;
}

/** Reads a number written with the given separators into canonical text (`-1234.56`), or undefined when it is not one. */
export function canonicalNumber(text: string, decimalCode: number, thousandsCode: number): string | undefined {
  const scanned = scannedNumber();
  return scanNumber(text, decimalCode, thousandsCode, scanned) === NOT_A_NUMBER ? undefined : canonicalText(text, scanned, thousandsCode);
}
