/**
 * Unicode date patterns (`dd.MM.yyyy`, `M/d/yy h:mm a`) compiled once per profile field into a token
 * list that a char-code scanner walks per value: no regex and no allocation except the result.
 */

import type { DateTimeParts } from './date-parts.js';
import { patternParts } from './date-pattern-parts.js';
import { scanMonthName } from './month-names.js';
import { scanOffset, scannedOffsetLength, scannedOffsetMinutes } from './offset-text.js';

/** The result of {@link compileDatePattern}. */
export type DatePatternResult =
  | { ok: true; parse(text: string): DateTimeParts | undefined }
  | { ok: false; message: string };

const LITERAL = 0;
const YEAR = 1;
const MONTH = 2;
const DAY = 3;
const HOUR24 = 4;
const HOUR12 = 5;
const MINUTE = 6;
const SECOND = 7;
const FRACTION = 8;
const MONTH_NAME = 9;
const AM_PM = 10;
const OFFSET = 11;

interface Token {
  kind: number;
  /** Pattern letter count, for numeric fields. */
  count: number;
  /** Digit bounds for numeric fields; fixed up once neighbours are known. */
  min: number;
  max: number;
  /** Two-digit years go through the pivot (`yy`, and `y` when it read exactly two digits). */
  pivot: boolean;
  /** Literal text. */
  text: string;
  /** Whether a '.' after a month name belongs to the name ("23. nov. 2026"). */
  skipDot: boolean;
}

interface LetterRule {
  kind: number;
  counts: readonly number[];
}

const LETTERS: Readonly<Record<string, LetterRule>> = {
  y: { kind: YEAR, counts: [1, 2, 4] },
  M: { kind: MONTH, counts: [1, 2, 3, 4] },
  d: { kind: DAY, counts: [1, 2] },
  H: { kind: HOUR24, counts: [1, 2] },
  h: { kind: HOUR12, counts: [1, 2] },
  m: { kind: MINUTE, counts: [1, 2] },
  s: { kind: SECOND, counts: [1, 2] },
  S: { kind: FRACTION, counts: [1, 2, 3, 4, 5, 6, 7, 8, 9] },
  a: { kind: AM_PM, counts: [1, 2] },
  X: { kind: OFFSET, counts: [1, 2, 3] },
  x: { kind: OFFSET, counts: [1, 2, 3] },
  Z: { kind: OFFSET, counts: [1, 2, 3, 5] },
};

/** Which fields a pattern sets, to reject duplicates and missing date parts. */
const FIELD_NAMES = ['', 'year (y)', 'month (M)', 'day (d)', 'hour (H/h)', 'hour (H/h)', 'minute (m)',
  'second (s)', 'fraction (S)', 'month (M)', 'AM/PM (a)', 'offset (X/x/Z)'] as const;

function isNumeric(token: Token | undefined): boolean {
  return token !== undefined && token.kind >= YEAR && token.kind <= FRACTION;
}

function newToken(kind: number, count: number, text: string): Token {
  return { kind, count, min: 0, max: 0, pivot: false, text, skipDot: false };
}

/** Splits a pattern into literal and field tokens, or returns an error message (without the pattern). */
function tokenize(pattern: string): Token[] | string {
  const parts = patternParts(pattern);
  if (typeof parts === 'string') return parts;
  const tokens: Token[] = [];
  for (const part of parts) {
    if (part.kind === 'literal') {
      tokens.push(newToken(LITERAL, 0, part.text));
      continue;
    }
    const { letter, count } = part;
    const rule = LETTERS[letter];
    if (rule === undefined) return `unsupported letter '${letter}' (put literal text in quotes, like 'T')`;
    if (!rule.counts.includes(count)) return `unsupported field '${letter.repeat(count)}'`;
    tokens.push(newToken(rule.kind === MONTH && count >= 3 ? MONTH_NAME : rule.kind, count, ''));
  }
  return tokens;
}

/**
 * Sets digit bounds. Fields are lenient (one or two digits, `1.2.2026` for `dd.MM.yyyy`) unless a
 * neighbour is another numeric field: then only the exact width can tell where one ends
 * (`yyyyMMdd`). Single-letter fields stay greedy even there, since they have no width to honour.
 */
function setWidths(tokens: Token[]): void {
  for (const [index, token] of tokens.entries()) {
    const adjacent = isNumeric(tokens[index - 1]) || isNumeric(tokens[index + 1]);
    if (token.kind === YEAR) {
      token.min = token.count === 1 ? 1 : token.count;
      token.max = token.count === 1 ? 4 : token.count;
      token.pivot = token.count !== 4;
    } else if (token.kind === FRACTION) {
      token.min = adjacent ? token.count : 1;
      token.max = adjacent ? token.count : 9;
    } else if (isNumeric(token)) {
      token.min = adjacent && token.count === 2 ? 2 : 1;
      token.max = 2;
    } else if (token.kind === MONTH_NAME) {
      const next = tokens[index + 1];
      token.skipDot = !(next !== undefined && next.kind === LITERAL && next.text.startsWith('.'));
    }
  }
}

/** Reports duplicate fields, missing date parts and a 12-hour clock without AM/PM. */
function checkFields(tokens: readonly Token[]): string | undefined {
  const seen = new Set<string>();
  for (const token of tokens) {
    const name = FIELD_NAMES[token.kind];
    if (name === undefined || name === '') continue;
    if (seen.has(name)) return `the ${name} appears twice`;
    seen.add(name);
  }
  for (const required of ['year (y)', 'month (M)', 'day (d)']) {
    if (!seen.has(required)) return `there is no ${required}`;
  }
  const twelveHour = tokens.some((t) => t.kind === HOUR12);
  if (twelveHour && !seen.has('AM/PM (a)')) return `'h' (hour 1-12) needs 'a' (AM/PM); use 'H' for 0-23`;
  return undefined;
}

/** Matches AM/PM markers (`AM`, `pm`, `a.m.`) at `pos`: -1, or `pm + 2 * length` with pm 0 or 1. */
function scanAmPm(text: string, pos: number): number {
  const first = text.charCodeAt(pos) | 32;
  if (first !== 97 && first !== 112) return -1; // 'a' 'p'
  const pm = first === 112 ? 1 : 0;
  const second = text.charCodeAt(pos + 1);
  if ((second | 32) === 109) return pm + 4; // 'm'
  if (second === 46 && (text.charCodeAt(pos + 2) | 32) === 109 && text.charCodeAt(pos + 3) === 46) return pm + 8;
  return -1;
}

/** Two-digit years: 00-69 are 2000-2069, 70-99 are 1970-1999. */
function pivotYear(twoDigit: number): number {
  return twoDigit < 70 ? 2000 + twoDigit : 1900 + twoDigit;
}

function parseWith(tokens: readonly Token[], text: string): DateTimeParts | undefined {
  const length = text.length;
  let pos = 0;
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let hour12 = -1;
  let pm = 0;
  let minute = 0;
  let second = 0;
  let millisecond = 0;
  let offset = 0;
  let hasOffset = false;
  for (const token of tokens) {
    const kind = token.kind;
    if (kind === LITERAL) {
      if (!text.startsWith(token.text, pos)) return undefined;
      pos += token.text.length;
    } else if (kind === MONTH_NAME) {
      const found = scanMonthName(text, pos);
      if (found < 0) return undefined;
      month = found & 15;
      pos += found >> 4;
      if (token.skipDot && text.charCodeAt(pos) === 46) pos++;
    } else if (kind === AM_PM) {
      const found = scanAmPm(text, pos);
      if (found < 0) return undefined;
      pm = found & 1;
      pos += found >> 1;
    } else if (kind === OFFSET) {
      const found = scanOffset(text, pos);
      if (found < 0) return undefined;
      offset = scannedOffsetMinutes(found);
      pos += scannedOffsetLength(found);
      hasOffset = true;
    } else {
      const stop = Math.min(length, pos + token.max);
      const start = pos;
      let value = 0;
      let lead = 0;
      while (pos < stop) {
        const digit = text.charCodeAt(pos) - 48;
        if (digit < 0 || digit > 9) break;
        value = value * 10 + digit;
        if (pos - start < 3) lead = value;
        pos++;
      }
      const digits = pos - start;
      if (digits < token.min) return undefined;
      if (kind === YEAR) year = token.pivot && digits === 2 ? pivotYear(value) : value;
      else if (kind === MONTH) month = value;
      else if (kind === DAY) day = value;
      else if (kind === HOUR24) hour = value;
      else if (kind === HOUR12) hour12 = value;
      else if (kind === MINUTE) minute = value;
      else if (kind === SECOND) second = value;
      else millisecond = digits === 1 ? lead * 100 : digits === 2 ? lead * 10 : lead;
    }
  }
  if (pos !== length) return undefined;
  if (hour12 >= 0) {
    if (hour12 < 1 || hour12 > 12) return undefined;
    hour = (hour12 % 12) + 12 * pm;
  }
  return hasOffset
    ? { year, month, day, hour, minute, second, millisecond, offsetMinutes: offset }
    : { year, month, day, hour, minute, second, millisecond };
}

/**
 * Compiles a Unicode date pattern once; `parse` then reads one value per call.
 *
 * Letters: `yyyy` (exactly 4 digits), `yy` (exactly 2, pivot 00-69 -> 2000-2069, 70-99 ->
 * 1970-1999), `y` (1-4 digits, the pivot applies when exactly 2 are given); `M`/`MM`; `MMM`/`MMMM`
 * (month names, either form, case-insensitive, English/German/Norwegian/Spanish/French; a '.'
 * right after the name is skipped unless the pattern has one there); `d`/`dd`; `H`/`HH` (0-23);
 * `h`/`hh` (1-12, needs `a`); `a`/`aa` (`AM`/`PM`/`a.m.`/`p.m.`, any case; with `H` it is read and
 * ignored); `m`/`mm`; `s`/`ss`; `S`..`SSSSSSSSS` (fraction of a second, truncated to
 * milliseconds); one to three `X` or `x`, or `Z` to `ZZZ` or five `Z` (an offset: `Z`, `+01`,
 * `+0100` or `+01:00`, whichever is given). Text in single quotes is literal (`'T'`; `''` is a
 * quote) and so is every non-letter character; other letters are an error, as are a repeated
 * field, a missing year, month or day, and `h` without `a`. Error messages do not repeat the
 * pattern, so the caller can name it once.
 *
 * Widths: two-letter fields accept one or two digits unless next to another numeric field
 * (`yyyyMMdd`), where they need exactly two; one-letter fields take up to two digits greedily; a
 * fraction next to a numeric field needs exactly its letter count. Text around the value is not
 * trimmed. `parse` checks syntax only; follow it with `isValidParts` for calendar correctness.
 */
export function compileDatePattern(pattern: string): DatePatternResult {
  const tokens = tokenize(pattern);
  if (typeof tokens === 'string') return { ok: false, message: tokens };
  const problem = checkFields(tokens);
  if (problem !== undefined) return { ok: false, message: problem };
  setWidths(tokens);
  return { ok: true, parse: (text: string) => parseWith(tokens, text) };
}
