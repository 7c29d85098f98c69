/**
 * `trigger.cron`: fire times of a cron expression in a time zone. The search runs over wall-clock
 * minutes, where every day has 1440 of them, and maps only the matches to instants, so the DST
 * policy lives in one place ({@link instantOfWallMinute}) and `next` and `previous` share it.
 */

import { civilFromDays, daysInMonth, packedDay, packedMonth, packedYear } from '../mapping/date-parts.js';
import { compileTimeZone, localTimeZone, type TimeZone } from '../mapping/time-zone.js';
import { parseCronFields, type CronFields } from './cron-fields.js';
import type { CronSchedule, CronScheduleResult } from './types.js';
import { MINUTES_PER_DAY, MS_PER_MINUTE, checkedTime, instantOfWallMinute } from './wall-clock.js';

const MS_PER_DAY = MINUTES_PER_DAY * MS_PER_MINUTE;
/** `0 0 29 2 *` is the rarest expression that fires: eight years apart around 2100. */
const SEARCH_DAYS = 9 * 366;

class CompiledCron implements CronSchedule {
  /** The minutes of a matching day that match, ascending (h * 60 + m). */
  private readonly dayMinutes: readonly number[];

  constructor(
    readonly expression: string,
    private readonly zone: TimeZone,
    private readonly fields: CronFields,
  ) {
    const minutes: number[] = [];
    for (let hour = 0; hour < 24; hour++) {
      if (!fields.hours[hour]) continue;
      for (let minute = 0; minute < 60; minute++) if (fields.minutes[minute]) minutes.push(hour * 60 + minute);
    }
    this.dayMinutes = minutes;
  }

  get timeZone(): string {
    return this.zone.name;
  }

  next(after: Date): Date {
    const limit = checkedTime(after, 'after');
    // Start low enough for the earliest wall time that can follow: the smaller of the offsets.
    const offset = Math.min(this.zone.offsetAt(limit), this.zone.offsetAt(limit + MS_PER_DAY));
    let wall = Math.floor(limit / MS_PER_MINUTE) + offset;
    for (;;) {
      wall = this.nextWallMatch(wall);
      const instant = instantOfWallMinute(wall, this.zone);
      // Wall times before `limit`'s are passed over here: the first pass of a repeated hour.
      if (instant > limit) return new Date(instant);
      wall++;
    }
  }

  previous(atOrBefore: Date): Date {
    const limit = checkedTime(atOrBefore, 'atOrBefore');
    // Start high enough that a first pass of a repeated hour, later on the wall clock than the
    // second pass `limit` is in, is still found.
    const offset = Math.max(this.zone.offsetAt(limit), this.zone.offsetAt(limit - MS_PER_DAY));
    let wall = Math.floor(limit / MS_PER_MINUTE) + offset;
    for (;;) {
      wall = this.previousWallMatch(wall);
      const instant = instantOfWallMinute(wall, this.zone);
      if (instant <= limit) return new Date(instant);
      wall--;
    }
  }

  dueSince(lastRun: Date, now: Date): Date | undefined {
    const last = checkedTime(lastRun, 'lastRun');
    const latest = this.previous(now);
    return latest.getTime() > last ? latest : undefined;
  }

  private dayMatches(day: number): boolean {
    const ymd = civilFromDays(day);
    const month = packedMonth(ymd);
    if (!this.fields.months[month]) return false;
    const dayOfMonth = packedDay(ymd);
    const byDay =
      this.fields.days[dayOfMonth] === true ||
      (this.fields.lastDay && dayOfMonth === daysInMonth(packedYear(ymd), month));
    // 1970-01-01, day 0, was a Thursday.
    const byWeekday = this.fields.weekdays[(((day + 4) % 7) + 7) % 7] === true;
    if (this.fields.daysRestricted && this.fields.weekdaysRestricted) return byDay || byWeekday;
    return byDay && byWeekday;
  }

  /** The first matching wall-clock minute at or after `wall`. */
  private nextWallMatch(wall: number): number {
    let day = Math.floor(wall / MINUTES_PER_DAY);
    let from = wall - day * MINUTES_PER_DAY;
    for (let searched = 0; searched <= SEARCH_DAYS; searched++, day++, from = 0) {
      if (!this.dayMatches(day)) continue;
      const minute = this.dayMinutes.find((m) => m >= from);
      if (minute !== undefined) return day * MINUTES_PER_DAY + minute;
    }
    throw new Error(`cron "${this.expression}" found no fire time within ${SEARCH_DAYS} days`);
  }

  /** The last matching wall-clock minute at or before `wall`. */
  private previousWallMatch(wall: number): number {
    let day = Math.floor(wall / MINUTES_PER_DAY);
    let upTo = wall - day * MINUTES_PER_DAY;
    for (let searched = 0; searched <= SEARCH_DAYS; searched++, day--, upTo = MINUTES_PER_DAY - 1) {
      if (!this.dayMatches(day)) continue;
      const minute = this.dayMinutes.findLast((m) => m <= upTo);
      if (minute !== undefined) return day * MINUTES_PER_DAY + minute;
    }
    throw new Error(`cron "${this.expression}" found no fire time within ${SEARCH_DAYS} days`);
  }
}

/**
 * Checks a `trigger.cron` expression and binds it to a time zone (an IANA name, `UTC` or a fixed
 * offset such as `+01:00`; the machine's zone when absent). See `parseCronFields` for the syntax.
 * On failure the message names the field and the text that is wrong, e.g.
 * `minute field "61": 61 is out of range 0-59`.
 *
 * DST policy. Fire times are wall-clock times in the zone, and every wall-clock time the
 * expression names runs exactly once:
 * - A time in the hour skipped when clocks go forward runs once, at the end of the gap: on
 *   2026-03-29 in Europe/Oslo, `30 2 * * *` runs at 03:00+02:00. Several skipped times collapse
 *   into that one run (`*\/15 * * * *` runs at 01:45+01:00, then 03:00+02:00, 03:15 ...).
 * - A time in the hour repeated when clocks go back runs once, in its first pass: on 2026-10-25,
 *   `30 2 * * *` runs at 02:30+02:00 only, and `0 * * * *` runs at 02:00+02:00 and next at
 *   03:00+01:00, two real hours later. Interval expressions therefore pause for the second pass
 *   instead of running twice (unlike Vixie cron).
 * - `previous` and `dueSince` see the same fire times as `next`, so a made-up run is one that
 *   `next` would have produced.
 */
export function parseCron(expression: string, timezone?: string): CronScheduleResult {
  let zone = localTimeZone();
  if (timezone !== undefined) {
    const compiled = compileTimeZone(timezone);
    if (!compiled.ok) return { ok: false, message: compiled.message };
    zone = compiled.zone;
  }
  const parsed = parseCronFields(expression);
  if (!parsed.ok) return { ok: false, message: parsed.message };
  return { ok: true, schedule: new CompiledCron(expression, zone, parsed.fields) };
}
