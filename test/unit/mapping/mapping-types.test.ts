import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Decimal } from '../../../src/mapping/decimal.js';
import { compileIssues, errorOf, textOf, valueOf } from '../../support/mapping-fixture.js';

describe('field types: string', () => {
  it('keeps leading zeros and long digit strings exactly as written', () => {
    assert.equal(valueOf({}, '000123'), '000123');
    assert.equal(valueOf({ type: 'string' }, '4006381333931'), '4006381333931');
    assert.equal(valueOf({}, '12345678901234567890'), '12345678901234567890');
    assert.equal(valueOf({}, '0006'), '0006');
    assert.equal(valueOf({}, '1e3'), '1e3');
  });

  it('leaves strings untrimmed unless trim: true', () => {
    assert.equal(valueOf({}, '  Müller  '), '  Müller  ');
    assert.equal(valueOf({ trim: true }, '  Müller  '), 'Müller');
    assert.equal(valueOf({ trim: true }, '\u00a0Müller\t'), 'Müller');
  });
});

describe('field types: integer', () => {
  it('reads whole numbers, with sign and surrounding blanks', () => {
    assert.equal(valueOf({ type: 'integer' }, '42'), 42);
    assert.equal(valueOf({ type: 'integer' }, ' -7 '), -7);
    assert.equal(valueOf({ type: 'integer' }, '+3'), 3);
    assert.equal(valueOf({ type: 'integer' }, '000123'), 123, 'an integer type converts leading zeros away');
    assert.equal(valueOf({ type: 'integer' }, '12-'), -12, 'SAP trailing minus');
  });

  it('rejects fractions, words and separators it was not told about', () => {
    for (const bad of ['1,5', '1.5', 'abc', '5,000', '1 000', '--1', '1e3', '0x10']) {
      const e = errorOf({ from: 'Qty', type: 'integer' }, bad);
      assert.equal(e.code, 'type', bad);
      assert.equal(e.field, 'v');
      assert.equal(e.column, 'Qty');
      assert.match(e.message, new RegExp(`^Qty is "${bad.replace(/[.+]/g, '\\$&')}", not a whole number`), bad);
    }
  });

  it('with decimalSeparator "," reads SAP quantities such as 5,000 as 5, and rejects 1,5', () => {
    assert.equal(valueOf({ type: 'integer', decimalSeparator: ',' }, '5,000'), 5);
    assert.equal(errorOf({ type: 'integer', decimalSeparator: ',' }, '1,5').code, 'type');
  });

  it('with a thousands separator reads grouped numbers', () => {
    assert.equal(valueOf({ type: 'integer', thousandsSeparator: ',' }, '5,000'), 5000);
    assert.equal(valueOf({ type: 'integer', decimalSeparator: ',', thousandsSeparator: '.' }, '1.234.567'), 1234567);
    assert.equal(errorOf({ type: 'integer', thousandsSeparator: ',' }, '5,00').code, 'type');
  });

  it('refuses numbers beyond the safe integer range instead of rounding them', () => {
    const e = errorOf({ type: 'integer' }, '12345678901234567890');
    assert.equal(e.code, 'type');
    assert.match(e.message, /too large .*use type decimal/);
    assert.equal(valueOf({ type: 'integer' }, '9007199254740991'), 9007199254740991);
  });
});

describe('field types: decimal', () => {
  const euro = { type: 'decimal', decimalSeparator: ',', thousandsSeparator: '.' };

  it('reads "." and "," decimal separators exactly', () => {
    assert.equal(textOf(valueOf({ type: 'decimal' }, '1234.56')), '1234.56');
    assert.equal(textOf(valueOf({ type: 'decimal', decimalSeparator: ',' }, '1234,56')), '1234.56');
    assert.equal(textOf(valueOf({ type: 'decimal' }, '0.1')), '0.1');
    assert.equal(textOf(valueOf({ type: 'decimal' }, '.5')), '0.5');
    assert.equal(textOf(valueOf({ type: 'decimal' }, '1.50')), '1.50', 'trailing zeros are kept');
    assert.ok(valueOf({ type: 'decimal' }, '1.5') instanceof Decimal);
  });

  it('reads thousands grouping and rejects misplaced separators', () => {
    assert.equal(textOf(valueOf(euro, '1.234,56')), '1234.56');
    assert.equal(textOf(valueOf(euro, '1.234.567,8')), '1234567.8');
    assert.equal(textOf(valueOf(euro, '1234,56')), '1234.56', 'grouping is optional');
    assert.equal(textOf(valueOf(euro, '12,50')), '12.50');
    assert.equal(errorOf({ type: 'decimal', decimalSeparator: ',' }, '1.234,56').code, 'type', 'no grouping unless thousandsSeparator says so');
    for (const bad of ['1.23,4', '12,3,4', '1.2345,6', '1,234.56', '1..234', ',', '-', '']) {
      if (bad === '') continue;
      const e = errorOf({ from: 'Price', ...euro }, bad);
      assert.equal(e.code, 'type', bad);
      assert.match(e.message, /^Price is ".*", not a decimal number \(decimal separator ",", thousands separator "\."\)$/, bad);
    }
  });

  it('reads a trailing minus (SAP) and a leading one, but not both', () => {
    assert.equal(textOf(valueOf(euro, '1.234,56-')), '-1234.56');
    assert.equal(textOf(valueOf(euro, '-1.234,56')), '-1234.56');
    assert.equal(textOf(valueOf({ type: 'decimal' }, '0.5-')), '-0.5');
    assert.equal(errorOf(euro, '-1.234,56-').code, 'type');
    assert.equal(errorOf(euro, '+5-').code, 'type');
  });

  it('rounds half-up to scale, away from zero, and pads to the scale', () => {
    assert.equal(textOf(valueOf({ type: 'decimal', scale: 2 }, '2.345')), '2.35');
    assert.equal(textOf(valueOf({ type: 'decimal', scale: 2 }, '2.344')), '2.34');
    assert.equal(textOf(valueOf({ type: 'decimal', scale: 2 }, '-2.345')), '-2.35');
    assert.equal(textOf(valueOf({ type: 'decimal', scale: 2 }, '1.005')), '1.01', 'no binary drift: 1.005 is not 1.00499…');
    assert.equal(textOf(valueOf({ type: 'decimal', scale: 2 }, '7')), '7.00');
    assert.equal(textOf(valueOf({ type: 'decimal', scale: 0 }, '2.5')), '3');
  });

  it('keeps 20 and more digits exactly', () => {
    assert.equal(textOf(valueOf({ type: 'decimal' }, '12345678901234567890')), '12345678901234567890');
    assert.equal(textOf(valueOf({ type: 'decimal' }, '12345678901234567890.12345678901234567891')), '12345678901234567890.12345678901234567891');
    assert.equal(textOf(valueOf({ type: 'decimal' }, '0.00000000000000000001')), '0.00000000000000000001');
  });

  it('rejects exponents, words and spaces inside', () => {
    for (const bad of ['1e5', 'NaN', 'Infinity', '12 34', '1.2.3', 'abc']) {
      assert.equal(errorOf({ from: 'Price', type: 'decimal' }, bad).code, 'type', bad);
    }
    assert.match(errorOf({ from: 'Price', type: 'decimal' }, 'abc').message, /^Price is "abc", not a decimal number$/);
  });

  it('refuses a decimal separator equal to the thousands separator when the profile is read', () => {
    assert.throws(() => compileIssues({ v: { from: 'A', type: 'decimal', decimalSeparator: ',', thousandsSeparator: ',' } }), /must differ from decimalSeparator/);
    const issues = compileIssues({ v: { from: 'A', type: 'decimal', thousandsSeparator: '.' } });
    assert.deepEqual(issues.map((i) => i.path), [['fields', 'v', 'thousandsSeparator']], 'thousands "." clashes with the default decimal "."');
    assert.match(issues[0]?.message ?? '', /set decimalSeparator/);
  });
});

describe('field types: boolean', () => {
  it('understands yes/no words in several languages, in any case', () => {
    for (const yes of ['true', 'TRUE', 'yes', 'Y', '1', 'ja', 'JA', 'sí', 'SÍ', 'si', 'x']) assert.equal(valueOf({ type: 'boolean' }, yes), true, yes);
    for (const no of ['false', 'No', 'n', '0', 'nei', 'NEI', 'nein', 'non']) assert.equal(valueOf({ type: 'boolean' }, no), false, no);
  });

  it('trims the cell, as every non-string type does', () => {
    assert.equal(valueOf({ type: 'boolean' }, ' ja\t'), true);
    assert.equal(valueOf({ type: 'date' }, ' 2026-11-23 '), '2026-11-23');
    assert.equal(textOf(valueOf({ type: 'decimal' }, '\u00a01.5 ')), '1.5');
  });

  it('rejects other words with the allowed ones listed', () => {
    const e = errorOf({ from: 'Active', type: 'boolean' }, 'maybe');
    assert.equal(e.code, 'type');
    assert.match(e.message, /^Active is "maybe", not a yes\/no value; allowed: .*ja.* or .*nei/);
  });

  it('extends and overrides the words with trueValues and falseValues', () => {
    const spec = { type: 'boolean', trueValues: ['aktiv', 'Y'], falseValues: ['inaktiv', 'x'] };
    assert.equal(valueOf(spec, 'AKTIV'), true);
    assert.equal(valueOf(spec, 'inaktiv'), false);
    assert.equal(valueOf(spec, 'x'), false, 'falseValues take a word away from the true side');
    assert.equal(valueOf(spec, 'yes'), true);
  });
});

describe('field types: date', () => {
  it('reads ISO dates without a format, and xs:date with a zone', () => {
    assert.equal(valueOf({ type: 'date' }, '2026-11-23'), '2026-11-23');
    assert.equal(valueOf({ type: 'date' }, '2026-11-23Z'), '2026-11-23');
    assert.equal(valueOf({ type: 'date' }, '2026-11-23+01:00'), '2026-11-23');
    assert.equal(valueOf({ type: 'date' }, '2026-11-23T08:30:00'), '2026-11-23');
  });

  it('reads Excel serial day numbers without a format', () => {
    assert.equal(valueOf({ type: 'date' }, '45000'), '2023-03-15');
    assert.equal(valueOf({ type: 'date' }, '46349.5'), '2026-11-23');
    assert.equal(valueOf({ type: 'date' }, '61'), '1900-03-01');
    assert.equal(errorOf({ type: 'date' }, '60').code, 'type', "Excel's fictitious 1900-02-29");
  });

  it('reads the profile format and rejects impossible dates', () => {
    assert.equal(valueOf({ type: 'date', format: 'dd.MM.yyyy' }, '07.01.2026'), '2026-01-07');
    assert.equal(valueOf({ type: 'date', format: 'M/d/yy' }, '1/7/26'), '2026-01-07');
    assert.equal(valueOf({ type: 'date', format: ['dd.MM.yyyy', 'yyyy-MM-dd'] }, '2026-01-07'), '2026-01-07');
    const e = errorOf({ from: 'Date', type: 'date', format: 'dd.MM.yyyy' }, '31.02.2026');
    assert.equal(e.code, 'type');
    assert.equal(e.message, 'Date is "31.02.2026", not a date in the format dd.MM.yyyy');
    assert.equal(errorOf({ type: 'date', format: 'dd.MM.yyyy' }, '2026-01-07').code, 'type', 'a format is strict');
    assert.equal(errorOf({ type: 'date', format: 'dd.MM.yyyy' }, '45000').code, 'type');
    assert.match(errorOf({ from: 'D', type: 'date' }, '23.11.2026').message, /^D is "23\.11\.2026", not a date such as 2026-11-23$/);
  });

  it('reports a bad format when the profile is compiled', () => {
    const issues = compileIssues({ d: { from: 'D', type: 'date', format: 'dd.QQ.yyyy' } });
    assert.deepEqual(issues[0]?.path, ['fields', 'd', 'format']);
  });
});

describe('field types: datetime', () => {
  const oslo = { type: 'datetime', format: 'dd.MM.yyyy HH:mm', timezone: 'Europe/Oslo' };

  it('places zone-less input in the field timezone, winter and summer', () => {
    assert.equal(valueOf(oslo, '15.01.2026 08:30'), '2026-01-15T08:30:00+01:00');
    assert.equal(valueOf(oslo, '15.07.2026 08:30'), '2026-07-15T08:30:00+02:00');
    assert.equal(valueOf({ type: 'datetime', timezone: 'Europe/Oslo' }, '2026-07-15T08:30'), '2026-07-15T08:30:00+02:00');
  });

  it('uses UTC when no timezone is given', () => {
    assert.equal(valueOf({ type: 'datetime' }, '2026-01-15 08:30:00'), '2026-01-15T08:30:00+00:00');
    assert.equal(valueOf({ type: 'datetime' }, '2026-01-15T08:30:00.250'), '2026-01-15T08:30:00.250+00:00');
  });

  it('keeps an offset written in the input; timezone is for zone-less input only', () => {
    assert.equal(valueOf({ type: 'datetime', timezone: 'Europe/Oslo' }, '2026-07-15T08:30:00+05:30'), '2026-07-15T08:30:00+05:30');
    assert.equal(valueOf({ type: 'datetime', timezone: 'Europe/Oslo' }, '2026-01-15T08:30:00Z'), '2026-01-15T08:30:00+00:00');
    assert.equal(valueOf({ type: 'datetime', format: 'dd.MM.yyyy HH:mm XXX' }, '15.01.2026 08:30 -05:00'), '2026-01-15T08:30:00-05:00');
    assert.equal(valueOf({ type: 'datetime' }, '0050-01-15T08:30:00+01:00'), '0050-01-15T08:30:00+01:00', 'no Date.UTC year 0-99 trap');
  });

  it('follows the zone rules across daylight saving changes', () => {
    assert.equal(valueOf(oslo, '29.03.2026 02:30'), '2026-03-29T03:30:00+02:00', 'a time in the spring gap moves forward');
    assert.equal(valueOf(oslo, '25.10.2026 02:30'), '2026-10-25T02:30:00+02:00', 'an ambiguous autumn time is the first one');
  });

  it('reads Excel serial date-times as wall-clock time in the field timezone', () => {
    assert.equal(valueOf({ type: 'datetime', timezone: 'Europe/Oslo' }, '46228.5'), '2026-07-25T12:00:00+02:00');
  });

  it('rejects bad input with a message naming the column and the value', () => {
    const e = errorOf({ from: 'Created', ...oslo }, '15.01.2026');
    assert.equal(e.code, 'type');
    assert.equal(e.message, 'Created is "15.01.2026", not a date and time in the format dd.MM.yyyy HH:mm');
    assert.equal(errorOf({ type: 'datetime' }, '2026-01-15T25:00').code, 'type');
    assert.match(errorOf({ from: 'At', type: 'datetime' }, 'soon').message, /^At is "soon", not a date and time such as/);
  });

  it('rejects an unknown timezone when the profile is read', () => {
    assert.throws(() => compileIssues({ t: { from: 'T', type: 'datetime', timezone: 'Mars/Olympus' } }), /not a time zone/);
  });
});
