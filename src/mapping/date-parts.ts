/**
 * Calendar arithmetic and digit helpers shared by the date parsers and formatters. Everything is
 * proleptic Gregorian integer arithmetic instead of `Date`, because `Date.UTC` maps years 0-99 to
 * 1900-1999 and allocating a `Date` per row is measurable on million-row files.
 */

/**
 * Date-time parts as read from text; all numbers, month 1-12. `offsetMinutes` is present only when
 * the input carried a zone (`Z`, `+01:00`, `+0100`, or the X/x/Z pattern letters); it is minutes east
 * of UTC, so `+01:00` is 60.
 */
export interface DateTimeParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  offsetMinutes?: number;
}

/** Milliseconds in a calendar day (no leap seconds, as everywhere in JavaScript). */
export const MS_PER_DAY = 86_400_000;

/** The largest UTC offset accepted anywhere, as in XML Schema: ±14:00. */
export const MAX_OFFSET_MINUTES = 14 * 60;

/** Whether `year` is a Gregorian leap year. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in `month` (1-12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Validates calendar correctness: integers only, years 0001-9999 (the range ISO `yyyy` can print),
 * a real day of that month (31.02.2026 and 29.02.2025 are invalid, 29.02.2024 is valid), hour 0-23
 * (24:00 is rejected), minute and second 0-59 (no leap seconds), millisecond 0-999, and an offset,
 * when present, within ±14:00.
 */
export function isValidParts(p: DateTimeParts): boolean {
  const { year, month, day, hour, minute, second, millisecond, offsetMinutes } = p;
  if (!Number.isInteger(year) || year < 1 || year > 9999) return false;
  if (!Number.isInteger(month) || month < 1 || month > 12) return false;
  if (!Number.isInteger(day) || day < 1 || day > daysInMonth(year, month)) return false;
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) return false;
  if (!Number.isInteger(minute) || minute < 0 || minute > 59) return false;
  if (!Number.isInteger(second) || second < 0 || second > 59) return false;
  if (!Number.isInteger(millisecond) || millisecond < 0 || millisecond > 999) return false;
  if (offsetMinutes === undefined) return true;
  return Number.isInteger(offsetMinutes) && Math.abs(offsetMinutes) <= MAX_OFFSET_MINUTES;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const shiftedMonth = month > 2 ? month - 3 : month + 9;
  const dayOfYear = Math.floor((153 * shiftedMonth + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/**
 * The date of a day number (days since 1970-01-01), packed as the integer yyyymmdd so the
 * per-row path allocates nothing; only meaningful for years 0-9999. Unpack with
 * {@link packedYear}, {@link packedMonth} and {@link packedDay}.
 */
export function civilFromDays(days: number): number {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return year * 10000 + month * 100 + day;
}

/** Year of a packed yyyymmdd from {@link civilFromDays}. */
export function packedYear(ymd: number): number {
  return Math.floor(ymd / 10000);
}

/** Month of a packed yyyymmdd from {@link civilFromDays}. */
export function packedMonth(ymd: number): number {
  return Math.floor(ymd / 100) % 100;
}

/** Day of a packed yyyymmdd from {@link civilFromDays}. */
export function packedDay(ymd: number): number {
  return ymd % 100;
}

/** The wall-clock time of `p` as if it were UTC, in ms since the epoch; `offsetMinutes` is ignored. */
export function wallClockMs(p: DateTimeParts): number {
  return (
    daysFromCivil(p.year, p.month, p.day) * MS_PER_DAY +
    ((p.hour * 60 + p.minute) * 60 + p.second) * 1000 +
    p.millisecond
  );
}

/** The parts of a wall-clock time in ms since the epoch (the inverse of `wallClockMs`); no offset. */
export function partsOfWallClock(wall: number): DateTimeParts {
  const days = Math.floor(wall / MS_PER_DAY);
  const msOfDay = wall - days * MS_PER_DAY;
  const ymd = civilFromDays(days);
  const seconds = Math.floor(msOfDay / 1000);
  return {
    year: packedYear(ymd),
    month: packedMonth(ymd),
    day: packedDay(ymd),
    hour: Math.floor(seconds / 3600),
    minute: Math.floor(seconds / 60) % 60,
    second: seconds % 60,
    millisecond: msOfDay % 1000,
  };
}

/** Two-digit zero padding for values 0-99. */
export function pad2(n: number): string {
  return n < 10 ? '0' + n : '' + n;
}

/** The value of exactly two ASCII digits at `pos`, or -1. */
export function twoDigits(text: string, pos: number): number {
  const a = text.charCodeAt(pos) - 48;
  const b = text.charCodeAt(pos + 1) - 48;
  // NaN past the end of the text fails these comparisons, which is what we want.
  if (!(a >= 0 && a <= 9 && b >= 0 && b <= 9)) return -1;
  return a * 10 + b;
}
