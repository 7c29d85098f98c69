import type { FieldSpec, FieldType } from '../profiles/field-schema.js';
import { compileDatePattern, compileTimeZone, excelSerialToParts, formatIsoDate, formatIsoDateTime, isValidParts, parseIsoDateTime } from './dates.js';
import type { DateTimeParts, TimeZone } from './dates.js';
import { Decimal } from './decimal.js';
import type { FieldValue } from './types.js';

/** A value that could not be converted; the message completes "<Column> is "<value>", …". */
export class ConversionFailure {
  constructor(readonly message: string) {}
}

/** Converts one present (non-empty) value to the field's type. */
export type Converter = (value: string | number | boolean | Date | Decimal) => FieldValue | ConversionFailure;

const TRUE_WORDS = ['true', 'yes', 'y', '1', 'ja', 'j', 'sí', 'si', 'oui', 'x'];
const FALSE_WORDS = ['false', 'no', 'n', '0', 'nei', 'nein', 'non'];

function escapeRe(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Builds the number grammar of a field: the given separators, grouping in threes, an optional trailing minus (SAP). */
function numberPattern(decimalSep: string, thousandsSep: string, allowFraction: boolean): RegExp {
  const d = escapeRe(decimalSep);
  const frac = allowFraction ? `(?:${d}\\d*)?` : '';
  const grouped = thousandsSep === '' ? '' : `\\d{1,3}(?:${escapeRe(thousandsSep)}\\d{3})+${frac}|`;
  return new RegExp(`^([+-]?)(?:${grouped}\\d+${frac}|${d}\\d+)(-?)$`);
}

function decimalConverter(spec: FieldSpec, integer: boolean): Converter {
  const decimalSep = spec.decimalSeparator ?? '.';
  const thousandsSep = spec.thousandsSeparator ?? '';
  const grammar = numberPattern(decimalSep, thousandsSep, true);
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
  return (value) => {
    if (typeof value === 'number') return Number.isFinite(value) ? finish(Decimal.fromNumber(value)) : new ConversionFailure(`not ${describe}`);
    if (value instanceof Decimal) return finish(value);
    if (typeof value !== 'string') return new ConversionFailure(`not ${describe}`);
    const text = value.trim();
    const m = grammar.exec(text);
    if (m === null) return new ConversionFailure(`not ${describe}`);
    let body = text;
    if (m[2] === '-') body = `-${body.slice(m[1] === '' ? 0 : 1, -1)}`;
    if (thousandsSep !== '' && body.includes(thousandsSep)) body = body.split(thousandsSep).join('');
    if (decimalSep !== '.') body = body.replace(decimalSep, '.');
    const d = Decimal.parse(body);
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

function datePartsReader(spec: FieldSpec): { read: (v: string | number | Date | Decimal) => DateTimeParts | undefined; expected: string } {
  const formats = spec.format === undefined ? [] : Array.isArray(spec.format) ? spec.format : [spec.format];
  const parsers: PartsParser[] = [];
  for (const f of formats) {
    const compiled = compileDatePattern(f);
    if (compiled.ok) parsers.push(compiled.parse);
  }
  const expected = formats.length === 0 ? 'an ISO date such as 2026-11-23' : `a date in the format ${formats.join(' or ')}`;
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
    return iso !== undefined && isValidParts(iso) ? iso : undefined;
  };
  return { read, expected };
}

function dateConverter(spec: FieldSpec): Converter {
  const { read, expected } = datePartsReader(spec);
  return (value) => {
    if (typeof value === 'boolean') return new ConversionFailure(`not ${expected}`);
    const p = read(value);
    return p === undefined ? new ConversionFailure(`not ${expected}`) : formatIsoDate(p);
  };
}

function datetimeConverter(spec: FieldSpec, zone: TimeZone): Converter {
  const { read, expected } = datePartsReader(spec);
  return (value) => {
    if (typeof value === 'boolean') return new ConversionFailure(`not ${expected.replace('a date', 'a date and time')}`);
    const p = read(value);
    if (p === undefined) return new ConversionFailure(`not ${expected.replace('a date', 'a date and time')}`);
    const utc = p.offsetMinutes === undefined
      ? zone.toUtc(p)
      : Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, p.millisecond) - p.offsetMinutes * 60_000;
    return formatIsoDateTime(utc, zone);
  };
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
