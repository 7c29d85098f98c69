/**
 * Dates for field mapping, in one import: parse (`compileDatePattern`, `parseIsoDateTime`,
 * `excelSerialToParts`), validate (`isValidParts`), place in time (`compileTimeZone`, `toInstant`)
 * and write ISO text (`formatIsoDate`, `formatIsoDateTime`, `formatIsoDateTimeParts`).
 *
 * Typical `datetime` path: parse once per value, reject unless `isValidParts`, then either keep the
 * input's own offset with `formatIsoDateTimeParts(p, p.offsetMinutes)` or convert with
 * `formatIsoDateTime(toInstant(p, zone), zone)`.
 */

export { isValidParts, type DateTimeParts } from './date-parts.js';
export { compileDatePattern, type DatePatternResult } from './date-pattern.js';
export { excelSerialToParts } from './excel-serial.js';
export { parseIsoDateTime } from './iso-date-time.js';
export { formatIsoDate, formatIsoDateTime, formatIsoDateTimeParts, formatIsoDay } from './iso-format.js';
export { compileTimeZone, localTimeZone, toInstant, type TimeZone, type TimeZoneResult } from './time-zone.js';
