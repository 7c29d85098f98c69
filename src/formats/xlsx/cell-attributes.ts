import { columnOfRef, MAX_COLUMNS } from './cell-ref.js';
import type { TagAttributes } from './xml-scanner.js';

/** What a `<c>` tag says about its cell; filled in place, as this runs for every cell. */
export interface CellAttributes {
  /** 0-based column of `r`, or -1 when the cell has no reference (it follows the previous one) */
  column: number;
  /** `t`: `n` (number, the default), `s`, `str`, `inlineStr`, `b`, `e` or `d` */
  type: string;
  /** `s`: the index of the cell's format */
  style: number;
}

/**
 * Reads `r`, `t` and `s` of a cell tag in one pass, without allocating for the usual values; a
 * value this pass does not understand (an entity, unexpected characters) is read the general way.
 */
export function readCellAttributes(attributes: TagAttributes, into: CellAttributes): void {
  const src = attributes.source;
  const end = attributes.attrEnd;
  into.column = -1;
  into.type = 'n';
  into.style = 0;
  let i = attributes.attrStart;
  while (i < end) {
    const c = src.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    const eq = src.indexOf('=', i);
    const q = eq + 1;
    const quote = src.charCodeAt(q);
    if (eq === -1 || eq >= end || (quote !== 34 && quote !== 39)) return readSlowly(attributes, into);
    const close = src.indexOf(quote === 34 ? '"' : "'", q + 1);
    if (close === -1 || close >= end) return readSlowly(attributes, into);
    if (eq === i + 1) {
      const name = src.charCodeAt(i);
      if (name === 114) {
        into.column = columnAt(src, q + 1, close);
        if (into.column === -2) return readSlowly(attributes, into);
      } else if (name === 116) {
        into.type = close === q + 2 && src.charCodeAt(q + 1) === 115 ? 's' : src.slice(q + 1, close);
        if (into.type.includes('&')) return readSlowly(attributes, into);
      } else if (name === 115) {
        into.style = uintAt(src, q + 1, close);
        if (into.style < 0) return readSlowly(attributes, into);
      }
    }
    i = close + 1;
  }
}

/** A row's `r`, or 0 when it has none. */
export function rowNumber(attributes: TagAttributes): number {
  const r = Number(attributes.get('r'));
  return Number.isInteger(r) && r > 0 ? r : 0;
}

function readSlowly(attributes: TagAttributes, into: CellAttributes): void {
  const ref = attributes.get('r');
  into.column = ref === undefined ? -1 : columnOfRef(ref);
  into.type = attributes.get('t') ?? 'n';
  const s = Number(attributes.get('s') ?? '0');
  into.style = Number.isInteger(s) && s >= 0 ? s : 0;
}

/** The 0-based column of the reference in `src[start, end)`; -1 when it has none, -2 when it is not plain letters and digits. */
function columnAt(src: string, start: number, end: number): number {
  let col = 0;
  let i = start;
  for (; i < end; i++) {
    const c = src.charCodeAt(i);
    if (c < 65 || c > 90) break;
    col = col * 26 + (c - 64);
  }
  for (let j = i; j < end; j++) {
    const c = src.charCodeAt(j);
    if (c < 48 || c > 57) return -2;
  }
  return col === 0 || col > MAX_COLUMNS ? -1 : col - 1;
}

/** The unsigned integer in `src[start, end)`, or -1. */
function uintAt(src: string, start: number, end: number): number {
  if (end === start || end - start > 9) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = src.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    n = n * 10 + (c - 48);
  }
  return n;
}
