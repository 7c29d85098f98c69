import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { canonicalNumber } from '../../../src/mapping/convert.js';
import { Decimal } from '../../../src/mapping/decimal.js';
import { NOT_A_NUMBER, SCANNED, scanNumber, TOO_LONG, type ScannedNumber } from '../../../src/mapping/scan-number.js';

/** scanNumber must read exactly what canonicalNumber + Decimal.parse read, only without the text in between. */
function both(text: string, decimal: string, thousands: string): { fast: string | undefined; slow: string | undefined } {
  const out: ScannedNumber = { coefficient: 0, scale: 0 };
  const d = decimal.charCodeAt(0);
  const t = thousands === '' ? -1 : thousands.charCodeAt(0);
  const canonical = canonicalNumber(text, d, t);
  const slow = canonical === undefined ? undefined : Decimal.parse(canonical);
  const scan = scanNumber(text, d, t, out);
  if (scan === TOO_LONG) {
    assert.ok(slow !== undefined, `${text}: TOO_LONG only for valid numbers`);
    return { fast: slow.toString(), slow: slow.toString() };
  }
  const fast = scan === SCANNED ? Decimal.ofScaled(out.coefficient, out.scale) : undefined;
  if (fast !== undefined && slow !== undefined) assert.equal(fast.scale, slow.scale, `${text}: same scale`);
  return { fast: fast?.toString(), slow: slow?.toString() };
}

describe('scanNumber', () => {
  it('reads local number forms into coefficient and scale', () => {
    const out: ScannedNumber = { coefficient: 0, scale: 0 };
    assert.equal(scanNumber('1.234,56', 44, 46, out), SCANNED);
    assert.deepEqual(out, { coefficient: 123456, scale: 2 });
    assert.equal(scanNumber('12-', 44, 46, out), SCANNED);
    assert.deepEqual(out, { coefficient: -12, scale: 0 });
    assert.equal(scanNumber('-0,00', 44, 46, out), SCANNED);
    assert.ok(Object.is(out.coefficient, 0), 'no negative zero');
    assert.equal(scanNumber('12.34', 44, 46, out), NOT_A_NUMBER, 'a group of two');
    assert.equal(scanNumber('-12-', 44, 46, out), NOT_A_NUMBER);
    assert.equal(scanNumber('1234567890123456', 46, -1, out), TOO_LONG);
  });

  it('agrees with canonicalNumber and Decimal.parse on 50,000 random strings', () => {
    let seed = 12345;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const alphabet = ['0', '1', '5', '9', '.', ',', '-', '+', ' ', "'", 'e', '0', '7', '3'];
    const dialects: [string, string][] = [[',', '.'], ['.', ','], ['.', ''], [',', ''], [',', ' '], ['.', "'"]];
    for (let k = 0; k < 50_000; k++) {
      const length = 1 + random(20);
      let text = '';
      for (let j = 0; j < length; j++) text += alphabet[random(alphabet.length)];
      const [decimal, thousands] = dialects[random(dialects.length)] ?? ['.', ''];
      const { fast, slow } = both(text, decimal, thousands);
      assert.equal(fast, slow, `${JSON.stringify(text)} with decimal ${decimal} and thousands ${JSON.stringify(thousands)}`);
    }
  });
});
