/**
 * Wall-clock minutes and the instants they stand for, under the scheduler's DST policy. Schedules
 * and windows are searched in wall-clock minutes (minutes since 1970-01-01T00:00 local time) and only
 * the matches are mapped to instants, so the search itself never sees a transition.
 */

import { civilFromDays, packedDay, packedMonth, packedYear } from '../mapping/date-parts.js';
import type { TimeZone } from '../mapping/time-zone.js';

/** Minutes in a calendar day. */
export const MINUTES_PER_DAY = 1440;

/** Milliseconds in a minute. */
export const MS_PER_MINUTE = 60_000;

/** The ms of `date`; an invalid Date is a caller's bug, reported as one instead of searched for. */
export function checkedTime(date: Date, name: string): number {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`${name} is an invalid Date`);
  return ms;
}

/** The wall-clock minute `zone` shows at instant `ms` (seconds dropped). */
export function wallMinuteAt(ms: number, zone: TimeZone): number {
  return Math.floor(ms / MS_PER_MINUTE) + zone.offsetAt(ms);
}

/**
 * The instant (ms) at which wall-clock minute `wall` counts as reached in `zone`: the one instant
 * showing it; the first of two in a repeated hour; and in a skipped hour, the end of the gap, which
 * is the first instant the clock shows a later time (so 02:30 on the spring day is 03:00).
 */
export function instantOfWallMinute(wall: number, zone: TimeZone): number {
  const day = Math.floor(wall / MINUTES_PER_DAY);
  const ymd = civilFromDays(day);
  const minuteOfDay = wall - day * MINUTES_PER_DAY;
  const utc = zone.toUtc({
    year: packedYear(ymd),
    month: packedMonth(ymd),
    day: packedDay(ymd),
    hour: Math.floor(minuteOfDay / 60),
    minute: minuteOfDay % 60,
    second: 0,
    millisecond: 0,
  });
  return wallMinuteAt(utc, zone) === wall ? utc : gapEnd(utc, zone);
}

/**
 * The transition instant of the gap that `shifted` was pushed across. `toUtc` moves a time in a gap
 * forward by the gap's length, so the transition lies within one gap length before it.
 */
function gapEnd(shifted: number, zone: TimeZone): number {
  const after = zone.offsetAt(shifted);
  const gap = after - zone.offsetAt(shifted - MINUTES_PER_DAY * MS_PER_MINUTE);
  let hi = Math.floor(shifted / MS_PER_MINUTE);
  if (gap <= 0) return hi * MS_PER_MINUTE;
  let lo = hi - gap;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zone.offsetAt(mid * MS_PER_MINUTE) === after) hi = mid;
    else lo = mid;
  }
  return hi * MS_PER_MINUTE;
}
