/**
 * `trigger.window`: the daily hours in which runs may start, such as `22:00-06:00`. Each day's
 * period runs from the instant its start is reached to the instant its end is reached, both mapped
 * as cron fire times are, so windows and schedules agree on DST days.
 */

import { compileTimeZone, localTimeZone, type TimeZone } from '../mapping/time-zone.js';
import type { BatchWindow, BatchWindowResult } from './types.js';
import { MINUTES_PER_DAY, checkedTime, instantOfWallMinute, wallMinuteAt } from './wall-clock.js';

const TIME_RANGE = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/;
/** Days searched for an opening; periods lying wholly in a skipped hour are empty, but only one day a year. */
const OPENING_SEARCH_DAYS = 4;

class DailyWindow implements BatchWindow {
  constructor(
    readonly text: string,
    private readonly zone: TimeZone,
    private readonly start: number,
    private readonly end: number,
  ) {}

  get timeZone(): string {
    return this.zone.name;
  }

  contains(instant: Date): boolean {
    const at = checkedTime(instant, 'instant');
    const day = Math.floor(wallMinuteAt(at, this.zone) / MINUTES_PER_DAY);
    // The period of the day before may still be open (22:00-06:00), and DST can shift an edge
    // across midnight, so the neighbouring days are checked too.
    for (let d = day - 1; d <= day + 1; d++) {
      const [open, close] = this.period(d);
      if (open <= at && at < close) return true;
    }
    return false;
  }

  nextOpening(after: Date): Date {
    const at = checkedTime(after, 'after');
    const day = Math.floor(wallMinuteAt(at, this.zone) / MINUTES_PER_DAY) - 1;
    for (let d = day; d <= day + OPENING_SEARCH_DAYS; d++) {
      const [open, close] = this.period(d);
      if (open > at && close > open) return new Date(open);
    }
    throw new Error(`window "${this.text}" found no opening within ${OPENING_SEARCH_DAYS} days`);
  }

  earliestStart(at: Date): Date {
    return this.contains(at) ? at : this.nextOpening(at);
  }

  /** The instants [open, close) of the period starting on wall-clock day `day`; empty in a gap. */
  private period(day: number): [number, number] {
    const endDay = this.end <= this.start ? day + 1 : day;
    return [
      instantOfWallMinute(day * MINUTES_PER_DAY + this.start, this.zone),
      instantOfWallMinute(endDay * MINUTES_PER_DAY + this.end, this.zone),
    ];
  }
}

function minuteOfDay(hours: string, minutes: string): number | undefined {
  const h = Number(hours);
  const m = Number(minutes);
  return h <= 23 && m <= 59 ? h * 60 + m : undefined;
}

/**
 * Checks a `trigger.window` (`HH:MM-HH:MM`, start inclusive, end exclusive; an end at or before the
 * start crosses midnight) and binds it to a time zone (the machine's zone when absent).
 *
 * DST: the edges are wall-clock times mapped as cron fire times are (see `parseCron`). So
 * `22:00-06:00` in Europe/Oslo is open 7 hours on the night clocks go forward and 9 hours on the
 * night they go back; an edge in the skipped hour moves to the end of the gap (`02:30-05:00` opens
 * at 03:00 that day); an edge in the repeated hour is its first pass (`01:00-02:30` closes at
 * 02:30+02:00 and stays closed through the second pass); and a window lying wholly inside the
 * skipped hour is closed that day.
 */
export function parseWindow(text: string, timezone?: string): BatchWindowResult {
  let zone = localTimeZone();
  if (timezone !== undefined) {
    const compiled = compileTimeZone(timezone);
    if (!compiled.ok) return { ok: false, message: compiled.message };
    zone = compiled.zone;
  }
  const match = TIME_RANGE.exec(text.trim());
  if (match === null) {
    return { ok: false, message: `window "${text}": expected start and end as HH:MM-HH:MM, such as 22:00-06:00` };
  }
  const [, startHours = '', startMinutes = '', endHours = '', endMinutes = ''] = match;
  const start = minuteOfDay(startHours, startMinutes);
  const end = minuteOfDay(endHours, endMinutes);
  if (start === undefined || end === undefined) {
    const bad = start === undefined ? `${startHours}:${startMinutes}` : `${endHours}:${endMinutes}`;
    return { ok: false, message: `window "${text}": ${bad} is not a time of day (00:00-23:59)` };
  }
  if (start === end) {
    return { ok: false, message: `window "${text}" starts and ends at the same time; leave window out to allow runs at any time` };
  }
  return { ok: true, window: new DailyWindow(text, zone, start, end) };
}
