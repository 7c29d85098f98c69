/**
 * ISO 8601 / XML Schema date and date-time text, read without a pattern (XML exports and CSV
 * columns written by other programs mostly use it).
 */

import { twoDigits, type DateTimeParts } from './date-parts.js';
import { scanOffset, scannedOffsetLength, scannedOffsetMinutes } from './offset-text.js';

/**
 * Parses ISO 8601 / `xs:date` / `xs:dateTime` text: `2026-11-23`, `2026-11-23T08:30`,
 * `2026-11-23T08:30:00`, `2026-11-23T08:30:00.5Z`, `2026-11-23T08:30:00+01:00`,
 * `2026-11-23 08:30:00`, and a date with a zone (`2026-11-23+01:00`, `2026-11-23Z`).
 *
 * The year has exactly four digits; `T`, `t` or one space separates date and time; the fraction
 * (after `.` or `,`) may have any number of digits and is truncated to milliseconds; the zone is
 * `Z`, `±HH:MM`, `±HHMM` or `±HH`. Returns undefined for anything else, including surrounding
 * whitespace. Checks syntax only; follow it with `isValidParts` for calendar correctness.
 */
export function parseIsoDateTime(text: string): DateTimeParts | undefined {
  const length = text.length;
  if (length < 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  const century = twoDigits(text, 0);
  const yearOfCentury = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  if (century < 0 || yearOfCentury < 0 || month < 0 || day < 0) return undefined;
  let pos = 10;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let millisecond = 0;
  const separator = text.charCodeAt(pos);
  if (separator === 84 || separator === 116 || separator === 32) {
    hour = twoDigits(text, pos + 1);
    minute = twoDigits(text, pos + 4);
    if (hour < 0 || text.charCodeAt(pos + 3) !== 58 || minute < 0) return undefined;
    pos += 6;
    if (text.charCodeAt(pos) === 58) {
      second = twoDigits(text, pos + 1);
      if (second < 0) return undefined;
      pos += 3;
      const mark = text.charCodeAt(pos);
      if (mark === 46 || mark === 44) {
        const start = ++pos;
        while (pos < length) {
          const digit = text.charCodeAt(pos) - 48;
          if (digit < 0 || digit > 9) break;
          if (pos - start < 3) millisecond = millisecond * 10 + digit;
          pos++;
        }
        const digits = pos - start;
        if (digits === 0) return undefined;
        if (digits === 1) millisecond *= 100;
        else if (digits === 2) millisecond *= 10;
      }
    }
  }
  const year = century * 100 + yearOfCentury;
  if (pos === length) return { year, month, day, hour, minute, second, millisecond };
  const zone = scanOffset(text, pos);
  if (zone < 0 || pos + scannedOffsetLength(zone) !== length) return undefined;
  return { year, month, day, hour, minute, second, millisecond, offsetMinutes: scannedOffsetMinutes(zone) };
}
