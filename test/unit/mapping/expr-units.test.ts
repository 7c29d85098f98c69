import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { mapperFor, mapRows, recordOf, textOf } from '../../support/mapping-fixture.js';
import { compileError, dec, run, runtimeError } from './expr-harness.js';

/** The Decimal text of convert(value, from, to). */
function convert(value: string, from: string, to: string): string {
  return dec(run(`convert(${value}, "${from}", "${to}")`));
}

describe('convert', () => {
  it('converts metric units exactly', () => {
    assert.equal(convert('1.5', 'kg', 'g'), '1500');
    assert.equal(convert('250', 'g', 'kg'), '0.25');
    assert.equal(convert('1', 'mg', 't'), '0.000000001');
    assert.equal(convert('2.5', 't', 'kg'), '2500');
    assert.equal(convert('1234', 'mm', 'm'), '1.234');
    assert.equal(convert('3', 'km', 'cm'), '300000');
    assert.equal(convert('7', 'dm', 'mm'), '700');
    assert.equal(convert('33', 'cl', 'l'), '0.33');
    assert.equal(convert('1.5', 'm3', 'l'), '1500');
    assert.equal(convert('4', 'dl', 'ml'), '400');
    assert.equal(convert('1', 'm2', 'cm2'), '10000');
    assert.equal(convert('250', 'mm2', 'cm2'), '2.5');
    assert.equal(convert('1', 'd', 'min'), '1440');
    assert.equal(convert('90', 'min', 'h'), '1.5');
    assert.equal(convert('-2', 'h', 's'), '-7200');
    assert.equal(convert('0', 'kg', 'lb'), '0');
  });

  it('uses the definitional imperial factors, exactly', () => {
    assert.equal(convert('1', 'lb', 'kg'), '0.45359237');
    assert.equal(convert('1', 'oz', 'g'), '28.349523125');
    assert.equal(convert('1', 'lb', 'oz'), '16');
    assert.equal(convert('1', 'in', 'cm'), '2.54');
    assert.equal(convert('1', 'ft', 'in'), '12');
    assert.equal(convert('1', 'yd', 'ft'), '3');
    assert.equal(convert('1', 'yd', 'm'), '0.9144');
    assert.equal(convert('2.54', 'cm', 'in'), '1');
    assert.equal(convert('30.48', 'cm', 'ft'), '1');
    assert.equal(convert('453.59237', 'g', 'lb'), '1');
  });

  it('gives 20 fraction digits when a result does not come out even, like /', () => {
    assert.equal(convert('1', 'kg', 'lb'), '2.20462262184877580723');
    assert.equal(convert('1', 'min', 'h'), '0.01666666666666666667');
    assert.equal(convert('1', 'm', 'in'), '39.37007874015748031496');
    assert.equal(dec(run('round(convert(1, "in", "ft"), 4)')), '0.0833');
  });

  it('round-trips to the original value at any sensible scale', () => {
    assert.equal(run('round(convert(convert(1.5, "kg", "lb"), "lb", "kg"), 15) == 1.5'), true);
    assert.equal(run('round(convert(convert(1, "m", "in"), "in", "m"), 15) == 1'), true);
    assert.equal(run('round(convert(convert(7, "s", "d"), "d", "s"), 12) == 7'), true);
    assert.equal(run('convert(convert(1.5, "lb", "kg"), "kg", "lb") == 1.5'), true, 'exact when the first step is');
    assert.equal(run('convert(convert(12.345, "ft", "cm"), "cm", "ft") == 12.345'), true);
    assert.equal(run('convert(convert(0.001, "kg", "mg"), "mg", "kg") == 0.001'), true);
  });

  it('keeps large and precise values exact', () => {
    assert.equal(convert('123456789012345678901234567890.123456789', 'kg', 'g'), '123456789012345678901234567890123.456789');
    assert.equal(convert('0.000000000001', 'lb', 'kg'), '0.00000000000045359237');
  });

  it('reads numbers from number text and number values; absent gives null', () => {
    assert.equal(dec(run('convert(w, "g", "kg")', { w: '1250' })), '1.25');
    assert.equal(dec(run('convert(w, "g", "kg")', { w: 1250 })), '1.25');
    assert.equal(run('convert(missing, "g", "kg")'), null);
    assert.equal(run('convert(row.Weight, "g", "kg")'), null);
    assert.equal(runtimeError('convert("heavy", "g", "kg")').code, 'expr_type');
    assert.equal(runtimeError('convert([1], "g", "kg")').code, 'expr_type');
  });

  it('refuses unknown units when the profile is compiled, listing the known ones', () => {
    const e = compileError('convert(w, "kilo", "g")');
    assert.equal(e.code, 'expr_unit');
    assert.equal(e.column, 12);
    assert.match(e.message, /unknown unit "kilo"/);
    assert.match(e.message, /mass: mg, g, kg, t, lb, oz; length: mm, cm, dm, m, km, in, ft, yd; volume: ml, cl, dl, l, m3; area: mm2, cm2, m2; time: s, min, h, d/);
    assert.match(compileError('convert(w, "g", "KG")').message, /unknown unit "KG"/);
  });

  it('refuses units of different dimensions when the profile is compiled', () => {
    const e = compileError('convert(w, "kg", "m")');
    assert.equal(e.code, 'expr_unit');
    assert.match(e.message, /cannot convert kg \(mass\) to m \(length\).*units of mass are mg, g, kg, t, lb, oz/);
    assert.equal(compileError('convert(w, "l", "m2")').code, 'expr_unit');
    assert.equal(compileError('convert(w, "min", "m")').code, 'expr_unit');
  });

  it('needs its units as quoted text', () => {
    assert.equal(compileError('convert(w, unit, "kg")').code, 'expr_unit');
    assert.match(compileError('convert(w, "g", row.Unit)').message, /unit to convert to must be quoted text/);
    assert.equal(compileError('convert(w, "g")').code, 'expr_arity');
  });

  it('works in a profile with decimal fields', () => {
    const mapper = mapperFor({
      grams: { from: 'Weight', type: 'decimal', decimalSeparator: ',' },
      kg: { expr: 'convert(grams, "g", "kg")', type: 'decimal', scale: 3 },
      lb: { expr: 'round(convert(grams, "g", "lb"), 2)' },
    }, ['Weight']);
    const record = recordOf(mapRows(mapper, [['1500,5']])[0]);
    assert.equal(textOf(record.kg), '1.501');
    assert.equal(textOf(record.lb), '3.31');
  });
});
