import type { FieldSpec, FieldType } from '../profiles/field-schema.js';
import { compileDatePattern, compileTimeZone, excelSerialToParts, formatIsoDate, formatIsoDateTime, formatIsoDay, formatIsoDateTimeParts, isValidParts, parseIsoDateTime } from './dates.js';
import type { DateTimeParts, TimeZone } from './dates.js';
import { Decimal } from './decimal.js';
import { canonicalText, NOT_A_NUMBER, SCANNED, scannedNumber, scanNumber } from './scan-number.js';
import type { FieldValue } from './types.js';

/** A value that could not be converted; the message completes "<Column> is "<value>", …". */
export class ConversionFailure {
  constructor(readonly message: string) {}
}

/** Converts one present (non-empty) value to the field's type. */
export type Converter = (value: string | number | boolean | Date | Decimal) => FieldValue | ConversionFailure;

const TRUE_WORDS = ['true', 'yes', 'y', '1', 'ja', 'j', 'sí', 'si', 'oui', 'x'];
const FALSE_WORDS = ['false', 'no', 'n', '0', 'nei', 'nein', 'non'];


function decimalConverter(spec: FieldSpec, integer: boolean): Converter {
  const decimalSep = spec.decimalSeparator ?? '.';
  const thousandsSep = spec.thousandsSeparator ?? '';
  const decimalCode = decimalSep.charCodeAt(0);
  const thousandsCode = thousandsSep === '' ? -1 : thousandsSep.charCodeAt(0);
  const describe = integer ? 'a whole number' : `a decimal number${decimalSep === '.' && thousandsSep === '' ? '' : ` (decimal separator "${decimalSep}"${thousandsSep === '' ? '' : `, thousands separator "${thousandsSep}"`})`}`;
  const scale = spec.scale;
  const finish = (d: Decimal): FieldValue | ConversionFailure => {
    if (integer) {
      if (!d.isInteger()) return new ConversionFailure(`not ${describe}`);
      const n = d.toNumber();
      return Number.isSafeInteger(n) ? n : new ConversionFailure('too large for a whole number; use type decimal');
    }
    return scale === undefined ? d : d.round(scale);
  };
  // one per field, reused by every row: scanNumber's answer without an object per cell
  const scanned = scannedNumber();
  return (value) => {
    if (typeof value === 'number') return Number.isFinite(value) ? finish(Decimal.fromNumber(value)) : new ConversionFailure(`not ${describe}`);
    if (value instanceof Decimal) return finish(value);
    if (typeof value !== 'string') return new ConversionFailure(`not ${describe}`);
    const trimmed = value.trim();
    const scan = scanNumber(trimmed, decimalCode, thousandsCode, scanned);
    if (scan === NOT_A_NUMBER) return new ConversionFailure(`not ${describe}`);
    if (scan === SCANNED) {
      if (integer && scanned.scale === 0) return scanned.coefficient;
      return finish(Decimal.ofScaled(scanned.coefficient, scanned.scale));
    }
    // more than 15 digits: a double would round them, so through text into a BigInt coefficient
    const d = Decimal.parse(canonicalText(trimmed, scanned, thousandsCode));
    return d === undefined ? new ConversionFailure(`not ${describe}`) : finish(d);
  };
}

function booleanConverter(spec: FieldSpec): Converter {
  const truthy = new Set([...TRUE_WORDS, ...(spec.trueValues ?? []).map((v) => v.toLowerCase())]);
  const falsy = new Set([...FALSE_WORDS, ...(spec.falseValues ?? []).map((v) => v.toLowerCase())]);
  for (const v of spec.falseValues ?? []) truthy.delete(v.toLowerCase());
  for (const v of spec.trueValues ?? []) falsy.delete(v.toLowerCase());
  const allowed = `${[...truthy].join('/')} or ${[...falsy].join('/')}`;
  return (value) => {
    if (typeof value === 'boolean') return value;
    const text = String(value).trim().toLowerCase();
    if (truthy.has(text)) return true;
    if (falsy.has(text)) return false;
    return new ConversionFailure(`not a yes/no value; allowed: ${allowed}`);
  };
}

type PartsParser = (text: string) => DateTimeParts | undefined;

const EXCEL_SERIAL_RE = /^\d{1,7}(?:\.\d+)?$/;

function datePartsReader(spec: FieldSpec, withTime: boolean): { read: (v: string | number | Date | Decimal) => DateTimeParts | undefined; expected: string } {
  const formats = spec.format === undefined ? [] : Array.isArray(spec.format) ? spec.format : [spec.format];
  const parsers: PartsParser[] = [];
  for (const f of formats) {
    const compiled = compileDatePattern(f);
    if (compiled.ok) parsers.push(compiled.parse);
  }
  const expected = formats.length > 0
    ? `${withTime ? 'a date and time' : 'a date'} in the format ${formats.join(' or ')}`
    : withTime ? 'a date and time such as 2026-11-23T08:30:00' : 'a date such as 2026-11-23';
  const read = (v: string | number | Date | Decimal): DateTimeParts | undefined => {
    if (typeof v === 'number') return excelSerialToParts(v);
    if (v instanceof Decimal) return excelSerialToParts(v.toNumber());
    if (v instanceof Date) {
      const t = v.getTime();
      if (Number.isNaN(t)) return undefined;
      return { year: v.getUTCFullYear(), month: v.getUTCMonth() + 1, day: v.getUTCDate(), hour: v.getUTCHours(), minute: v.getUTCMinutes(), second: v.getUTCSeconds(), millisecond: v.getUTCMilliseconds(), offsetMinutes: 0 };
    }
    const text = v.trim();
    for (const parse of parsers) {
      const p = parse(text);
      if (p !== undefined) return isValidParts(p) ? p : undefined;
    }
    if (parsers.length > 0) return undefined;
    const iso = parseIsoDateTime(text);
    if (iso !== undefined) return isValidParts(iso) ? iso : undefined;
    // CSV exports of spreadsheets leak Excel serial numbers (45000 = 2023-03-15) as text.
    return EXCEL_SERIAL_RE.test(text) ? excelSerialToParts(Number(text)) : undefined;
  };
  return { read, expected };
}

function dateConverter(spec: FieldSpec): Converter {
  const { read, expected } = datePartsReader(spec, false);
  return (value) => {
    if (typeof value === 'boolean') return new ConversionFailure(`not ${expected}`);
    // date expressions (addDays) hand over Dates: their UTC day, without building parts
    if (value instanceof Date) {
      const day = formatIsoDay(value.getTime());
      if (day !== undefined) return day;
    }
    const p = read(value);
    return p === undefined ? new ConversionFailure(`not ${expected}`) : formatIsoDate(p);
  };
}

function datetimeConverter(spec: FieldSpec, zone: TimeZone): Converter {
  const { read, expected } = datePartsReader(spec, true);
  const failure = new ConversionFailure(`not ${expected}`);
  return (value) => {
    if (typeof value === 'boolean') return failure;
    // A Date is an instant already (spreadsheet readers hand them over); show it in the field's zone.
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? failure : inZone(value.getTime(), zone, failure);
    const p = read(value);
    if (p === undefined) return failure;
    // `timezone` is for zone-less input: text that carries its own offset keeps it, as written.
    if (p.offsetMinutes !== undefined) return formatIsoDateTimeParts(p, p.offsetMinutes);
    return inZone(zone.toUtc(p), zone, failure);
  };
}

/** ISO text of an instant in `zone`; a failure when the local year leaves 0001-9999 (9999-12-31T23:00-05:00 in Oslo). */
function inZone(utcMs: number, zone: TimeZone, failure: ConversionFailure): string | ConversionFailure {
  try {
    return formatIsoDateTime(utcMs, zone);
  } catch (e) {
    if (e instanceof RangeError) return failure;
    throw e;
  }
}

function stringConverter(): Converter {
  return (value) => {
    if (typeof value === 'string') return value;
    if (value instanceof Date) return value.toISOString();
    return value.toString();
  };
}

/** The converter for a field's type, or a message when the field's settings cannot be compiled. */
export function compileConverter(spec: FieldSpec): { ok: true; convert: Converter; type: FieldType } | { ok: false; path: string; message: string } {
  const type = spec.type ?? 'string';
  for (const f of spec.format === undefined ? [] : Array.isArray(spec.format) ? spec.format : [spec.format]) {
    const compiled = compileDatePattern(f);
    if (!compiled.ok) return { ok: false, path: 'format', message: `"${f}" is not a date pattern: ${compiled.message}` };
  }
  // The schema compares the two separators only when both are written; "." is also the default.
  if (spec.thousandsSeparator !== undefined && spec.thousandsSeparator === (spec.decimalSeparator ?? '.')) {
    return { ok: false, path: 'thousandsSeparator', message: `"${spec.thousandsSeparator}" is also the decimal separator; set decimalSeparator (e.g. ",") as well` };
  }
  switch (type) {
    case 'integer':
      return { ok: true, type, convert: decimalConverter(spec, true) };
    case 'decimal':
      return { ok: true, type, convert: decimalConverter(spec, false) };
    case 'boolean':
      return { ok: true, type, convert: booleanConverter(spec) };
    case 'date':
      return { ok: true, type, convert: dateConverter(spec) };
    case 'datetime': {
      const zone = compileTimeZone(spec.timezone ?? 'UTC');
      if (!zone.ok) return { ok: false, path: 'timezone', message: zone.message };
      return { ok: true, type, convert: datetimeConverter(spec, zone.zone) };
    }
    default:
      return { ok: true, type, convert: stringConverter() };
  }
}
