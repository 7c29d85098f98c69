import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Decimal } from '../../../src/mapping/decimal.js';

function d(text: string): Decimal {
  const value = Decimal.parse(text);
  assert.ok(value, `expected ${JSON.stringify(text)} to parse`);
  return value;
}

describe('Decimal.parse', () => {
  it('reads canonical text and keeps the written scale', () => {
    assert.equal(d('1234.56').toString(), '1234.56');
    assert.equal(d('1.50').toString(), '1.50');
    assert.equal(d('1.50').scale, 2);
    assert.equal(d('-0.5').toString(), '-0.5');
    assert.equal(d('+12').toString(), '12');
    assert.equal(d('12').scale, 0);
    assert.equal(d('0006').toString(), '6');
  });

  it('accepts a bare fraction and a trailing point', () => {
    assert.equal(d('.5').toString(), '0.5');
    assert.equal(d('-.25').toString(), '-0.25');
    assert.equal(d('5.').toString(), '5');
    assert.equal(d('5.').scale, 0);
  });

  it('refuses anything that is not canonical', () => {
    for (const text of ['', '-', '+', '.', '-.', '1e5', '1E5', '1,5', '1 000', ' 1', '1 ', '1.2.3', '--1', '0x10', 'NaN', 'Infinity', '١٢']) {
      assert.equal(Decimal.parse(text), undefined, JSON.stringify(text));
    }
  });

  it('reads long digit strings exactly', () => {
    const text = '123456789012345678901234567890.123456789012345678901234567890';
    assert.equal(d(text).toString(), text);
    assert.equal(d('-9007199254740993').toString(), '-9007199254740993');
    assert.equal(d('1234567890123456').toString(), '1234567890123456');
    assert.equal(d('0.000000000000000000000000000001').toString(), '0.000000000000000000000000000001');
  });

  it('never produces negative zero', () => {
    assert.equal(d('-0').toString(), '0');
    assert.equal(d('-0.00').toString(), '0.00');
    assert.equal(d('-0.004').round(2).toString(), '0.00');
    assert.equal(d('0.5').sub(d('0.5')).neg().toString(), '0.0');
    assert.equal(d('-0').sign(), 0);
  });
});

describe('Decimal construction from numbers', () => {
  it('takes integers', () => {
    assert.equal(Decimal.fromInteger(42).toString(), '42');
    assert.equal(Decimal.fromInteger(-7n).toString(), '-7');
    assert.equal(Decimal.fromInteger(2n ** 80n).toString(), '1208925819614629174706176');
    assert.throws(() => Decimal.fromInteger(1.5), RangeError);
    assert.throws(() => Decimal.fromInteger(2 ** 60), RangeError);
  });

  it('takes doubles at their shortest round-trip text', () => {
    assert.equal(Decimal.fromNumber(0.1).toString(), '0.1');
    assert.equal(Decimal.fromNumber(-2.5).toString(), '-2.5');
    assert.equal(Decimal.fromNumber(1e-7).toString(), '0.0000001');
    assert.equal(Decimal.fromNumber(-1.5e-10).toString(), '-0.00000000015');
    assert.equal(Decimal.fromNumber(1e21).toString(), '1000000000000000000000');
    assert.equal(Decimal.fromNumber(1.5e300).toString(), `15${'0'.repeat(299)}`);
    assert.equal(Decimal.fromNumber(-0).toString(), '0');
    assert.throws(() => Decimal.fromNumber(Number.NaN), RangeError);
    assert.throws(() => Decimal.fromNumber(Number.POSITIVE_INFINITY), RangeError);
  });

  it('builds from a coefficient and a scale', () => {
    assert.equal(Decimal.of(12345n, 2).toString(), '123.45');
    assert.equal(Decimal.of(12n, -2).toString(), '1200');
    assert.equal(Decimal.of(-5n, 3).toString(), '-0.005');
  });
});

describe('Decimal arithmetic', () => {
  it('adds without binary drift', () => {
    assert.equal(d('0.1').add(d('0.2')).toString(), '0.3');
    assert.ok(d('0.1').add(d('0.2')).eq(d('0.3')));
    assert.equal(d('1.10').add(d('2.205')).toString(), '3.305');
    assert.equal(d('2.205').add(d('1.1')).toString(), '3.305');
    assert.equal(d('-1.5').add(d('1.5')).toString(), '0.0');
  });

  it('subtracts', () => {
    assert.equal(d('1').sub(d('0.9')).toString(), '0.1');
    assert.equal(d('0.9').sub(d('1')).toString(), '-0.1');
    assert.equal(d('100').sub(d('0.01')).toString(), '99.99');
  });

  it('multiplies exactly, the scale being the sum of both', () => {
    assert.equal(d('1234.56').mul(d('3')).mul(d('1.25')).toString(), '4629.6000');
    assert.equal(d('0.1').mul(d('0.2')).toString(), '0.02');
    assert.equal(d('-1.5').mul(d('2')).toString(), '-3.0');
    assert.equal(d('99999999999999999999').mul(d('99999999999999999999')).toString(), '9999999999999999999800000000000000000001');
  });

  it('divides to 20 digits by default, rounding half-up', () => {
    assert.equal(d('1').div(d('3')).toString(), '0.33333333333333333333');
    assert.equal(d('2').div(d('3')).toString(), '0.66666666666666666667');
    assert.equal(d('-2').div(d('3')).toString(), '-0.66666666666666666667');
    assert.equal(d('10').div(d('4'), 2).toString(), '2.50');
    assert.equal(d('1').div(d('8'), 2).toString(), '0.13');
    assert.equal(d('-1').div(d('8'), 2).toString(), '-0.13');
    assert.equal(d('1').div(d('-8'), 2).toString(), '-0.13');
    assert.equal(d('0.001').div(d('1000'), 0).toString(), '0');
    assert.equal(d('123.456').div(d('0.001'), 0).toString(), '123456');
  });

  it('refuses division by zero and bad scales', () => {
    assert.throws(() => d('1').div(d('0')), RangeError);
    assert.throws(() => d('1').div(d('0.00')), RangeError);
    assert.throws(() => d('1').mod(d('0')), RangeError);
    assert.throws(() => d('1').div(d('2'), -1), RangeError);
    assert.throws(() => d('1').div(d('2'), 1.5), RangeError);
  });

  it('takes the remainder with the sign of the dividend', () => {
    assert.equal(d('10').mod(d('3')).toString(), '1');
    assert.equal(d('-10').mod(d('3')).toString(), '-1');
    assert.equal(d('5.5').mod(d('2')).toString(), '1.5');
    assert.equal(d('1').mod(d('0.3')).toString(), '0.1');
  });

  it('negates and takes the absolute value', () => {
    assert.equal(d('1.20').neg().toString(), '-1.20');
    assert.equal(d('-1.20').abs().toString(), '1.20');
    assert.equal(d('1.20').abs().toString(), '1.20');
  });

  it('does not mutate its operands', () => {
    const a = d('1.5');
    a.add(d('1')).mul(d('3')).round(0);
    assert.equal(a.toString(), '1.5');
  });
});

describe('Decimal rounding', () => {
  it('rounds half away from zero', () => {
    assert.equal(d('1.005').round(2).toString(), '1.01');
    assert.equal(d('-1.005').round(2).toString(), '-1.01');
    assert.equal(d('1.004').round(2).toString(), '1.00');
    assert.equal(d('2.5').round(0).toString(), '3');
    assert.equal(d('-2.5').round(0).toString(), '-3');
    assert.equal(d('0.5').round(0).toString(), '1');
    assert.equal(d('0.49999999999999999999').round(0).toString(), '0');
  });

  it('keeps the requested scale, adding trailing zeros', () => {
    assert.equal(d('1.5').round(2).toString(), '1.50');
    assert.equal(d('7').round(3).toString(), '7.000');
    assert.equal(d('1.234').round(2).scale, 2);
  });

  it('rounds to tens and hundreds with a negative scale', () => {
    assert.equal(d('1234.5').round(-2).toString(), '1200');
    assert.equal(d('1250').round(-2).toString(), '1300');
    assert.equal(d('-1250').round(-2).toString(), '-1300');
    assert.equal(d('49').round(-2).toString(), '0');
  });

  it('floors and ceils in the direction of the number line', () => {
    assert.equal(d('1.9').floor().toString(), '1');
    assert.equal(d('-1.1').floor().toString(), '-2');
    assert.equal(d('1.1').ceil().toString(), '2');
    assert.equal(d('-1.9').ceil().toString(), '-1');
    assert.equal(d('1.239').floor(2).toString(), '1.23');
    assert.equal(d('1.231').ceil(2).toString(), '1.24');
    assert.equal(d('-1.231').ceil(2).toString(), '-1.23');
    assert.equal(d('3').floor().toString(), '3');
  });

  it('strips trailing zeros on request only', () => {
    assert.equal(d('2.500').stripTrailingZeros().toString(), '2.5');
    assert.equal(d('100').stripTrailingZeros().toString(), '100');
    assert.equal(d('0.000').stripTrailingZeros().toString(), '0');
    assert.equal(d('2.500').toString(), '2.500');
  });
});

describe('Decimal comparison and predicates', () => {
  it('compares numerically across scales', () => {
    assert.equal(d('1.0').cmp(d('1.00')), 0);
    assert.ok(d('1.0').eq(d('1')));
    assert.equal(d('-1').cmp(d('0.5')), -1);
    assert.equal(d('10').cmp(d('9.999')), 1);
    assert.equal(d('123456789012345678901234567890').cmp(d('123456789012345678901234567891')), -1);
  });

  it('answers zero, integer and sign questions', () => {
    assert.ok(d('0.000').isZero());
    assert.ok(!d('0.001').isZero());
    assert.ok(d('3.000').isInteger());
    assert.ok(!d('3.001').isInteger());
    assert.equal(d('-3').sign(), -1);
    assert.equal(d('3').sign(), 1);
  });
});

describe('Decimal output', () => {
  it('prints plain text, never exponent notation', () => {
    assert.equal(d('-0.05').toString(), '-0.05');
    assert.equal(d('100').toString(), '100');
    assert.equal(Decimal.fromNumber(1e-20).toString(), '0.00000000000000000001');
    assert.equal(d('1').div(d('1000000'), 30).stripTrailingZeros().toString(), '0.000001');
  });

  it('serialises to JSON as its text', () => {
    assert.equal(JSON.stringify({ total: d('1234.50') }), '{"total":"1234.50"}');
    assert.equal(d('1234.50').toJSON(), '1234.50');
    assert.equal(`${d('-7.25')}`, '-7.25');
  });

  it('converts to the nearest double', () => {
    assert.equal(d('0.3').toNumber(), 0.3);
    assert.equal(d('-1234.56').toNumber(), -1234.56);
    assert.equal(d('9007199254740993').toNumber(), 9007199254740992);
  });

  it('round-trips huge values through parse and toString', () => {
    const text = `-${'9'.repeat(500)}.${'1'.repeat(300)}`;
    const value = d(text);
    assert.equal(value.toString(), text);
    assert.equal(value.add(value).sub(value).toString(), text);
  });
});

describe('Decimal division by powers of ten', () => {
  it('shifts the point exactly, for any sign and scale, and declines other divisors', () => {
    assert.equal(d('25').divByPowerOfTen(d('100'))?.toString(), '0.25');
    assert.equal(d('19.99').divByPowerOfTen(d('1000'))?.toString(), '0.01999');
    assert.equal(d('5').divByPowerOfTen(d('0.01'))?.toString(), '500');
    assert.equal(d('-3.5').divByPowerOfTen(d('-10'))?.toString(), '0.35');
    assert.equal(d('7').divByPowerOfTen(d('1'))?.toString(), '7');
    assert.equal(d('7').divByPowerOfTen(d('20')), undefined);
    assert.equal(d('7').divByPowerOfTen(d('3')), undefined);
  });
  it('strips trailing zeros of long quotients', () => {
    assert.equal(d('1').div(d('4'), 20).stripTrailingZeros().toString(), '0.25');
    assert.equal(d('1').div(d('3'), 20).stripTrailingZeros().toString(), '0.33333333333333333333');
    assert.equal(d('100.000000000000000000').stripTrailingZeros().toString(), '100');
  });
});
