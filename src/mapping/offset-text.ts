/**
 * Reading and writing UTC offsets (`Z`, `+01`, `+0100`, `+01:00`). The scanner returns one packed
 * integer instead of an object so that parsing a value allocates nothing.
 */

import { pad2, twoDigits } from './date-parts.js';

const OFFSET_BIAS = 24 * 60;

/**
 * Scans a UTC offset starting at `pos`: `Z` (or `z`), `±HH`, `±HHMM` or `±HH:MM` (hours 00-23,
 * minutes 00-59; the ±14:00 limit is checked by `isValidParts`). Returns -1 when there is none, otherwise a
 * packed value to unpack with {@link scannedOffsetMinutes} and {@link scannedOffsetLength}.
 */
export function scanOffset(text: string, pos: number): number {
  const first = text.charCodeAt(pos);
  if (first === 90 || first === 122) return OFFSET_BIAS * 8 + 1; // 'Z' 'z'
  if (first !== 43 && first !== 45) return -1; // '+' '-'
  const hours = twoDigits(text, pos + 1);
  if (hours < 0 || hours > 23) return -1;
  let minutes = 0;
  let length = 3;
  const next = text.charCodeAt(pos + 3);
  if (next === 58) {
    minutes = twoDigits(text, pos + 4);
    if (minutes < 0) return -1;
    length = 6;
  } else if (next >= 48 && next <= 57) {
    minutes = twoDigits(text, pos + 3);
    if (minutes < 0) return -1;
    length = 5;
  }
  if (minutes > 59) return -1;
  const total = hours * 60 + minutes;
  return ((first === 45 ? -total : total) + OFFSET_BIAS) * 8 + length;
}

/** Offset in minutes east of UTC of a packed result of {@link scanOffset}. */
export function scannedOffsetMinutes(packed: number): number {
  return (packed >> 3) - OFFSET_BIAS;
}

/** Number of characters consumed, from a packed result of {@link scanOffset}. */
export function scannedOffsetLength(packed: number): number {
  return packed & 7;
}

/** `±HH:MM` for an offset in minutes; UTC prints as `+00:00`, never `Z`. */
export function formatOffset(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return sign + pad2(Math.floor(abs / 60)) + ':' + pad2(abs % 60);
}
