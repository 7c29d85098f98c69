/**
 * Date functions: arithmetic, differences, formatting and parsing. See date-values.ts for how a
 * date value is read and which clock each is counted on; in short, calendar dates are 00:00 UTC
 * and never drift, and an optional time zone argument makes days and months follow that zone's
 * clock across daylight saving changes.
 */
import { compileDatePattern } from '../date-pattern.js';
import { MS_PER_DAY, daysFromCivil, daysInMonth, isValidParts, partsOfWallClock, wallClockMs } from '../date-parts.js';
import type { TimeZone } from '../time-zone.js';
import { prepared } from './constants.js';
import { compileDateFormat } from './date-format.js';
import { MS_PER_MINUTE, fromWall, offsetOf, readDate, toDateValue, wallOf, zoneArgument, type DateArg } from './date-values.js';
import { argAt, eager, literalText, type FunctionSpec } from './function-spec.js';
import { ExpressionError, LIMITS, type ExprValue } from './types.js';
import { isAbsent, toInteger, toText } from './values.js';

/** Counts beyond these leave the years 0001-9999 from anywhere, so they are refused as arguments. */
const MAX_DAYS = 3_700_000;
const MAX_MONTHS = 120_000;
const MAX_HOURS = 88_000_000;
const MAX_MINUTES = 5_300_000_000;

type ZonedImpl = (values: readonly ExprValue[], zone: TimeZone | undefined, column: number) => ExprValue;

/** A function of `count` evaluated arguments and an optional literal time zone after them. */
function zoned(name: string, count: number, impl: ZonedImpl): FunctionSpec {
  return {
    min: count,
    max: count + 1,
    build: (args, nodes, column) => {
      const zone = zoneArgument(nodes, count, name, column);
      const inner = args.slice(0, count);
      const [a, b] = inner;
      if (count === 2 && a !== undefined && b !== undefined) return (s) => impl([a(s), b(s)], zone, column);
      return (s) => impl(inner.map((arg) => arg(s)), zone, column);
    },
  };
}

/** Moves `d` by whole days on its clock: a day is a calendar day, 23 or 25 hours across DST in a zone. */
function addDays(d: DateArg, days: number, zone: TimeZone | undefined, column: number): Date {
  return toDateValue(fromWall(wallOf(d, zone) + days * MS_PER_DAY, d, zone), 'addDays()', column);
}

/** Moves `d` by months on its clock; a day the target month lacks becomes its last (Jan 31 → Feb 28). */
function addMonths(d: DateArg, months: number, zone: TimeZone | undefined, column: number): Date {
  const wall = wallOf(d, zone);
  const p = partsOfWallClock(wall);
  const total = p.year * 12 + (p.month - 1) + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  if (year < 1 || year > 9999) {
    throw new ExpressionError('expr_argument', 'addMonths(): the result is outside the years 0001-9999', column);
  }
  const day = Math.min(p.day, daysInMonth(year, month));
  const timeOfDay = wall - daysFromCivil(p.year, p.month, p.day) * MS_PER_DAY;
  return toDateValue(fromWall(daysFromCivil(year, month, day) * MS_PER_DAY + timeOfDay, d, zone), 'addMonths()', column);
}

type Move = (d: DateArg, n: number, zone: TimeZone | undefined, column: number) => Date;

/**
 * A date function whose second argument is a whole count, with an optional time zone: absent date
 * or count gives null. A constant count (`addDays(d, 30)`) is read once, not per row.
 */
function shift(name: string, max: number, move: Move): FunctionSpec {
  const context = `${name}()`;
  const countContext = `${name}() count`;
  return {
    min: 2,
    max: 3,
    build: (args, nodes, column) => {
      const zone = zoneArgument(nodes, 2, name, column);
      const date = argAt(args, 0);
      const count = argAt(args, 1);
      const fixed = prepared(count, (v) => (isAbsent(v) ? undefined : toInteger(v, countContext, max, column)));
      if (fixed !== undefined) {
        return (s) => {
          const d = readDate(date(s), context, column);
          return d === null ? null : move(d, fixed, zone, column);
        };
      }
      return (s) => {
        const v = date(s);
        const n = count(s);
        const d = readDate(v, context, column);
        if (d === null || isAbsent(n)) return null;
        return move(d, toInteger(n, countContext, max, column), zone, column);
      };
    },
  };
}

/** Elapsed time: `unitMs` per step, whatever the clock says (an hour is always 60 minutes). */
function elapsed(name: string, max: number, unitMs: number): FunctionSpec {
  return eager(2, 2, ([v, count], column) => {
    const d = readDate(v, `${name}()`, column);
    if (d === null || isAbsent(count)) return null;
    return toDateValue(d.ms + toInteger(count, `${name}() count`, max, column) * unitMs, `${name}()`, column);
  });
}

/** Calendar days from `a` to `b`: midnights crossed on each one's clock, so a 23-hour DST day counts as 1. */
const daysBetween: ZonedImpl = ([first, second], zone, column) => {
  const a = readDate(first, 'daysBetween()', column);
  const b = readDate(second, 'daysBetween()', column);
  if (a === null || b === null) return null;
  return Math.floor(wallOf(b, zone) / MS_PER_DAY) - Math.floor(wallOf(a, zone) / MS_PER_DAY);
};

function patternError(name: string, pattern: string, message: string, column: number): ExpressionError {
  return new ExpressionError('expr_pattern', `${name}() pattern "${pattern}" is not a date pattern: ${message} (column ${column})`, column);
}

/** formatDate(d, pattern[, timezone]): the pattern is compiled once, so a bad one fails the profile. */
const formatDate: FunctionSpec = {
  min: 2,
  max: 3,
  build: (args, nodes, column) => {
    const pattern = literalText(nodes, 1, column, 'expr_pattern', 'the pattern of formatDate()', '"dd.MM.yyyy"');
    const compiled = compileDateFormat(pattern);
    if (!compiled.ok) throw patternError('formatDate', pattern, compiled.message, nodes[1]?.column ?? column);
    const format = compiled.format;
    const zone = zoneArgument(nodes, 2, 'formatDate', column);
    const value = argAt(args, 0);
    return (s) => {
      const d = readDate(value(s), 'formatDate()', column);
      if (d === null) return null;
      const offset = offsetOf(d, zone);
      const p = partsOfWallClock(d.ms + offset * MS_PER_MINUTE);
      if (p.year < 1 || p.year > 9999) {
        throw new ExpressionError('expr_argument', 'formatDate(): the date is outside the years 0001-9999 in that time zone', column);
      }
      return format(p, offset);
    };
  },
};

/** Whether a pattern reads a time of day: a time letter outside quoted text. */
function readsTime(pattern: string): boolean {
  let quotedText = false;
  for (const ch of pattern) {
    if (ch === "'") quotedText = !quotedText;
    else if (!quotedText && 'HhmsS'.includes(ch)) return true;
  }
  return false;
}

function preview(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/**
 * parseDate(text, pattern[, timezone]): a pattern without time letters gives a calendar date;
 * with them, text without an offset is read on the zone's clock (UTC without one).
 */
const parseDate: FunctionSpec = {
  min: 2,
  max: 3,
  build: (args, nodes, column) => {
    const pattern = literalText(nodes, 1, column, 'expr_pattern', 'the pattern of parseDate()', '"dd.MM.yyyy"');
    const compiled = compileDatePattern(pattern);
    if (!compiled.ok) throw patternError('parseDate', pattern, compiled.message, nodes[1]?.column ?? column);
    const parse = compiled.parse;
    const calendar = !readsTime(pattern);
    const zone = zoneArgument(nodes, 2, 'parseDate', column);
    const value = argAt(args, 0);
    return (s) => {
      const v = value(s);
      if (isAbsent(v) || v === '') return null;
      if (v instanceof Date) return v;
      const text = toText(v, 'parseDate()', column).trim();
      const p = text.length <= LIMITS.numberText ? parse(text) : undefined;
      if (p === undefined || !isValidParts(p)) {
        throw new ExpressionError('expr_argument', `parseDate() cannot read ${preview(text)} as a date with the pattern ${pattern}`, column);
      }
      if (calendar) return new Date(daysFromCivil(p.year, p.month, p.day) * MS_PER_DAY);
      let ms: number;
      if (p.offsetMinutes !== undefined) ms = wallClockMs(p) - p.offsetMinutes * MS_PER_MINUTE;
      else ms = zone === undefined ? wallClockMs(p) : zone.toUtc(p);
      return toDateValue(ms, 'parseDate()', column);
    };
  },
};

/** date(year, month, day): a calendar date; a day the month lacks is an error, not a rollover. */
const dateFunction: FunctionSpec = eager(3, 3, ([y, m, d], column) => {
  if (isAbsent(y) || isAbsent(m) || isAbsent(d)) return null;
  const year = toInteger(y, 'date() year', 9999, column);
  const month = toInteger(m, 'date() month', 12, column);
  const day = toInteger(d, 'date() day', 31, column);
  if (year < 1 || month < 1 || day < 1 || day > daysInMonth(year, month)) {
    throw new ExpressionError('expr_argument', `date(${year}, ${month}, ${day}) is not a day of the calendar`, column);
  }
  return new Date(daysFromCivil(year, month, day) * MS_PER_DAY);
});

/** Date functions by name. Date results are Dates; calendar dates are 00:00 UTC. */
export const DATE_FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map<string, FunctionSpec>([
  ['addDays', shift('addDays', MAX_DAYS, addDays)],
  ['addMonths', shift('addMonths', MAX_MONTHS, addMonths)],
  ['addHours', elapsed('addHours', MAX_HOURS, 3_600_000)],
  ['addMinutes', elapsed('addMinutes', MAX_MINUTES, MS_PER_MINUTE)],
  ['daysBetween', zoned('daysBetween', 2, daysBetween)],
  ['formatDate', formatDate],
  ['parseDate', parseDate],
  ['date', dateFunction],
]);
