/**
 * Exact decimal numbers for money and quantities.
 *
 * A value is `coefficient / 10^scale` with an integer coefficient, so sums and products never pick
 * up binary floating-point drift. The scale is kept as written ("1.50" stays "1.50") because profile
 * authors and target APIs read trailing zeros as meaning.
 *
 * A coefficient that is a safe integer is held as a double and worked on with double arithmetic
 * (decimal-math.ts), which is exact in that range and several times cheaper than BigInt; larger
 * ones are BigInts. The form is canonical (a safe coefficient is never a BigInt), so two equal
 * values built in different ways are also deeply equal.
 */
import { divide, divideSmall, MAX_SAFE, pow10, POW10_NUMBERS, scaleUpSmall, stripZerosBig, type Rounding } from './decimal-math.js';
import { decimalText, parseDecimalText } from './decimal-text.js';

function checkScale(scale: number, what: string): void {
  if (!Number.isSafeInteger(scale)) throw new RangeError(`${what} must be an integer, got ${scale}`);
}

/** An immutable exact decimal number: `coefficient / 10^scale`. */
export class Decimal {
  /** The coefficient when it is a safe integer (then `big` is undefined), else 0. */
  private readonly small: number;
  /** The coefficient when it is not a safe integer. */
  private readonly big: bigint | undefined;
  /** Digits after the decimal point; never negative. */
  readonly scale: number;

  private constructor(small: number, big: bigint | undefined, scale: number) {
    // + 0 turns -0 into 0: BigInt has no negative zero, and neither has a Decimal
    this.small = small + 0;
    this.big = big;
    this.scale = scale;
  }

  /** A Decimal of a safe-integer coefficient. */
  private static ofSmall(coefficient: number, scale: number): Decimal {
    return new Decimal(coefficient, undefined, scale);
  }

  /** A Decimal of any coefficient, held as a double when it is a safe integer. */
  private static ofBig(coefficient: bigint, scale: number): Decimal {
    if (coefficient <= MAX_SAFE && coefficient >= -MAX_SAFE) return new Decimal(Number(coefficient), undefined, scale);
    return new Decimal(0, coefficient, scale);
  }

  /** The unscaled digits, with the sign. */
  get coefficient(): bigint {
    return this.big ?? BigInt(this.small);
  }

  /**
   * Builds `coefficient / 10^scale`. A negative scale multiplies the coefficient out, so
   * `of(12n, -2)` is 1200.
   */
  static of(coefficient: bigint, scale = 0): Decimal {
    checkScale(scale, 'scale');
    if (scale < 0) return Decimal.ofBig(coefficient * pow10(-scale), 0);
    return Decimal.ofBig(coefficient, scale);
  }

  /**
   * Parses canonical text: an optional sign, digits, an optional point and digits ("1234.56",
   * "-0.5", "+12", ".5", "5."). Returns undefined for anything else (exponents, separators, spaces):
   * locale handling belongs to the caller, which knows the profile's separators.
   */
  static parse(text: string): Decimal | undefined {
    const parts = parseDecimalText(text);
    if (parts === undefined) return undefined;
    return typeof parts.coefficient === 'number' ? Decimal.ofSmall(parts.coefficient, parts.scale) : Decimal.ofBig(parts.coefficient, parts.scale);
  }

  /** `coefficient / 10^scale` for a safe-integer coefficient (as scanNumber reads it) and a scale of 0 or more. */
  static ofScaled(coefficient: number, scale: number): Decimal {
    if (!Number.isSafeInteger(coefficient)) throw new RangeError(`not a safe integer: ${coefficient}`);
    checkScale(scale, 'scale');
    if (scale < 0) throw new RangeError(`scale must not be negative, got ${scale}`);
    return Decimal.ofSmall(coefficient, scale);
  }

  /** An integer; a `number` must be a safe integer so that no digit is invented. */
  static fromInteger(n: number | bigint): Decimal {
    if (typeof n === 'bigint') return Decimal.ofBig(n, 0);
    if (!Number.isSafeInteger(n)) throw new RangeError(`not a safe integer: ${n}`);
    return Decimal.ofSmall(n, 0);
  }

  /**
   * A finite double, taken at its shortest round-trip text (what `String(n)` prints), so 0.1 becomes
   * exactly 0.1 rather than 0.1000000000000000055511151231257827.
   */
  static fromNumber(n: number): Decimal {
    if (Number.isSafeInteger(n)) return Decimal.ofSmall(n, 0);
    if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
    const text = String(n);
    const e = text.indexOf('e');
    const mantissa = Decimal.parse(e < 0 ? text : text.slice(0, e));
    if (mantissa === undefined) throw new RangeError(`cannot read number text: ${text}`);
    if (e < 0) return mantissa;
    return Decimal.of(mantissa.coefficient, mantissa.scale - Number(text.slice(e + 1)));
  }

  /** Exact sum; the scale is the larger of both. */
  add(o: Decimal): Decimal {
    return this.plus(o, false);
  }

  /** Exact difference; the scale is the larger of both. */
  sub(o: Decimal): Decimal {
    return this.plus(o, true);
  }

  private plus(o: Decimal, subtract: boolean): Decimal {
    const scale = this.scale >= o.scale ? this.scale : o.scale;
    if (this.big === undefined && o.big === undefined) {
      const a = scaleUpSmall(this.small, scale - this.scale);
      const b = scaleUpSmall(o.small, scale - o.scale);
      if (a !== undefined && b !== undefined) {
        const r = subtract ? a - b : a + b;
        if (Number.isSafeInteger(r)) return Decimal.ofSmall(r, scale);
      }
    }
    const a = this.coefficient * pow10(scale - this.scale);
    const b = o.coefficient * pow10(scale - o.scale);
    return Decimal.ofBig(subtract ? a - b : a + b, scale);
  }

  /** Exact product; the scale is the sum of both scales (1.25 × 2.00 = 2.5000). */
  mul(o: Decimal): Decimal {
    if (this.big === undefined && o.big === undefined) {
      const r = this.small * o.small;
      if (Number.isSafeInteger(r)) return Decimal.ofSmall(r, this.scale + o.scale);
    }
    return Decimal.ofBig(this.coefficient * o.coefficient, this.scale + o.scale);
  }

  /**
   * Quotient to `scale` fraction digits (default 20), rounded half-up (away from zero on .5).
   * @throws RangeError on division by zero or a negative or fractional scale.
   */
  div(o: Decimal, scale = 20): Decimal {
    if (o.isZero()) throw new RangeError('Division by zero');
    checkScale(scale, 'scale');
    if (scale < 0) throw new RangeError(`scale must not be negative, got ${scale}`);
    const e = o.scale + scale - this.scale;
    if (this.big === undefined && o.big === undefined) {
      let n = e >= 0 ? scaleUpSmall(this.small, e) : this.small;
      let d = e >= 0 ? o.small : scaleUpSmall(o.small, -e);
      if (n !== undefined && d !== undefined) {
        if (d < 0) {
          n = -n;
          d = -d;
        }
        return Decimal.ofSmall(divideSmall(n, d, 'half-up'), scale);
      }
    }
    let n = this.coefficient;
    let d = o.coefficient;
    if (e >= 0) n *= pow10(e);
    else d *= pow10(-e);
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    return Decimal.ofBig(divide(n, d, 'half-up'), scale);
  }

  /**
   * `this / o` exactly when `o` is a power of ten times a sign (`x / 100`, `x / 0.01`: VAT and unit
   * arithmetic), which needs no long division; undefined for any other divisor.
   */
  divByPowerOfTen(o: Decimal): Decimal | undefined {
    const k = o.powerOfTen();
    if (k === undefined) return undefined;
    const n = o.sign() < 0 ? this.neg() : this;
    const scale = n.scale + k - o.scale;
    if (scale >= 0) return n.big === undefined ? Decimal.ofSmall(n.small, scale) : new Decimal(0, n.big, scale);
    const up = n.big === undefined ? scaleUpSmall(n.small, -scale) : undefined;
    return up === undefined ? Decimal.ofBig(n.coefficient * pow10(-scale), 0) : Decimal.ofSmall(up, 0);
  }

  /** k when |this| is exactly 10^k as written (its coefficient, not its value), else undefined. */
  private powerOfTen(): number | undefined {
    let k = 0;
    if (this.big === undefined) {
      let c = this.small < 0 ? -this.small : this.small;
      while (c >= 10 && c % 10 === 0) {
        c /= 10;
        k++;
      }
      return c === 1 ? k : undefined;
    }
    let c = this.big < 0n ? -this.big : this.big;
    while (c >= 10n && c % 10n === 0n) {
      c /= 10n;
      k++;
    }
    return c === 1n ? k : undefined;
  }

  /**
   * Remainder of truncated division, with the sign of `this` (like `%` in JS).
   * @throws RangeError on division by zero.
   */
  mod(o: Decimal): Decimal {
    if (o.isZero()) throw new RangeError('Division by zero');
    const scale = Math.max(this.scale, o.scale);
    if (this.big === undefined && o.big === undefined) {
      const a = scaleUpSmall(this.small, scale - this.scale);
      const b = scaleUpSmall(o.small, scale - o.scale);
      if (a !== undefined && b !== undefined) return Decimal.ofSmall(a % b, scale);
    }
    const a = this.coefficient * pow10(scale - this.scale);
    const b = o.coefficient * pow10(scale - o.scale);
    return Decimal.ofBig(a % b, scale);
  }

  /** The negated value, same scale. */
  neg(): Decimal {
    return this.big === undefined ? Decimal.ofSmall(-this.small, this.scale) : Decimal.ofBig(-this.big, this.scale);
  }

  /** The absolute value, same scale. */
  abs(): Decimal {
    return this.sign() < 0 ? this.neg() : this;
  }

  /**
   * Rounds half-up (away from zero) to `scale` fraction digits. The result has exactly that scale,
   * so 1.5 rounded to 2 prints "1.50"; a negative scale rounds to tens, hundreds, … (scale 0 result).
   */
  round(scale: number): Decimal {
    return this.rescale(scale, 'half-up');
  }

  /** Rounds toward negative infinity to `scale` fraction digits (default 0). */
  floor(scale = 0): Decimal {
    return this.rescale(scale, 'floor');
  }

  /** Rounds toward positive infinity to `scale` fraction digits (default 0). */
  ceil(scale = 0): Decimal {
    return this.rescale(scale, 'ceil');
  }

  /** The same value with trailing fraction zeros removed ("2.500" → "2.5", "100" stays "100"). */
  stripTrailingZeros(): Decimal {
    let s = this.scale;
    if (s === 0) return this;
    if (this.big === undefined) {
      let c = this.small;
      if (c === 0) return Decimal.ofSmall(0, 0);
      while (s > 0 && c % 10 === 0) {
        c /= 10;
        s--;
      }
      return s === this.scale ? this : Decimal.ofSmall(c, s);
    }
    const [c, stripped] = stripZerosBig(this.big, s);
    return stripped === s ? this : Decimal.ofBig(c, stripped);
  }

  /** Numeric comparison; 1.0 and 1.00 are equal. */
  cmp(o: Decimal): -1 | 0 | 1 {
    if (this.big === undefined && o.big === undefined) {
      const a = this.scale >= o.scale ? this.small : scaleUpSmall(this.small, o.scale - this.scale);
      const b = o.scale >= this.scale ? o.small : scaleUpSmall(o.small, this.scale - o.scale);
      if (a !== undefined && b !== undefined) return a < b ? -1 : a > b ? 1 : 0;
    }
    let a = this.coefficient;
    let b = o.coefficient;
    if (this.scale > o.scale) b *= pow10(this.scale - o.scale);
    else if (this.scale < o.scale) a *= pow10(o.scale - this.scale);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** Numeric equality, ignoring scale. */
  eq(o: Decimal): boolean {
    return this.cmp(o) === 0;
  }

  /**
   * The coefficient when it is a safe integer (the value is `coefficient / 10^scale`), else
   * undefined: for writers that print the digits themselves, as {@link toString} would.
   */
  safeCoefficient(): number | undefined {
    return this.big === undefined ? this.small : undefined;
  }

  /** True for 0 at any scale. */
  isZero(): boolean {
    return this.big === undefined && this.small === 0;
  }

  /** True when there is no non-zero fraction digit ("3.00" is an integer). */
  isInteger(): boolean {
    if (this.scale === 0) return true;
    if (this.big !== undefined) return this.big % pow10(this.scale) === 0n;
    // a safe integer has at most 16 digits, so a longer fraction leaves only zero whole
    const p = POW10_NUMBERS[this.scale];
    return p === undefined ? this.small === 0 : this.small % p === 0;
  }

  /** -1, 0 or 1. */
  sign(): -1 | 0 | 1 {
    if (this.big === undefined) return this.small < 0 ? -1 : this.small > 0 ? 1 : 0;
    return this.big < 0n ? -1 : 1;
  }

  /** Plain decimal text, never exponent notation, trailing zeros as per scale, never "-0". */
  toString(): string {
    const negative = this.sign() < 0;
    // a safe integer prints as plain digits; String() uses exponents only from 1e21
    const digits = this.big === undefined ? String(negative ? -this.small : this.small) : (negative ? -this.big : this.big).toString();
    return decimalText(digits, negative, this.scale);
  }

  /** The plain text; the record serializer writes it into the JSON body as a raw number. */
  toJSON(): string {
    return this.toString();
  }

  /** The nearest double (correctly rounded). */
  toNumber(): number {
    if (this.big === undefined) {
      if (this.scale === 0) return this.small;
      // both exact, so IEEE division rounds the true quotient correctly, as Number(text) does
      const p = POW10_NUMBERS[this.scale];
      if (p !== undefined) return this.small / p;
    }
    return this.scale === 0 ? Number(this.coefficient) : Number(this.toString());
  }

  private rescale(scale: number, mode: Rounding): Decimal {
    checkScale(scale, 'scale');
    if (scale === this.scale) return this;
    if (this.big === undefined) {
      if (scale > this.scale) {
        const up = scaleUpSmall(this.small, scale - this.scale);
        if (up !== undefined) return Decimal.ofSmall(up, scale);
      } else {
        const p = POW10_NUMBERS[this.scale - scale];
        if (p !== undefined) {
          const q = divideSmall(this.small, p, mode);
          if (scale >= 0) return Decimal.ofSmall(q, scale);
          const up = scaleUpSmall(q, -scale);
          if (up !== undefined) return Decimal.ofSmall(up, 0);
        }
      }
    }
    if (scale > this.scale) return Decimal.ofBig(this.coefficient * pow10(scale - this.scale), scale);
    const q = divide(this.coefficient, pow10(this.scale - scale), mode);
    return scale >= 0 ? Decimal.ofBig(q, scale) : Decimal.ofBig(q * pow10(-scale), 0);
  }
}
