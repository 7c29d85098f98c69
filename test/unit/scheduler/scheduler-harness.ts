import assert from 'node:assert/strict';

import { formatIsoDateTime } from '../../../src/mapping/iso-format.js';
import { compileTimeZone } from '../../../src/mapping/time-zone.js';
import { parseWindow } from '../../../src/scheduler/batch-window.js';
import { parseCron } from '../../../src/scheduler/cron-schedule.js';
import type { BatchWindow, Clock, CronSchedule } from '../../../src/scheduler/types.js';

/** Parses or fails the test with the parse message. */
export function cron(expression: string, timezone: string): CronSchedule {
  const result = parseCron(expression, timezone);
  if (!result.ok) assert.fail(`${expression}: ${result.message}`);
  return result.schedule;
}

/** Parses or fails the test with the parse message. */
export function windowOf(text: string, timezone: string): BatchWindow {
  const result = parseWindow(text, timezone);
  if (!result.ok) assert.fail(`${text}: ${result.message}`);
  return result.window;
}

/** An instant written as ISO text with its offset, as a user reads a log line. */
export function at(text: string): Date {
  const date = new Date(text);
  assert.ok(Number.isFinite(date.getTime()), text);
  return date;
}

/** The instant as ISO text in `timezone`: `2026-03-29T03:00:00+02:00`. */
export function iso(date: Date, timezone: string): string {
  const compiled = compileTimeZone(timezone);
  if (!compiled.ok) assert.fail(compiled.message);
  return formatIsoDateTime(date.getTime(), compiled.zone);
}

/** `count` fire times after `from`, as ISO text in the schedule's zone. */
export function runsAfter(schedule: CronSchedule, from: string, count: number): string[] {
  const runs: string[] = [];
  let after = at(from);
  for (let i = 0; i < count; i++) {
    after = schedule.next(after);
    runs.push(iso(after, schedule.timeZone));
  }
  return runs;
}

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: string) {
    this.current = at(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(to: string): void {
    this.current = at(to).getTime();
  }

  advanceMinutes(minutes: number): void {
    this.current += minutes * 60_000;
  }
}

/** Wall-clock fields as Intl shows them; weekday 0 is Sunday. */
export interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function wallReader(timezone: string): (ms: number) => Wall {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    weekday: 'short',
  });
  return (ms) => {
    const parts = new Map(format.formatToParts(ms).map((p) => [p.type, p.value]));
    return {
      year: Number(parts.get('year')),
      month: Number(parts.get('month')),
      day: Number(parts.get('day')),
      hour: Number(parts.get('hour')),
      minute: Number(parts.get('minute')),
      weekday: WEEKDAYS.indexOf(parts.get('weekday') ?? ''),
    };
  };
}

function wallKey(w: Wall): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) / 60_000;
}

function wallOfKey(key: number): Wall {
  const d = new Date(key * 60_000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    weekday: d.getUTCDay(),
  };
}

/**
 * The DST policy written independently of the scheduler, straight from Intl, minute by minute: an
 * instant fires when some wall-clock minute the clock has not shown before, up to and including the
 * one it shows now, matches. That is "each matching wall time runs once, at the first instant the
 * clock reaches it or passes it".
 */
export function oracleRuns(timezone: string, matches: (w: Wall) => boolean, from: string, to: string): string[] {
  const read = wallReader(timezone);
  const runs: string[] = [];
  const start = at(from).getTime();
  let highest = wallKey(read(start - 60_000));
  for (let ms = start; ms < at(to).getTime(); ms += 60_000) {
    const key = wallKey(read(ms));
    let fires = false;
    for (let k = highest + 1; k <= key && !fires; k++) fires = matches(wallOfKey(k));
    if (fires) runs.push(iso(new Date(ms), timezone));
    highest = Math.max(highest, key);
  }
  return runs;
}

/** The schedule's fire times in [from, to), by chaining `next`. */
export function scheduleRuns(schedule: CronSchedule, from: string, to: string): string[] {
  const runs: string[] = [];
  const end = at(to).getTime();
  for (let t = schedule.next(new Date(at(from).getTime() - 1)); t.getTime() < end; t = schedule.next(t)) {
    runs.push(iso(t, schedule.timeZone));
  }
  return runs;
}
