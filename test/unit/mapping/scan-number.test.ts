import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Decimal } from '../../../src/mapping/decimal.js';
import { canonicalNumber, NOT_A_NUMBER, SCANNED, scannedNumber, scanNumber, TOO_LONG } from '../../../src/mapping/scan-number.js';

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The number grammar written the slow, obvious way (regular expressions), to check the one-pass
 * scanner against: a leading sign or a trailing minus, plain digits or groups of three after a
 * first group of one to three, then the decimal separator and digits.
 */
function reference(text: string, decimal: string, thousands: string): string | undefined {
  let body = text;
  let negative = false;
  const lead = body.startsWith('-') || body.startsWith('+') ? body.charAt(0) : '';
  if (lead !== '') {
    body = body.slice(1);
    negative = lead === '-';
  }
  if (body.length > 1 && body.endsWith('-')) {
    if (lead !== '') return undefined;
    negative = true;
    body = body.slice(0, -1);
  }
  const groupedInt = thousands === '' ? '' : `\\d{1,3}(?:${escape(thousands)}\\d{3})+|`;
  const m = new RegExp(`^(${groupedInt}\\d*)(?:${escape(decimal)}(\\d*))?$`).exec(body);
  if (m === null) return undefined;
  const int = (m[1] ?? '').split(thousands === '' ? /$^/ : thousands).join('');
  const frac = m[2];
  if (int === '' && (frac === undefined || frac === '')) return undefined;
  return `${negative ? '-' : ''}${int === '' ? '0' : int}${frac === undefined || frac === '' ? '' : `.${frac}`}`;
}

describe('scanNumber', () => {
  it('reads local number forms into coefficient and scale', () => {
    const out = scannedNumber();
    assert.equal(scanNumber('1.234,56', 44, 46, out), SCANNED);
    assert.deepEqual([out.coefficient, out.scale], [123456, 2]);
    assert.equal(scanNumber('12-', 44, 46, out), SCANNED);
    assert.deepEqual([out.coefficient, out.scale], [-12, 0]);
    assert.equal(scanNumber('-0,00', 44, 46, out), SCANNED);
    assert.ok(Object.is(out.coefficient, 0), 'no negative zero');
    assert.equal(scanNumber('12.34', 44, 46, out), NOT_A_NUMBER, 'a group of two');
    assert.equal(scanNumber('-12-', 44, 46, out), NOT_A_NUMBER);
    assert.equal(scanNumber('1234567890123456', 46, -1, out), TOO_LONG);
    assert.equal(canonicalNumber('-1.234.567.890.123.456,7', 44, 46), '-1234567890123456.7');
  });

  it('agrees with the grammar written as regular expressions on 50,000 random strings', () => {
    let seed = 12345;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const alphabet = ['0', '1', '5', '9', '.', ',', '-', '+', ' ', "'", 'e', '0', '7', '3', '2'];
    const dialects: [string, string][] = [[',', '.'], ['.', ','], ['.', ''], [',', ''], [',', ' '], ['.', "'"]];
    const out = scannedNumber();
    for (let k = 0; k < 50_000; k++) {
      const length = 1 + random(22);
      let text = '';
      for (let j = 0; j < length; j++) text += alphabet[random(alphabet.length)];
      const [decimal, thousands] = dialects[random(dialects.length)] ?? ['.', ''];
      const d = decimal.charCodeAt(0);
      const t = thousands === '' ? -1 : thousands.charCodeAt(0);
      const expected = reference(text, decimal, thousands);
      const where = `${JSON.stringify(text)} with decimal ${decimal} and thousands ${JSON.stringify(thousands)}`;
      assert.equal(canonicalNumber(text, d, t), expected, where);
      const scan = scanNumber(text, d, t, out);
      if (scan === SCANNED) {
        const slow = Decimal.parse(expected ?? '');
        assert.ok(slow !== undefined, where);
        const fast = Decimal.ofScaled(out.coefficient, out.scale);
        assert.deepEqual([fast.toString(), fast.scale], [slow.toString(), slow.scale], where);
      } else {
        assert.equal(scan === TOO_LONG, expected !== undefined, where);
      }
    }
  });
});
