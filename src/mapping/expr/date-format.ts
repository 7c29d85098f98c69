/**
 * Date patterns for output (formatDate): the letters a profile's date `format` reads, written back
 * out, plus `E` for the weekday. Compiled once per expression into a list of small writers.
 */
import { patternParts } from '../date-pattern-parts.js';
import { daysFromCivil, pad2, type DateTimeParts } from '../date-parts.js';

/** The result of {@link compileDateFormat}. */
export type DateFormatResult =
  | { ok: true; format(p: DateTimeParts, offsetMinutes: number): string }
  | { ok: false; message: string };

type Writer = (p: DateTimeParts, offsetMinutes: number) => string;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** Weekdays from Thursday, the weekday of 1970-01-01 (day 0). */
const WEEKDAYS = ['Thursday', 'Friday', 'Saturday', 'Sunday', 'Monday', 'Tuesday', 'Wednesday'];

function padded(n: number, width: number): string {
  const text = String(n);
  return text.length >= width ? text : '0'.repeat(width - text.length) + text;
}

function weekday(p: DateTimeParts): string {
  const days = daysFromCivil(p.year, p.month, p.day);
  return WEEKDAYS[((days % 7) + 7) % 7] ?? '';
}

/** `±HH`, `±HHmm` or `±HH:mm`; `short` leaves the minutes out when they are zero (pattern `X`, `x`). */
function offsetText(minutes: number, colon: boolean, short: boolean): string {
  const abs = Math.abs(minutes);
  const hours = (minutes < 0 ? '-' : '+') + pad2(Math.floor(abs / 60));
  const rest = abs % 60;
  if (short && rest === 0) return hours;
  return hours + (colon ? ':' : '') + pad2(rest);
}

function offsetWriter(letter: string, count: number): Writer {
  if (letter === 'Z') {
    if (count === 5) return (_p, o) => (o === 0 ? 'Z' : offsetText(o, true, false));
    return (_p, o) => offsetText(o, false, false);
  }
  const colon = count === 3;
  const short = count === 1;
  if (letter === 'X') return (_p, o) => (o === 0 ? 'Z' : offsetText(o, colon, short));
  return (_p, o) => offsetText(o, colon, short);
}

/** The writer of `count` repetitions of `letter`, or an error message. */
function writerFor(letter: string, count: number): Writer | string {
  const two = count === 2;
  switch (letter) {
    case 'y':
      if (count === 4) return (p) => padded(p.year, 4);
      if (count === 2) return (p) => pad2(p.year % 100);
      if (count === 1) return (p) => String(p.year);
      break;
    case 'M':
      if (count === 4) return (p) => MONTHS[p.month - 1] ?? '';
      if (count === 3) return (p) => (MONTHS[p.month - 1] ?? '').slice(0, 3);
      if (count <= 2) return (p) => (two ? pad2(p.month) : String(p.month));
      break;
    case 'E':
      if (count === 4) return (p) => weekday(p);
      if (count <= 3) return (p) => weekday(p).slice(0, 3);
      break;
    case 'd':
      if (count <= 2) return (p) => (two ? pad2(p.day) : String(p.day));
      break;
    case 'H':
      if (count <= 2) return (p) => (two ? pad2(p.hour) : String(p.hour));
      break;
    case 'h':
      if (count <= 2) return (p) => (two ? pad2(p.hour % 12 || 12) : String(p.hour % 12 || 12));
      break;
    case 'm':
      if (count <= 2) return (p) => (two ? pad2(p.minute) : String(p.minute));
      break;
    case 's':
      if (count <= 2) return (p) => (two ? pad2(p.second) : String(p.second));
      break;
    case 'S':
      if (count <= 9) return (p) => (padded(p.millisecond, 3) + '000000').slice(0, count);
      break;
    case 'a':
      if (count <= 2) return (p) => (p.hour < 12 ? 'AM' : 'PM');
      break;
    case 'X':
    case 'x':
      if (count <= 3) return offsetWriter(letter, count);
      break;
    case 'Z':
      if (count <= 3 || count === 5) return offsetWriter(letter, count);
      break;
    default:
      return `unsupported letter '${letter}' (put literal text in quotes, like 'T')`;
  }
  return `unsupported field '${letter.repeat(count)}'`;
}

/**
 * Compiles an output pattern. Letters as for reading (see `compileDatePattern`): `yyyy`, `yy`, `y`;
 * `M`, `MM`, `MMM` (Nov), `MMMM` (November); `d`, `dd`; `H`, `HH`; `h`, `hh` (1-12); `m`, `mm`;
 * `s`, `ss`; `S`… (fraction digits); `a` (AM/PM); `X`/`x` (`Z` or `+01`, `+0100`, `+01:00`);
 * `Z`…`ZZZ` (`+0100`), `ZZZZZ` (`Z` or `+01:00`); and for output only `E`…`EEE` (Mon), `EEEE`
 * (Monday). Names are English. Quoted text is literal (`''` is a quote), as is every non-letter.
 * No field is required, so `HH:mm` is a pattern.
 */
export function compileDateFormat(pattern: string): DateFormatResult {
  if (pattern === '') return { ok: false, message: 'the pattern is empty' };
  const parts = patternParts(pattern);
  if (typeof parts === 'string') return { ok: false, message: parts };
  const writers: Writer[] = [];
  for (const part of parts) {
    if (part.kind === 'literal') {
      const text = part.text;
      writers.push(() => text);
      continue;
    }
    const writer = writerFor(part.letter, part.count);
    if (typeof writer === 'string') return { ok: false, message: writer };
    writers.push(writer);
  }
  return {
    ok: true,
    format: (p, offsetMinutes) => {
      let out = '';
      for (const write of writers) out += write(p, offsetMinutes);
      return out;
    },
  };
}
