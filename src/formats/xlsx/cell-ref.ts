/** Column letters and cell references (`A1`, `XFD1048576`) as they appear in sheet XML. */

/** Excel's last column, XFD: a reference beyond it is not a cell. */
export const MAX_COLUMNS = 16_384;
/** Excel's last row. */
export const MAX_ROWS = 1_048_576;

/** `0` → `A`, `25` → `Z`, `26` → `AA`. */
export function columnLetters(index: number): string {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    const rest = (n - 1) % 26;
    letters = String.fromCharCode(65 + rest) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

/**
 * The 0-based column of a reference such as `C7` or `$C$7`, or -1 when it does not start with
 * column letters or names a column beyond XFD.
 */
export function columnOfRef(ref: string): number {
  let col = 0;
  let i = 0;
  if (ref.charCodeAt(0) === 36) i++;
  for (; i < ref.length; i++) {
    let code = ref.charCodeAt(i);
    if (code >= 97 && code <= 122) code -= 32;
    if (code < 65 || code > 90) break;
    col = col * 26 + (code - 64);
    if (col > MAX_COLUMNS) return -1;
  }
  return col === 0 ? -1 : col - 1;
}

/** The 1-based row of a reference such as `C7`, or -1 when it has none. */
export function rowOfRef(ref: string): number {
  let i = 0;
  while (i < ref.length && !isDigit(ref.charCodeAt(i))) i++;
  if (i === ref.length) return -1;
  const row = Number(ref.slice(i));
  return Number.isInteger(row) && row >= 1 ? row : -1;
}

/** A rectangle of cells, 0-based columns and 1-based rows as a person reads them. */
export interface CellRange {
  readonly firstColumn: number;
  readonly lastColumn: number;
  readonly firstRow: number;
  readonly lastRow: number;
}

/** Parses `B1:D2` (or a single `B1`); undefined when it is not a range of cells. */
export function parseRange(text: string): CellRange | undefined {
  const [from = '', to = from] = text.split(':');
  const c1 = columnOfRef(from);
  const c2 = columnOfRef(to);
  const r1 = rowOfRef(from);
  const r2 = rowOfRef(to);
  if (c1 < 0 || c2 < 0 || r1 < 0 || r2 < 0) return undefined;
  return { firstColumn: Math.min(c1, c2), lastColumn: Math.max(c1, c2), firstRow: Math.min(r1, r2), lastRow: Math.max(r1, r2) };
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
