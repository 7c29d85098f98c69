/**
 * Month names for the `MMM`/`MMMM` pattern letters. ERP exports are mostly English, German,
 * Norwegian, Spanish or French, so all five are accepted everywhere (no pattern names a language),
 * full names and common abbreviations, with and without accents.
 */

const NAMES_BY_MONTH: readonly (readonly string[])[] = [
  ['january', 'jan', 'januar', 'jänner', 'jän', 'enero', 'ene', 'janvier', 'janv'],
  ['february', 'feb', 'februar', 'febrero', 'février', 'fevrier', 'févr', 'fevr'],
  ['march', 'mar', 'märz', 'maerz', 'marz', 'mär', 'mrz', 'mars', 'marzo'],
  ['april', 'apr', 'abril', 'abr', 'avril', 'avr'],
  ['may', 'mai', 'mayo'],
  ['june', 'jun', 'juni', 'junio', 'juin'],
  ['july', 'jul', 'juli', 'julio', 'juillet', 'juil'],
  ['august', 'aug', 'agosto', 'ago', 'août', 'aout'],
  ['september', 'sep', 'sept', 'septiembre', 'setiembre', 'set', 'septembre'],
  ['october', 'oct', 'oktober', 'okt', 'octubre', 'octobre'],
  ['november', 'nov', 'noviembre', 'novembre'],
  ['december', 'dec', 'dezember', 'dez', 'desember', 'des', 'diciembre', 'dic', 'décembre', 'decembre', 'déc'],
];

interface MonthName {
  readonly name: string;
  readonly month: number;
}

/** Names grouped by their first (lower-case) char code, longest first so `june` wins over `jun`. */
const BY_FIRST_CHAR = new Map<number, MonthName[]>();
for (const [index, names] of NAMES_BY_MONTH.entries()) {
  for (const name of names) {
    const first = name.charCodeAt(0);
    const bucket = BY_FIRST_CHAR.get(first) ?? [];
    bucket.push({ name, month: index + 1 });
    BY_FIRST_CHAR.set(first, bucket);
  }
}
for (const bucket of BY_FIRST_CHAR.values()) bucket.sort((a, b) => b.name.length - a.name.length);

/** Lower-cases ASCII and Latin-1 letters (enough for the names above) without allocating. */
function lower(code: number): number {
  if (code >= 65 && code <= 90) return code + 32;
  if (code >= 0xc0 && code <= 0xde && code !== 0xd7) return code + 32;
  return code;
}

/**
 * Matches a month name at `pos`, case-insensitively. Returns -1 when there is none, otherwise
 * `month + 16 * length` (month 1-12, length in chars).
 */
export function scanMonthName(text: string, pos: number): number {
  const bucket = BY_FIRST_CHAR.get(lower(text.charCodeAt(pos)));
  if (bucket === undefined) return -1;
  for (const { name, month } of bucket) {
    const length = name.length;
    if (pos + length > text.length) continue;
    let i = 1;
    while (i < length && lower(text.charCodeAt(pos + i)) === name.charCodeAt(i)) i++;
    if (i === length) return month + 16 * length;
  }
  return -1;
}
