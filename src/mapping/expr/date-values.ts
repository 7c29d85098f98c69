/**
 * How date functions read and write date values.
 *
 * A date value is a JS `Date`. A calendar date (a date without a time of day: ISO text
 * `2026-11-23`, `date(2026, 11, 23)`, parseDate with a pattern without time) is held as 00:00 UTC
 * of that day, and every Date at exactly 00:00:00.000 UTC counts as one. Calendar dates are
 * counted in UTC and never shifted by a time zone, so they cannot drift by a day whatever the zone
 * of the machine or the profile. Any other value is an instant.
 *
 * Each value is worked on by a wall clock: calendar dates by UTC; instants by the time zone given
 * to the function, else by the offset their ISO text was written with (`…T08:30:00+01:00`), else
 * UTC. Nothing here reads the machine's time zone.
 */
import { MS_PER_DAY, daysFromCivil, daysInMonth, isValidParts, partsOfWallClock, twoDigits, wallClockMs } from '../date-parts.js';
import { parseIsoDateTime } from '../iso-date-time.js';
import { compileTimeZone, type TimeZone } from '../time-zone.js';
import { literalText } from './function-spec.js';
import { ExpressionError, type ExprValue, type Node } from './types.js';
import { describe, isAbsent } from './values.js';

/** A date argument, read once per call. */
export interface DateArg {
  /** the instant, in ms since 1970-01-01 UTC; 00:00 UTC of the day for a calendar date */
  readonly ms: number;
  /** a date without a time of day, which no time zone shifts */
  readonly calendar: boolean;
  /** minutes east of UTC that the value's text was written with, if any */
  readonly offset: number | undefined;
}

/** Milliseconds in a minute. */
export const MS_PER_MINUTE = 60_000;

/** The instants that years 0001 to 9999 span, the years ISO `yyyy` can write. */
const FIRST_MS = daysFromCivil(1, 1, 1) * MS_PER_DAY;
const LAST_MS = daysFromCivil(10000, 1, 1) * MS_PER_DAY - 1;

/** Longer text is no ISO date; refusing it early keeps error messages short too. */
const MAX_DATE_TEXT = 64;

function preview(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

function isMidnightUtc(ms: number): boolean {
  return ms % MS_PER_DAY === 0;
}

/** Whether ISO text has a time part: the character after `yyyy-MM-dd` is `T`, `t` or a space. */
function hasTime(text: string): boolean {
  const c = text.charCodeAt(10);
  return c === 84 || c === 116 || c === 32;
}

/**
 * The day number (days since 1970-01-01) of `yyyy-MM-dd` text naming a real day of the years
 * 0001-9999, else NaN: what parseIsoDateTime and isValidParts accept of ten characters.
 */
function isoDayNumber(text: string): number {
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return Number.NaN;
  const century = twoDigits(text, 0);
  const yearOfCentury = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  if (century < 0 || yearOfCentury < 0 || month < 1 || month > 12 || day < 1) return Number.NaN;
  const year = century * 100 + yearOfCentury;
  if (year < 1 || day > daysInMonth(year, month)) return Number.NaN;
  return daysFromCivil(year, month, day);
}

/**
 * Reads a date argument: a Date, or ISO 8601 text as date fields hold it (`2026-11-23`,
 * `2026-11-23T08:30:00+01:00`; text without an offset is UTC). Absent and empty text give null,
 * so absent inputs propagate. Other text and other kinds are an `expr_type` error.
 */
export function readDate(v: ExprValue, context: string, column: number): DateArg | null {
  if (isAbsent(v) || v === '') return null;
  if (v instanceof Date) {
    const ms = v.getTime();
    if (Number.isNaN(ms)) throw new ExpressionError('expr_type', `${context}: invalid date`, column);
    return { ms, calendar: isMidnightUtc(ms), offset: undefined };
  }
  if (typeof v !== 'string') throw new ExpressionError('expr_type', `${context} needs a date, got ${describe(v)}`, column);
  const text = v.trim();
  // a date field's own form (2026-11-23): read without building parts
  if (text.length === 10) {
    const day = isoDayNumber(text);
    if (day === day) return { ms: day * MS_PER_DAY, calendar: true, offset: undefined };
  }
  const p = text.length <= MAX_DATE_TEXT ? parseIsoDateTime(text) : undefined;
  if (p === undefined || !isValidParts(p)) {
    throw new ExpressionError(
      'expr_type',
      `${context} cannot read ${preview(v)} as a date; dates are written like 2026-11-23 or 2026-11-23T08:30:00+01:00 (use parseDate(text, "dd.MM.yyyy") for other forms)`,
      column,
    );
  }
  if (!hasTime(text)) return { ms: daysFromCivil(p.year, p.month, p.day) * MS_PER_DAY, calendar: true, offset: undefined };
  const offset = p.offsetMinutes;
  return { ms: wallClockMs(p) - (offset ?? 0) * MS_PER_MINUTE, calendar: false, offset };
}

/** A Date for `ms`; an `expr_argument` error when it falls outside the years 0001-9999. */
export function toDateValue(ms: number, context: string, column: number): Date {
  if (!Number.isFinite(ms) || ms < FIRST_MS || ms > LAST_MS) {
    throw new ExpressionError('expr_argument', `${context}: the result is outside the years 0001-9999`, column);
  }
  return new Date(ms);
}


/** Minutes east of UTC of the clock `d` is read by (see the module comment). */
export function offsetOf(d: DateArg, zone: TimeZone | undefined): number {
  if (d.calendar) return 0;
  if (zone !== undefined) return zone.offsetAt(d.ms);
  return d.offset ?? 0;
}

/** The wall-clock time of `d` on its clock, as ms since the epoch as if that clock were UTC. */
export function wallOf(d: DateArg, zone: TimeZone | undefined): number {
  return d.ms + offsetOf(d, zone) * MS_PER_MINUTE;
}

/**
 * The instant of a wall-clock time on the clock of `d`. In a zone, a time in the spring-forward
 * gap moves forward by the gap, and one in the autumn overlap takes the earlier instant.
 */
export function fromWall(wall: number, d: DateArg, zone: TimeZone | undefined): number {
  if (d.calendar) return wall;
  if (zone !== undefined) {
    // Out of range walls would confuse the zone's offset cache; report them as out of range.
    if (!Number.isFinite(wall) || wall < FIRST_MS || wall > LAST_MS) return Number.NaN;
    return zone.toUtc(partsOfWallClock(wall));
  }
  return wall - (d.offset ?? 0) * MS_PER_MINUTE;
}

/**
 * The time zone of optional argument `i`: checked once at compile time, so it must be quoted
 * text (`"Europe/Oslo"`, `"UTC"`, `"+01:00"`).
 */
export function zoneArgument(nodes: readonly Node[], i: number, name: string, column: number): TimeZone | undefined {
  if (nodes.length <= i) return undefined;
  const text = literalText(nodes, i, column, 'expr_timezone', `the time zone of ${name}()`, '"Europe/Oslo"');
  const compiled = compileTimeZone(text);
  if (compiled.ok) return compiled.zone;
  const at = nodes[i]?.column ?? column;
  throw new ExpressionError('expr_timezone', `${name}(): ${compiled.message} (column ${at})`, at);
}
