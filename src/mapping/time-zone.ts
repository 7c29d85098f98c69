/**
 * Time zones for `datetime` fields and zone-less input, backed by Intl (no date library). An
 * Intl lookup costs microseconds, so each zone keeps one formatter and caches offsets per UTC day
 * (per hour on the few days with a transition).
 */

import { MAX_OFFSET_MINUTES, MS_PER_DAY, wallClockMs, type DateTimeParts } from './date-parts.js';
import { formatOffset, scanOffset, scannedOffsetLength, scannedOffsetMinutes } from './offset-text.js';

/** A time zone checked once: an IANA zone, UTC or a fixed offset. */
export interface TimeZone {
  /** The canonical name: `Europe/Oslo`, `UTC` or `+05:30`. */
  readonly name: string;
  /** Offset in minutes east of UTC of this zone at the given UTC instant (ms); whole minutes. */
  offsetAt(utcMs: number): number;
  /**
   * UTC ms for the wall-clock time `p` in this zone (`p.offsetMinutes` is ignored; see
   * {@link toInstant}). DST policy, as java.time and Temporal's "compatible": a wall time in the
   * spring-forward gap is moved forward by the gap length (02:30 in Europe/Berlin on 2026-03-29 ->
   * 03:30+02:00); an ambiguous wall time in the autumn overlap resolves to the earlier instant, the
   * first occurrence with the summer offset (02:30 on 2026-10-25 -> 02:30+02:00).
   */
  toUtc(p: DateTimeParts): number;
}

/** The result of {@link compileTimeZone}. */
export type TimeZoneResult = { ok: true; zone: TimeZone } | { ok: false; message: string };

const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;
/** Bound memory on files spanning centuries: about 130 years of days, 800 transition days. */
const MAX_CACHED_DAYS = 50_000;
const MAX_CACHED_HOURS = 20_000;

class FixedOffsetZone implements TimeZone {
  constructor(
    readonly name: string,
    private readonly minutes: number,
  ) {}

  offsetAt(): number {
    return this.minutes;
  }

  toUtc(p: DateTimeParts): number {
    return wallClockMs(p) - this.minutes * MS_PER_MINUTE;
  }
}

class IanaZone implements TimeZone {
  /** Offset per UTC day number; NaN marks a day with a transition, answered per hour instead. */
  private readonly dayOffsets = new Map<number, number>();
  /** Offset per UTC hour number of transition days; NaN marks the hour of the transition. */
  private readonly hourOffsets = new Map<number, number>();

  constructor(
    readonly name: string,
    private readonly format: Intl.DateTimeFormat,
  ) {}

  offsetAt(utcMs: number): number {
    const day = Math.floor(utcMs / MS_PER_DAY);
    const daily = this.cachedSpan(this.dayOffsets, MAX_CACHED_DAYS, day, MS_PER_DAY);
    if (!Number.isNaN(daily)) return daily;
    const hourly = this.cachedSpan(this.hourOffsets, MAX_CACHED_HOURS, Math.floor(utcMs / MS_PER_HOUR), MS_PER_HOUR);
    return Number.isNaN(hourly) ? this.lookup(utcMs) : hourly;
  }

  /**
   * The offset throughout span `index` of `spanMs` (a day or an hour), or NaN when it changes
   * inside. Equal offsets at both ends mean no change, as zones do not change twice within a day.
   */
  private cachedSpan(cache: Map<number, number>, limit: number, index: number, spanMs: number): number {
    const cached = cache.get(index);
    if (cached !== undefined) return cached;
    const atStart = this.lookup(index * spanMs);
    const atEnd = this.lookup(index * spanMs + spanMs - 1);
    const offset = atStart === atEnd ? atStart : Number.NaN;
    if (cache.size >= limit) cache.clear();
    cache.set(index, offset);
    return offset;
  }

  toUtc(p: DateTimeParts): number {
    const local = wallClockMs(p);
    // Assumes transitions are more than a day apart, as they are in practice.
    const before = this.offsetAt(local - MS_PER_DAY);
    const after = this.offsetAt(local + MS_PER_DAY);
    const withBefore = local - before * MS_PER_MINUTE;
    if (before === after) return withBefore;
    const withAfter = local - after * MS_PER_MINUTE;
    const beforeFits = this.offsetAt(withBefore) === before;
    const afterFits = this.offsetAt(withAfter) === after;
    if (beforeFits && afterFits) return Math.min(withBefore, withAfter);
    if (afterFits) return withAfter;
    // Either the offset before the transition fits, or the wall time is in a gap: keeping the
    // earlier offset there shows the time moved forward by the gap length.
    return withBefore;
  }

  /** Reads "GMT+05:30" (or "GMT-00:44:30", or "GMT") and rounds to whole minutes. */
  private lookup(utcMs: number): number {
    let text = 'GMT';
    for (const part of this.format.formatToParts(utcMs)) {
      if (part.type === 'timeZoneName') text = part.value;
    }
    if (text.length < 9) return 0;
    const sign = text.charCodeAt(3) === 45 || text.charCodeAt(3) === 0x2212 ? -1 : 1;
    const hours = Number(text.slice(4, 6));
    const minutes = Number(text.slice(7, 9));
    const seconds = text.length >= 12 ? Number(text.slice(10, 12)) : 0;
    return sign * Math.round(hours * 60 + minutes + seconds / 60);
  }
}

const zones = new Map<string, TimeZone>();

function fixedOffset(name: string): TimeZoneResult | undefined {
  const found = scanOffset(name, 0);
  if (found < 0 || scannedOffsetLength(found) !== name.length) return undefined;
  const minutes = scannedOffsetMinutes(found);
  if (Math.abs(minutes) > MAX_OFFSET_MINUTES) {
    return { ok: false, message: `time zone offset "${name}" is beyond ±14:00` };
  }
  return { ok: true, zone: new FixedOffsetZone(minutes === 0 ? 'UTC' : formatOffset(minutes), minutes) };
}

function iana(name: string): TimeZoneResult {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'longOffset' });
  } catch {
    return {
      ok: false,
      message: `unknown time zone "${name}": use an IANA name like Europe/Oslo, UTC, or an offset like +01:00`,
    };
  }
  return { ok: true, zone: new IanaZone(format.resolvedOptions().timeZone, format) };
}

/**
 * A time zone checked once: an IANA name (`Europe/Oslo`, any case), `UTC`, `Z`, or a fixed offset
 * (`+01:00`, `+0100`, `+01`, up to ±14:00). Zones are shared, so compiling the same name for many
 * profiles costs one formatter and one offset cache.
 */
export function compileTimeZone(name: string): TimeZoneResult {
  const cached = zones.get(name);
  if (cached !== undefined) return { ok: true, zone: cached };
  if (name.trim() === '') return { ok: false, message: 'time zone is empty' };
  const result: TimeZoneResult =
    name.toUpperCase() === 'UTC'
      ? { ok: true, zone: new FixedOffsetZone('UTC', 0) }
      : (fixedOffset(name) ?? iana(name));
  if (result.ok) zones.set(name, result.zone);
  return result;
}

/** The machine's zone (the default for cron and windows), falling back to UTC if Intl has none. */
export function localTimeZone(): TimeZone {
  const result = compileTimeZone(new Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC');
  return result.ok ? result.zone : new FixedOffsetZone('UTC', 0);
}

/**
 * The UTC instant (ms) of parsed parts: their own offset when the input carried one, otherwise
 * the wall-clock time in `zone` (with its DST policy).
 */
export function toInstant(p: DateTimeParts, zone: TimeZone): number {
  if (p.offsetMinutes === undefined) return zone.toUtc(p);
  return wallClockMs(p) - p.offsetMinutes * MS_PER_MINUTE;
}
