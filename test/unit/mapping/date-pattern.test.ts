import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileDatePattern } from '../../../src/mapping/date-pattern.js';
import { isValidParts, type DateTimeParts } from '../../../src/mapping/date-parts.js';

function parser(pattern: string): (text: string) => DateTimeParts | undefined {
  const compiled = compileDatePattern(pattern);
  if (!compiled.ok) throw new Error(compiled.message);
  return compiled.parse;
}

function parts(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, millisecond = 0): DateTimeParts {
  return { year, month, day, hour, minute, second, millisecond };
}

function compileError(pattern: string): string {
  const compiled = compileDatePattern(pattern);
  assert.equal(compiled.ok, false, `expected "${pattern}" to be rejected`);
  return compiled.ok ? '' : compiled.message;
}

describe('compileDatePattern: day, month, year', () => {
  it('reads dd.MM.yyyy, leniently accepting one-digit day and month before a separator', () => {
    const parse = parser('dd.MM.yyyy');
    assert.deepEqual(parse('23.11.2026'), parts(2026, 11, 23));
    assert.deepEqual(parse('1.2.2026'), parts(2026, 2, 1));
    assert.equal(parse('123.11.2026'), undefined);
    assert.equal(parse('23.11.26'), undefined);
  });

  it('reads d.M.yyyy with one or two digits', () => {
    const parse = parser('d.M.yyyy');
    assert.deepEqual(parse('1.2.2026'), parts(2026, 2, 1));
    assert.deepEqual(parse('12.11.2026'), parts(2026, 11, 12));
  });

  it('pivots two-digit years: 00-69 -> 2000s, 70-99 -> 1900s', () => {
    const parse = parser('M/d/yy');
    assert.deepEqual(parse('11/23/26'), parts(2026, 11, 23));
    assert.deepEqual(parse('1/2/00'), parts(2000, 1, 2));
    assert.deepEqual(parse('1/2/69'), parts(2069, 1, 2));
    assert.deepEqual(parse('1/2/70'), parts(1970, 1, 2));
    assert.deepEqual(parse('1/2/99'), parts(1999, 1, 2));
    assert.equal(parse('1/2/2026'), undefined);
  });

  it('reads y as given, pivoting only a two-digit year', () => {
    const parse = parser('d.M.y');
    assert.deepEqual(parse('1.2.2026'), parts(2026, 2, 1));
    assert.deepEqual(parse('1.2.26'), parts(2026, 2, 1));
    assert.deepEqual(parse('1.2.926'), parts(926, 2, 1));
  });

  it('needs exact widths for adjacent fields', () => {
    assert.deepEqual(parser('yyyyMMdd')('20261123'), parts(2026, 11, 23));
    assert.deepEqual(parser('yyyyMMdd')('20260102'), parts(2026, 1, 2));
    assert.equal(parser('yyyyMMdd')('2026112'), undefined);
    assert.equal(parser('yyyyMMdd')('202611234'), undefined);
    assert.deepEqual(parser('yyyyMMddHHmmss')('20261123083005'), parts(2026, 11, 23, 8, 30, 5));
    assert.deepEqual(parser('yyMMdd')('261123'), parts(2026, 11, 23));
  });

  it('reads month names in several languages, any case, with an optional dot', () => {
    const parse = parser('d MMM yyyy');
    assert.deepEqual(parse('23 Nov 2026'), parts(2026, 11, 23));
    assert.deepEqual(parse('23 NOV 2026'), parts(2026, 11, 23));
    assert.deepEqual(parse('23 November 2026'), parts(2026, 11, 23));
    assert.deepEqual(parse('1 Mär 2026'), parts(2026, 3, 1));
    assert.deepEqual(parse('1 MÄRZ 2026'), parts(2026, 3, 1));
    assert.deepEqual(parse('5 des. 2026'), parts(2026, 12, 5));
    assert.deepEqual(parse('5 mai 2026'), parts(2026, 5, 5));
    assert.deepEqual(parse('5 ene 2026'), parts(2026, 1, 5));
    assert.deepEqual(parse('5 févr. 2026'), parts(2026, 2, 5));
    assert.deepEqual(parse('5 août 2026'), parts(2026, 8, 5));
    assert.equal(parse('5 Foo 2026'), undefined);
    assert.deepEqual(parser('dd-MMMM-yyyy')('04-June-2026'), parts(2026, 6, 4));
    assert.deepEqual(parser('dd.MMM.yyyy')('04.jun.2026'), parts(2026, 6, 4));
    assert.deepEqual(parser('ddMMMyyyy')('04JUL2026'), parts(2026, 7, 4));
  });

  it('leaves calendar checks to isValidParts', () => {
    const parse = parser('dd.MM.yyyy');
    const february31 = parse('31.02.2026');
    assert.ok(february31 !== undefined && !isValidParts(february31));
    const leapDay = parse('29.02.2024');
    assert.ok(leapDay !== undefined && isValidParts(leapDay));
    const month13 = parse('01.13.2026');
    assert.ok(month13 !== undefined && !isValidParts(month13));
  });
});

describe('compileDatePattern: time of day', () => {
  it('reads H, HH, m, mm, s, ss', () => {
    assert.deepEqual(parser('M/d/yy HH:mm')('11/23/26 08:30'), parts(2026, 11, 23, 8, 30));
    assert.deepEqual(parser('d.M.yyyy H:m:s')('1.2.2026 8:5:7'), parts(2026, 2, 1, 8, 5, 7));
    assert.deepEqual(parser('dd.MM.yyyy HH:mm:ss')('01.02.2026 23:59:58'), parts(2026, 2, 1, 23, 59, 58));
    const hour24 = parser('dd.MM.yyyy HH:mm')('01.02.2026 24:00');
    assert.ok(hour24 !== undefined && !isValidParts(hour24));
  });

  it('reads a 12-hour clock with AM/PM, including 12 AM and 12 PM', () => {
    const parse = parser('M/d/yyyy h:mm a');
    assert.deepEqual(parse('11/23/2026 8:30 AM'), parts(2026, 11, 23, 8, 30));
    assert.deepEqual(parse('11/23/2026 8:30 PM'), parts(2026, 11, 23, 20, 30));
    assert.deepEqual(parse('11/23/2026 12:00 AM'), parts(2026, 11, 23, 0, 0));
    assert.deepEqual(parse('11/23/2026 12:00 PM'), parts(2026, 11, 23, 12, 0));
    assert.deepEqual(parse('11/23/2026 12:15 am'), parts(2026, 11, 23, 0, 15));
    assert.deepEqual(parse('11/23/2026 1:15 p.m.'), parts(2026, 11, 23, 13, 15));
    assert.equal(parse('11/23/2026 13:00 PM'), undefined);
    assert.equal(parse('11/23/2026 0:00 AM'), undefined);
    assert.equal(parse('11/23/2026 8:30'), undefined);
    assert.deepEqual(parser('yyyyMMddhhmmaa')('202611230830PM'), parts(2026, 11, 23, 20, 30));
  });

  it('reads fractions of a second, truncated to milliseconds', () => {
    const parse = parser('yyyy-MM-dd HH:mm:ss.SSS');
    assert.deepEqual(parse('2026-11-23 08:30:00.123'), parts(2026, 11, 23, 8, 30, 0, 123));
    assert.deepEqual(parse('2026-11-23 08:30:00.5'), parts(2026, 11, 23, 8, 30, 0, 500));
    assert.deepEqual(parse('2026-11-23 08:30:00.05'), parts(2026, 11, 23, 8, 30, 0, 50));
    assert.deepEqual(parse('2026-11-23 08:30:00.123456789'), parts(2026, 11, 23, 8, 30, 0, 123));
    assert.equal(parse('2026-11-23 08:30:00.'), undefined);
    assert.equal(parse('2026-11-23 08:30:00.1234567890'), undefined);
    assert.deepEqual(parser('yyyyMMddHHmmssSSS')('20261123083000042'), parts(2026, 11, 23, 8, 30, 0, 42));
    assert.deepEqual(parser('HHmmssSS dd.MM.yyyy')('08300012 23.11.2026'), parts(2026, 11, 23, 8, 30, 0, 120));
  });
});

describe('compileDatePattern: offsets and literals', () => {
  it('reads XXX, XX, X, xxx and Z offsets, including Z for UTC', () => {
    const iso = "yyyy-MM-dd'T'HH:mm:ss";
    const withOffset = (offsetMinutes: number): DateTimeParts => ({ ...parts(2026, 11, 23, 8, 30), offsetMinutes });
    assert.deepEqual(parser(`${iso}XXX`)('2026-11-23T08:30:00+01:00'), withOffset(60));
    assert.deepEqual(parser(`${iso}XXX`)('2026-11-23T08:30:00Z'), withOffset(0));
    assert.deepEqual(parser(`${iso}XX`)('2026-11-23T08:30:00-0530'), withOffset(-330));
    assert.deepEqual(parser(`${iso}X`)('2026-11-23T08:30:00+01'), withOffset(60));
    assert.deepEqual(parser(`${iso}xxx`)('2026-11-23T08:30:00-03:00'), withOffset(-180));
    assert.deepEqual(parser(`${iso} Z`)('2026-11-23T08:30:00 +0100'), withOffset(60));
    assert.equal(parser(`${iso}XXX`)('2026-11-23T08:30:00'), undefined);
    assert.equal(parser(`${iso}XXX`)('2026-11-23T08:30:00+01:60'), undefined);
    const zoneless = parser(iso)('2026-11-23T08:30:00');
    assert.deepEqual(zoneless, parts(2026, 11, 23, 8, 30));
    assert.ok(zoneless !== undefined && !('offsetMinutes' in zoneless));
  });

  it('matches quoted text and punctuation literally', () => {
    assert.deepEqual(parser("yyyy-MM-dd'T'HH:mm")('2026-11-23T08:30'), parts(2026, 11, 23, 8, 30));
    assert.deepEqual(parser("dd 'de' MMMM 'de' yyyy")('23 de noviembre de 2026'), parts(2026, 11, 23));
    assert.deepEqual(parser("dd.MM.yyyy 'o''clock' H")('23.11.2026 o\'clock 8'), parts(2026, 11, 23, 8));
    assert.deepEqual(parser("''yy''MMdd")("'26'1123"), parts(2026, 11, 23));
    assert.equal(parser("yyyy-MM-dd'T'HH:mm")('2026-11-23 08:30'), undefined);
  });

  it('does not trim surrounding whitespace', () => {
    const parse = parser('dd.MM.yyyy');
    assert.equal(parse(' 23.11.2026'), undefined);
    assert.equal(parse('23.11.2026 '), undefined);
    assert.equal(parse(''), undefined);
  });
});

describe('compileDatePattern: pattern errors', () => {
  it('rejects unknown letters, unsupported widths and unterminated quotes', () => {
    assert.match(compileError('EEE, dd.MM.yyyy'), /unsupported letter 'E'/);
    assert.match(compileError('yyyy-MM-ddTHH:mm'), /unsupported letter 'T'/);
    assert.match(compileError('ddd.MM.yyyy'), /'ddd'/);
    assert.match(compileError('dd.MM.yyy'), /'yyy'/);
    assert.match(compileError('dd.MMMMM.yyyy'), /'MMMMM'/);
    assert.match(compileError("dd.MM.yyyy 'at"), /not closed/);
  });

  it('rejects repeated fields, missing date parts and h without a', () => {
    assert.match(compileError('dd.MM.yyyy dd'), /day \(d\) appears twice/);
    assert.match(compileError('dd.MM.yyyy HH hh a'), /hour/);
    assert.match(compileError('MM.yyyy'), /no day/);
    assert.match(compileError('dd.MM'), /no year/);
    assert.match(compileError('dd.MM.yyyy hh:mm'), /needs 'a'/);
  });
});
