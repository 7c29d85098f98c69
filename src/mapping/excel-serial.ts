/**
 * Excel serial dates: a day count with the time of day as the fraction. XLSX cells hold dates
 * this way and CSV exports sometimes leak them, so they are understood without a format.
 */

import { MS_PER_DAY, daysFromCivil, partsOfWallClock, type DateTimeParts } from './date-parts.js';

/** Day number (since 1970-01-01) of serial 0 for serials 61 and up in the 1900 system. */
const EPOCH_1900 = daysFromCivil(1899, 12, 30);
/** Serials 1-59 predate Excel's fictitious 1900-02-29, so they count from one day later. */
const EPOCH_1900_EARLY = daysFromCivil(1899, 12, 31);
const EPOCH_1904 = daysFromCivil(1904, 1, 1);
/** The fictitious 1900-02-29 that Excel kept for Lotus 1-2-3 compatibility. */
const FICTITIOUS_LEAP_DAY = 60;
/** Serial of 9999-12-31 in the 1900 system, the last day Excel (and ISO `yyyy`) can show. */
const MAX_SERIAL_1900 = 2958465;

/**
 * Excel serial day number (the fraction is the time of day) to parts; `date1904` selects the 1904
 * system of old Mac workbooks. 1900 system: 1 = 1900-01-01, 59 = 1900-02-28, 60 = Excel's fictitious
 * 1900-02-29 (undefined), 61 = 1900-03-01, 45000 = 2023-03-15. 1904 system: 0 = 1904-01-01.
 *
 * The time is rounded to the nearest millisecond, then to the nearest second when within 1 ms of
 * it, because binary fractions turn 08:30 into 08:29:59.9999...; a value that rounds up to
 * midnight moves to the next day. Returns undefined for non-finite or negative serials, serial 0
 * and pure times below 1 in the 1900 system (Excel's "1900-01-00"), and days after 9999-12-31.
 */
export function excelSerialToParts(serial: number, date1904 = false): DateTimeParts | undefined {
  if (!Number.isFinite(serial) || serial < 0) return undefined;
  let totalMs = Math.round(serial * MS_PER_DAY);
  const belowSecond = totalMs % 1000;
  if (belowSecond <= 1) totalMs -= belowSecond;
  else if (belowSecond >= 999) totalMs += 1000 - belowSecond;
  const serialDay = Math.floor(totalMs / MS_PER_DAY);
  const msOfDay = totalMs - serialDay * MS_PER_DAY;
  let days: number;
  if (date1904) {
    days = EPOCH_1904 + serialDay;
  } else {
    if (serialDay < 1 || serialDay === FICTITIOUS_LEAP_DAY || serialDay > MAX_SERIAL_1900) return undefined;
    days = (serialDay < FICTITIOUS_LEAP_DAY ? EPOCH_1900_EARLY : EPOCH_1900) + serialDay;
  }
  const parts = partsOfWallClock(days * MS_PER_DAY + msOfDay);
  return parts.year > 9999 ? undefined : parts;
}
