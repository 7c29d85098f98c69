import type { CellValue } from '../types.js';
import { columnLetters, type CellRange } from './cell-ref.js';
import { cellText } from './cell-values.js';

/** What naming the columns needs from the sheet. */
export interface HeaderInput {
  /** the header row's typed cells by column */
  readonly cells: readonly CellValue[];
  /** how many columns the sheet's table has */
  readonly width: number;
  readonly headerRow: number;
  /** merged ranges that cover the header row */
  readonly merges: readonly CellRange[];
  /** by column: the last text above the header row, for merges that start above it */
  readonly above: ReadonlyMap<number, { readonly row: number; readonly text: string }>;
}

/**
 * Column names from the header row. Header cells are text (numbers as Excel shows them in General
 * format, dates as ISO dates). A cell covered by a merged header cell takes the merge's text and,
 * like any repeated header, a number: a header "Address" merged over B1:D1 names the columns
 * "Address", "Address (2)", "Address (3)". Other blank cells are named by their column letter
 * ("C"). Repeated names are numbered as the CSV reader does, never taking a name that another
 * column has. Every renaming is explained in `notes`.
 */
export function headerNames(input: HeaderInput, notes: string[]): string[] {
  const texts: string[] = [];
  for (let i = 0; i < input.width; i++) texts.push(cellText(input.cells[i]).trim());
  const mergedFrom = new Map<number, { text: string; ref: string }>();
  for (const m of input.merges) {
    const ref = `${columnLetters(m.firstColumn)}${m.firstRow}`;
    let text = '';
    if (m.firstRow === input.headerRow) text = texts[m.firstColumn] ?? '';
    else {
      const above = input.above.get(m.firstColumn);
      if (above?.row === m.firstRow) text = above.text;
    }
    if (text === '') continue;
    for (let c = m.firstColumn; c <= m.lastColumn && c < input.width; c++) {
      if (texts[c] === '' && !mergedFrom.has(c)) mergedFrom.set(c, { text, ref });
    }
  }
  const written = new Set(texts.filter((t) => t !== ''));
  const used = new Set<string>();
  return texts.map((text, i) => {
    const letter = columnLetters(i);
    const merged = mergedFrom.get(i);
    let name = text;
    let why: string | undefined;
    if (merged !== undefined) {
      name = merged.text;
      why = `is part of the merged header cell ${merged.ref} "${merged.text}"`;
    } else if (text === '') {
      name = letter;
      why = 'has no header';
    }
    if (used.has(name) || (why !== undefined && merged === undefined && written.has(name))) {
      let k = 2;
      while (used.has(`${name} (${k})`) || written.has(`${name} (${k})`)) k++;
      name = `${name} (${k})`;
      why ??= `repeats the header "${text}"`;
    }
    if (why !== undefined) notes.push(`column ${letter} ${why}; it is named "${name}"`);
    used.add(name);
    return name;
  });
}
