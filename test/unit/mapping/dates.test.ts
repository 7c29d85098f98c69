import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  excelSerialToParts,
  formatIsoDate,
  isValidParts,
  parseIsoDateTime,
  type DateTimeParts,
} from '../../../src/mapping/dates.js';

function parts(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, millisecond = 0): DateTimeParts {
  return { year, month, day, hour, minute, second, millisecond };
}

describe('isValidParts', () => {
  it('accepts real calendar dates, leap days included', () => {
    assert.equal(isValidParts(parts(2026, 11, 23, 8, 30)), true);
    assert.equal(isValidParts(parts(2024, 2, 29)), true);
    assert.equal(isValidParts(parts(2000, 2, 29)), true);
    assert.equal(isValidParts(parts(2026, 12, 31, 23, 59, 59, 999)), true);
    assert.equal(isValidParts(parts(1, 1, 1)), true);
    assert.equal(isValidParts(parts(9999, 12, 31)), true);
  });

  it('rejects impossible dates and times', () => {
    assert.equal(isValidParts(parts(2026, 2, 31)), false);
    assert.equal(isValidParts(parts(2025, 2, 29)), false);
    assert.equal(isValidParts(parts(1900, 2, 29)), false);
    assert.equal(isValidParts(parts(2026, 4, 31)), false);
    assert.equal(isValidParts(parts(2026, 13, 1)), false);
    assert.equal(isValidParts(parts(2026, 0, 1)), false);
    assert.equal(isValidParts(parts(2026, 1, 0)), false);
    assert.equal(isValidParts(parts(2026, 1, 1, 24)), false);
    assert.equal(isValidParts(parts(2026, 1, 1, 8, 60)), false);
    assert.equal(isValidParts(parts(2026, 1, 1, 8, 0, 60)), false);
    assert.equal(isValidParts(parts(0, 1, 1)), false);
    assert.equal(isValidParts(parts(10000, 1, 1)), false);
    assert.equal(isValidParts(parts(2026.5, 1, 1)), false);
  });

  it('checks offsets against ±14:00', () => {
    assert.equal(isValidParts({ ...parts(2026, 1, 1), offsetMinutes: 14 * 60 }), true);
    assert.equal(isValidParts({ ...parts(2026, 1, 1), offsetMinutes: -12 * 60 }), true);
    assert.equal(isValidParts({ ...parts(2026, 1, 1), offsetMinutes: 15 * 60 }), false);
  });
});

describe('formatIsoDate', () => {
  it('writes yyyy-MM-dd with zero padding', () => {
    assert.equal(formatIsoDate(parts(2026, 11, 23)), '2026-11-23');
    assert.equal(formatIsoDate(parts(2026, 2, 1)), '2026-02-01');
    assert.equal(formatIsoDate({ year: 987, month: 1, day: 9 }), '0987-01-09');
    assert.equal(formatIsoDate({ year: 1, month: 1, day: 1 }), '0001-01-01');
  });

  it('refuses years that yyyy cannot hold', () => {
    assert.throws(() => formatIsoDate({ year: 10000, month: 1, day: 1 }), RangeError);
    assert.throws(() => formatIsoDate({ year: 0, month: 1, day: 1 }), RangeError);
  });

  it('gives every day of many years its own text, however the remembered days share their slots', () => {
    // 40 years hold more days than the cache has slots, so later days take the slots of earlier ones
    for (let round = 0; round < 2; round++) {
      for (let year = 1990; year < 2030; year++) {
        for (let month = 1; month <= 12; month++) {
          for (const day of [1, 9, 17, 28, 31]) {
            const expected = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
            assert.equal(formatIsoDate(parts(year, month, day)), expected);
          }
        }
      }
    }
  });
});

describe('parseIsoDateTime', () => {
  it('reads dates and date-times without a zone', () => {
    assert.deepEqual(parseIsoDateTime('2026-11-23'), parts(2026, 11, 23));
    assert.deepEqual(parseIsoDateTime('2026-11-23T08:30'), parts(2026, 11, 23, 8, 30));
    assert.deepEqual(parseIsoDateTime('2026-11-23T08:30:05'), parts(2026, 11, 23, 8, 30, 5));
    assert.deepEqual(parseIsoDateTime('2026-11-23 08:30:00'), parts(2026, 11, 23, 8, 30));
    assert.deepEqual(parseIsoDateTime('2026-11-23T08:30:00.123456'), parts(2026, 11, 23, 8, 30, 0, 123));
    assert.deepEqual(parseIsoDateTime('2026-11-23T08:30:00,25'), parts(2026, 11, 23, 8, 30, 0, 250));
  });

  it('reads zones on date-times and on xs:date', () => {
    assert.deepEqual(parseIsoDateTime('2026-11-23T08:30:00.5Z'), { ...parts(2026, 11, 23, 8, 30, 0, 500), offsetMinutes: 0 });
    assert.deepEqual(parseIsoDateTime('2026-11-23T08:30:00+01:00'), { ...parts(2026, 11, 23, 8, 30), offsetMinutes: 60 });
    assert.deepEqual(parseIsoDateTime('2026-11-23T08:30-05:30'), { ...parts(2026, 11, 23, 8, 30), offsetMinutes: -330 });
    assert.deepEqual(parseIsoDateTime('2026-11-23T08:30:00+0100'), { ...parts(2026, 11, 23, 8, 30), offsetMinutes: 60 });
    assert.deepEqual(parseIsoDateTime('2026-11-23+01:00'), { ...parts(2026, 11, 23), offsetMinutes: 60 });
    assert.deepEqual(parseIsoDateTime('2026-11-23Z'), { ...parts(2026, 11, 23), offsetMinutes: 0 });
  });

  it('returns undefined for other text', () => {
    for (const text of [
      '', '2026-11', '26-11-23', '2026/11/23', '2026-1-23', '20261123', ' 2026-11-23', '2026-11-23 ',
      '2026-11-23T', '2026-11-23T8:30', '2026-11-23T08:30:00.', '2026-11-23T08:30:00+01:00x',
      '2026-11-23T08:30:00 +01:00', '12026-11-23', '-2026-11-23', '2026-11-23X',
    ]) {
      assert.equal(parseIsoDateTime(text), undefined, text);
    }
  });

  it('leaves calendar checks to isValidParts', () => {
    const february30 = parseIsoDateTime('2026-02-30');
    assert.ok(february30 !== undefined && !isValidParts(february30));
    const midnight24 = parseIsoDateTime('2026-11-23T24:00:00');
    assert.ok(midnight24 !== undefined && !isValidParts(midnight24));
  });
});

describe('excelSerialToParts', () => {
  it('follows the 1900 system, fictitious 1900-02-29 included', () => {
    assert.deepEqual(excelSerialToParts(1), parts(1900, 1, 1));
    assert.deepEqual(excelSerialToParts(59), parts(1900, 2, 28));
    assert.equal(excelSerialToParts(60), undefined);
    assert.equal(excelSerialToParts(60.5), undefined);
    assert.deepEqual(excelSerialToParts(61), parts(1900, 3, 1));
    assert.deepEqual(excelSerialToParts(45000), parts(2023, 3, 15));
    assert.deepEqual(excelSerialToParts(45000, false), parts(2023, 3, 15));
    assert.deepEqual(excelSerialToParts(2958465), parts(9999, 12, 31));
  });

  it('follows the 1904 system', () => {
    assert.deepEqual(excelSerialToParts(0, true), parts(1904, 1, 1));
    assert.deepEqual(excelSerialToParts(43538, true), parts(2023, 3, 15));
    assert.deepEqual(excelSerialToParts(43538.75, true), parts(2023, 3, 15, 18));
  });

  it('turns the fraction into the time of day', () => {
    assert.deepEqual(excelSerialToParts(45000.5), parts(2023, 3, 15, 12));
    assert.deepEqual(excelSerialToParts(45000 + 8.5 / 24), parts(2023, 3, 15, 8, 30));
    assert.deepEqual(excelSerialToParts(45000.354166666664), parts(2023, 3, 15, 8, 30));
    assert.deepEqual(excelSerialToParts(45000 + (8 * 3600 + 30 * 60 + 15.25) / 86400), parts(2023, 3, 15, 8, 30, 15, 250));
  });

  it('rounds near-second artefacts instead of showing .999', () => {
    assert.deepEqual(excelSerialToParts(45000.3541666551), parts(2023, 3, 15, 8, 30));
    assert.deepEqual(excelSerialToParts(45000 + 86399.9992 / 86400), parts(2023, 3, 16));
    assert.deepEqual(excelSerialToParts(45000.99999999), parts(2023, 3, 16));
    assert.deepEqual(excelSerialToParts(45000 + 0.75 - 1e-9), parts(2023, 3, 15, 18));
  });

  it('returns undefined outside what Excel can show', () => {
    assert.equal(excelSerialToParts(0), undefined);
    assert.equal(excelSerialToParts(0.5), undefined);
    assert.equal(excelSerialToParts(-1), undefined);
    assert.equal(excelSerialToParts(-1, true), undefined);
    assert.equal(excelSerialToParts(2958466), undefined);
    assert.equal(excelSerialToParts(Number.NaN), undefined);
    assert.equal(excelSerialToParts(Number.POSITIVE_INFINITY), undefined);
  });
});
