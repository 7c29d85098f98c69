/**
 * Integer arithmetic for Decimal coefficients: BigInt for any size, and doubles for the safe
 * integers (below 2^53 in magnitude), the usual case for money and quantities. A double holds every
 * such integer exactly, and a sum, difference or product of two of them is exact whenever the
 * result is a safe integer again: a true result beyond 2^53 rounds to at least 2^53, which
 * `Number.isSafeInteger` refuses. The double helpers return undefined when a result would leave
 * that range, and the caller falls back to BigInt.
 */

const POW10: bigint[] = [];
for (let i = 0, p = 1n; i <= 64; i++, p *= 10n) POW10.push(p);

/** 10^n as a BigInt. */
export function pow10(n: number): bigint {
  return POW10[n] ?? 10n ** BigInt(n);
}

/** The largest safe integer as a BigInt. */
export const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** 10^0 … 10^22: every power of ten a double holds exactly. */
export const POW10_NUMBERS: readonly number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** How a quotient is rounded. */
export type Rounding = 'half-up' | 'floor' | 'ceil';

/** `n / d` rounded as asked; `d` must be positive. BigInt division truncates toward zero. */
export function divide(n: bigint, d: bigint, mode: Rounding): bigint {
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

/** Powers of ten tried by stripZerosBig, largest first. */
const STRIP_STEPS: readonly (readonly [number, bigint])[] = [[8, 10n ** 8n], [4, 10n ** 4n], [2, 100n], [1, 10n]];

/** `c / 10^scale` without trailing fraction zeros, as a coefficient and a scale. */
export function stripZerosBig(c: bigint, scale: number): [bigint, number] {
  if (c % 10n !== 0n) return [c, scale];
  let s = scale;
  // big steps first: a quotient with 20 fraction digits often ends in a dozen zeros
  for (const [digits, factor] of STRIP_STEPS) {
    while (s >= digits && c % factor === 0n) {
      c /= factor;
      s -= digits;
    }
  }
  return [c, s];
}

/** `n × 10^k` when it is a safe integer, else undefined. */
export function scaleUpSmall(n: number, k: number): number | undefined {
  if (k === 0) return n;
  const p = POW10_NUMBERS[k];
  if (p === undefined) return n === 0 ? 0 : undefined;
  const r = n * p;
  return Number.isSafeInteger(r) ? r : undefined;
}

/**
 * `n / d` rounded as asked, for safe integers with `d` positive. `n % d` is exact on doubles and
 * has the sign of `n`, as BigInt's does, so `(n - r) / d` is the quotient truncated toward zero,
 * exactly.
 */
export function divideSmall(n: number, d: number, mode: Rounding): number {
  const r = n % d;
  const q = (n - r) / d;
  if (r === 0) return q;
  switch (mode) {
    case 'half-up': {
      const twice = r < 0 ? -2 * r : 2 * r;
      if (twice >= d) return n < 0 ? q - 1 : q + 1;
      return q;
    }
    case 'floor':
      return n < 0 ? q - 1 : q;
    case 'ceil':
      return n > 0 ? q + 1 : q;
  }
}
