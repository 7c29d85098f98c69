/**
 * ISO 8601 output for the `date` and `datetime` field types: `2026-11-23` and
 * `2026-11-23T08:30:00+01:00`.
 */

import {
  MS_PER_DAY,
  civilFromDays,
  daysFromCivil,
  pad2,
  packedDay,
  packedMonth,
  packedYear,
  type DateTimeParts,
} from './date-parts.js';
import { formatOffset } from './offset-text.js';
import type { TimeZone } from './time-zone.js';

/** The first and last instant of the years 0001-9999, the years ISO `yyyy` can write. */
const FIRST_MS = daysFromCivil(1, 1, 1) * MS_PER_DAY;
const LAST_MS = daysFromCivil(10000, 1, 1) * MS_PER_DAY - 1;

function year4(year: number): string {
  if (!Number.isInteger(year) || year < 1 || year > 9999) {
    throw new RangeError(`year ${year} is outside 0001-9999 and cannot be written as ISO yyyy`);
  }
  if (year >= 1000) return '' + year;
  return (year >= 100 ? '0' : year >= 10 ? '00' : '000') + year;
}

function pad3(n: number): string {
  return n >= 100 ? '' + n : n >= 10 ? '0' + n : '00' + n;
}

function formatWall(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millisecond: number,
  offsetMinutes: number,
): string {
  const fraction = millisecond === 0 ? '' : '.' + pad3(millisecond);
  return (
    year4(year) + '-' + pad2(month) + '-' + pad2(day) + 'T' +
    pad2(hour) + ':' + pad2(minute) + ':' + pad2(second) + fraction + formatOffset(offsetMinutes)
  );
}

/** Slots of the cache of day texts (a power of two): a file's dates mostly fall in a few years. */
const DAY_CACHE_SIZE = 4096;
const cachedDays = new Float64Array(DAY_CACHE_SIZE).fill(Number.NaN);
const cachedDayTexts = new Array<string>(DAY_CACHE_SIZE).fill('');

/**
 * ISO date text `yyyy-MM-dd` of the UTC day an instant falls on, or undefined outside the years
 * 0001-9999; the same as formatting the `getUTC…` parts of a Date, without reading them one by one.
 * Recent days are remembered: date arithmetic on a million rows writes the same few thousand
 * days over and over.
 */
export function formatIsoDay(utcMs: number): string | undefined {
  if (!(utcMs >= FIRST_MS && utcMs <= LAST_MS)) return undefined;
  const day = Math.floor(utcMs / MS_PER_DAY);
  // days of the years 0001-9999 fit in 32 bits; & maps negative ones to a slot as well
  const slot = day & (DAY_CACHE_SIZE - 1);
  if (cachedDays[slot] === day) return cachedDayTexts[slot];
  const ymd = civilFromDays(day);
  const text = year4(packedYear(ymd)) + '-' + pad2(packedMonth(ymd)) + '-' + pad2(packedDay(ymd));
  cachedDays[slot] = day;
  cachedDayTexts[slot] = text;
  return text;
}

const cachedDates = new Int32Array(DAY_CACHE_SIZE).fill(-1);
const cachedDateTexts = new Array<string>(DAY_CACHE_SIZE).fill('');

/**
 * ISO date text `yyyy-MM-dd`; throws RangeError for years outside 0001-9999 (validate first).
 * Recent dates are remembered as in {@link formatIsoDay}: an export repeats the days of its few
 * years on every row, and building the text was two fifths of converting `dd.MM.yyyy` text.
 */
export function formatIsoDate(p: Pick<DateTimeParts, 'year' | 'month' | 'day'>): string {
  const { year, month, day } = p;
  // one number per date while month and day are in range (13 months and 32 days of room)
  const key = (year * 13 + month) * 32 + day;
  const cacheable = (key | 0) === key && month >= 1 && month <= 12 && day >= 1 && day <= 31 && year >= 1 && year <= 9999;
  const slot = key & (DAY_CACHE_SIZE - 1);
  if (cacheable && cachedDates[slot] === key) return cachedDateTexts[slot] ?? '';
  const text = year4(year) + '-' + pad2(month) + '-' + pad2(day);
  if (cacheable) {
    cachedDates[slot] = key;
    cachedDateTexts[slot] = text;
  }
  return text;
}

/**
 * `yyyy-MM-ddTHH:mm:ss[.SSS]±HH:MM` of the UTC instant as seen in `zone`: milliseconds only when
 * non-zero, and UTC prints as `+00:00`, never `Z`. Throws RangeError when the local year falls
 * outside 0001-9999.
 */
export function formatIsoDateTime(utcMs: number, zone: TimeZone): string {
  const offsetMinutes = zone.offsetAt(utcMs);
  const local = utcMs + offsetMinutes * 60_000;
  const days = Math.floor(local / MS_PER_DAY);
  const msOfDay = local - days * MS_PER_DAY;
  const ymd = civilFromDays(days);
  const secondsOfDay = Math.floor(msOfDay / 1000);
  return formatWall(
    packedYear(ymd),
    packedMonth(ymd),
    packedDay(ymd),
    Math.floor(secondsOfDay / 3600),
    Math.floor(secondsOfDay / 60) % 60,
    secondsOfDay % 60,
    msOfDay % 1000,
    offsetMinutes,
  );
}

/**
 * The same text for wall-clock parts already in `offsetMinutes` (typically the input's own
 * offset, which keeps `08:30+05:30` as written instead of converting it). `p.offsetMinutes` is
 * ignored in favour of the argument.
 */
export function formatIsoDateTimeParts(p: DateTimeParts, offsetMinutes: number): string {
  return formatWall(p.year, p.month, p.day, p.hour, p.minute, p.second, p.millisecond, offsetMinutes);
}
