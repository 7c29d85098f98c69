/**
 * Exact decimal numbers for money and quantities.
 *
 * A value is `coefficient / 10^scale` with a BigInt coefficient, so sums and products never pick up
 * binary floating-point drift. The scale is kept as written ("1.50" stays "1.50") because profile
 * authors and target APIs read trailing zeros as meaning.
 */

const POW10: bigint[] = [];
for (let i = 0, p = 1n; i <= 64; i++, p *= 10n) POW10.push(p);

function pow10(n: number): bigint {
  return POW10[n] ?? 10n ** BigInt(n);
}

type Rounding = 'half-up' | 'floor' | 'ceil';

/** `n / d` rounded as asked; `d` must be positive. BigInt division truncates toward zero. */
function divide(n: bigint, d: bigint, mode: Rounding): bigint {
  const q = n / d;
  const r = n % d;
  if (r === 0n) return q;
  switch (mode) {
    case 'half-up': {
      const twice = r < 0n ? -2n * r : 2n * r;
      if (twice >= d) return n < 0n ? q - 1n : q + 1n;
      return q;
    }
    case 'floor':
      return n < 0n ? q - 1n : q;
    case 'ceil':
      return n > 0n ? q + 1n : q;
  }
}

/** Powers of ten tried by stripTrailingZeros, largest first. */
const STRIP_STEPS: readonly (readonly [number, bigint])[] = [[8, 10n ** 8n], [4, 10n ** 4n], [2, 100n], [1, 10n]];

function checkScale(scale: number, what: string): void {
  if (!Number.isSafeInteger(scale)) throw new RangeError(`${what} must be an integer, got ${scale}`);
}

/** An immutable exact decimal number: `coefficient / 10^scale`. */
export class Decimal {
  /** The unscaled digits, with the sign. */
  readonly coefficient: bigint;
  /** Digits after the decimal point; never negative. */
  readonly scale: number;

  private constructor(coefficient: bigint, scale: number) {
    this.coefficient = coefficient;
    this.scale = scale;
  }

  /**
   * Builds `coefficient / 10^scale`. A negative scale multiplies the coefficient out, so
   * `of(12n, -2)` is 1200.
   */
  static of(coefficient: bigint, scale = 0): Decimal {
    checkScale(scale, 'scale');
    if (scale < 0) return new Decimal(coefficient * pow10(-scale), 0);
    return new Decimal(coefficient, scale);
  }

  /**
   * Parses canonical text: an optional sign, digits, an optional point and digits ("1234.56",
   * "-0.5", "+12", ".5", "5."). Returns undefined for anything else (exponents, separators, spaces):
   * locale handling belongs to the caller, which knows the profile's separators.
   */
  static parse(text: string): Decimal | undefined {
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
    // Short inputs (the common case) are accumulated in a double, which is exact up to 15 digits
    // and avoids building a digit string for BigInt().
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
    let coefficient: bigint;
    if (digits <= 15) {
      coefficient = BigInt(small);
    } else {
      const intText = text.slice(intStart, intEnd);
      coefficient = BigInt(fracDigits > 0 ? intText + text.slice(fracStart, i) : intText);
    }
    return new Decimal(negative ? -coefficient : coefficient, fracDigits);
  }

  /** An integer; a `number` must be a safe integer so that no digit is invented. */
  static fromInteger(n: number | bigint): Decimal {
    if (typeof n === 'bigint') return new Decimal(n, 0);
    if (!Number.isSafeInteger(n)) throw new RangeError(`not a safe integer: ${n}`);
    return new Decimal(BigInt(n), 0);
  }

  /**
   * A finite double, taken at its shortest round-trip text (what `String(n)` prints), so 0.1 becomes
   * exactly 0.1 rather than 0.1000000000000000055511151231257827.
   */
  static fromNumber(n: number): Decimal {
    if (Number.isSafeInteger(n)) return new Decimal(BigInt(n), 0);
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
    if (this.scale === o.scale) return new Decimal(this.coefficient + o.coefficient, this.scale);
    if (this.scale > o.scale) {
      return new Decimal(this.coefficient + o.coefficient * pow10(this.scale - o.scale), this.scale);
    }
    return new Decimal(this.coefficient * pow10(o.scale - this.scale) + o.coefficient, o.scale);
  }

  /** Exact difference; the scale is the larger of both. */
  sub(o: Decimal): Decimal {
    if (this.scale === o.scale) return new Decimal(this.coefficient - o.coefficient, this.scale);
    if (this.scale > o.scale) {
      return new Decimal(this.coefficient - o.coefficient * pow10(this.scale - o.scale), this.scale);
    }
    return new Decimal(this.coefficient * pow10(o.scale - this.scale) - o.coefficient, o.scale);
  }

  /** Exact product; the scale is the sum of both scales (1.25 × 2.00 = 2.5000). */
  mul(o: Decimal): Decimal {
    return new Decimal(this.coefficient * o.coefficient, this.scale + o.scale);
  }

  /**
   * Quotient to `scale` fraction digits (default 20), rounded half-up (away from zero on .5).
   * @throws RangeError on division by zero or a negative or fractional scale.
   */
  div(o: Decimal, scale = 20): Decimal {
    if (o.coefficient === 0n) throw new RangeError('Division by zero');
    checkScale(scale, 'scale');
    if (scale < 0) throw new RangeError(`scale must not be negative, got ${scale}`);
    let n = this.coefficient;
    let d = o.coefficient;
    const e = o.scale + scale - this.scale;
    if (e >= 0) n *= pow10(e);
    else d *= pow10(-e);
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    return new Decimal(divide(n, d, 'half-up'), scale);
  }

  /**
   * `this / o` exactly when `o` is a power of ten times a sign (`x / 100`, `x / 0.01`: VAT and unit
   * arithmetic), which needs no long division; undefined for any other divisor.
   */
  divByPowerOfTen(o: Decimal): Decimal | undefined {
    let c = o.coefficient < 0n ? -o.coefficient : o.coefficient;
    let k = 0;
    while (c >= 10n && c % 10n === 0n) {
      c /= 10n;
      k++;
    }
    if (c !== 1n) return undefined;
    const n = o.coefficient < 0n ? -this.coefficient : this.coefficient;
    const scale = this.scale + k - o.scale;
    return scale >= 0 ? new Decimal(n, scale) : new Decimal(n * pow10(-scale), 0);
  }

  /**
   * Remainder of truncated division, with the sign of `this` (like `%` in JS).
   * @throws RangeError on division by zero.
   */
  mod(o: Decimal): Decimal {
    if (o.coefficient === 0n) throw new RangeError('Division by zero');
    if (this.scale === o.scale) return new Decimal(this.coefficient % o.coefficient, this.scale);
    const scale = Math.max(this.scale, o.scale);
    const a = this.coefficient * pow10(scale - this.scale);
    const b = o.coefficient * pow10(scale - o.scale);
    return new Decimal(a % b, scale);
  }

  /** The negated value, same scale. */
  neg(): Decimal {
    return new Decimal(-this.coefficient, this.scale);
  }

  /** The absolute value, same scale. */
  abs(): Decimal {
    return this.coefficient < 0n ? new Decimal(-this.coefficient, this.scale) : this;
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
    let c = this.coefficient;
    let s = this.scale;
    if (s === 0) return this;
    if (c === 0n) return new Decimal(0n, 0);
    if (c % 10n !== 0n) return this;
    // big steps first: a quotient with 20 fraction digits often ends in a dozen zeros
    for (const [digits, factor] of STRIP_STEPS) {
      while (s >= digits && c % factor === 0n) {
        c /= factor;
        s -= digits;
      }
    }
    return s === this.scale ? this : new Decimal(c, s);
  }

  /** Numeric comparison; 1.0 and 1.00 are equal. */
  cmp(o: Decimal): -1 | 0 | 1 {
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

  /** True for 0 at any scale. */
  isZero(): boolean {
    return this.coefficient === 0n;
  }

  /** True when there is no non-zero fraction digit ("3.00" is an integer). */
  isInteger(): boolean {
    return this.scale === 0 || this.coefficient % pow10(this.scale) === 0n;
  }

  /** -1, 0 or 1. */
  sign(): -1 | 0 | 1 {
    return this.coefficient < 0n ? -1 : this.coefficient > 0n ? 1 : 0;
  }

  /** Plain decimal text, never exponent notation, trailing zeros as per scale, never "-0". */
  toString(): string {
    const c = this.coefficient;
    const negative = c < 0n;
    let digits = (negative ? -c : c).toString();
    const scale = this.scale;
    if (scale > 0) {
      if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
      const point = digits.length - scale;
      digits = `${digits.slice(0, point)}.${digits.slice(point)}`;
    }
    return negative ? `-${digits}` : digits;
  }

  /** The plain text; the record serializer writes it into the JSON body as a raw number. */
  toJSON(): string {
    return this.toString();
  }

  /** The nearest double (correctly rounded). */
  toNumber(): number {
    return this.scale === 0 ? Number(this.coefficient) : Number(this.toString());
  }

  private rescale(scale: number, mode: Rounding): Decimal {
    checkScale(scale, 'scale');
    if (scale === this.scale) return this;
    if (scale > this.scale) return new Decimal(this.coefficient * pow10(scale - this.scale), scale);
    const q = divide(this.coefficient, pow10(this.scale - scale), mode);
    return scale >= 0 ? new Decimal(q, scale) : new Decimal(q * pow10(-scale), 0);
  }
}
