import { excelSerialToParts } from '../../mapping/dates.js';

const MS_PER_DAY = 86_400_000;
/** Excel's day zero, shown as "1900-01-00": the day before 1900-01-01 */
const DAY_ZERO = Date.UTC(1899, 11, 31);

/**
 * The instant (UTC) that a date-formatted number shows, or undefined when it shows no real day:
 * serial 60 in the 1900 system (Excel's fictitious 1900-02-29, kept for Lotus 1-2-3), serial 0,
 * negative serials and days after 9999-12-31. A time of day alone (0 < serial < 1 in the 1900
 * system) lies on Excel's day zero, 1899-12-31. Times are rounded as Excel shows them (to the
 * millisecond, and to the second when within a millisecond of it).
 */
export function serialToDate(serial: number, date1904: boolean): Date | undefined {
  const p = excelSerialToParts(serial, date1904);
  if (p !== undefined) return new Date(Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, p.millisecond));
  if (date1904 || !(serial > 0 && serial < 1)) return undefined;
  const t = excelSerialToParts(serial + 1, false);
  return t === undefined ? undefined : new Date(DAY_ZERO + (t.year === 1900 && t.day === 2 ? MS_PER_DAY : 0) + ((t.hour * 60 + t.minute) * 60 + t.second) * 1000 + t.millisecond);
}

const OOXML_ESCAPE = /_x([0-9A-Fa-f]{4})_/g;

/**
 * Undoes the `_xHHHH_` escapes that Excel writes in cell text for characters XML cannot carry
 * (`_x000D_` for a carriage return); `_x005F_` escapes a literal underscore.
 */
export function unescapeCellText(text: string): string {
  return text.indexOf('_x') === -1 ? text : text.replace(OOXML_ESCAPE, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * A `t="d"` cell (ISO 8601 text, written by strict OOXML producers) as a Date; a date and time
 * without an offset is read as UTC, like every other date cell.
 */
export function isoCellToDate(text: string): Date | undefined {
  const m = ISO_DATE.exec(text.trim());
  if (m === null) return undefined;
  const trimmed = text.trim();
  const t = Date.parse(trimmed.includes('T') && m[1] === undefined ? `${trimmed}Z` : trimmed);
  return Number.isNaN(t) ? undefined : new Date(t);
}

/** Header text of a typed cell: numbers as Excel's general format writes them, dates as ISO dates. */
export function cellText(value: string | number | boolean | Date | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace(/\.000Z$/, 'Z');
  }
  return String(value);
}
