import { InputError } from '../../errors.js';
import type { InputFile } from '../types.js';
import { parsePart } from './xml-part.js';
import type { ZipArchive, ZipPart } from './zip-archive.js';

/**
 * Built-in number formats that show dates or times: 14–22 (dates and times), 27–36 and 50–58 (East
 * Asian date formats), 45 and 47 (mm:ss). 46, `[h]:mm:ss`, is an elapsed duration, not a point in
 * time, so its cells stay numbers.
 */
const BUILT_IN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

/** far above Excel's own limit of about 64,000 cell formats */
const MAX_CELL_FORMATS = 1_000_000;

/**
 * Whether a number format code shows a date or time: a d, m, y, h or s outside quoted text,
 * escaped characters and brackets (`[Red]`, `[$-409]`). An elapsed-time format (`[h]:mm`) is a
 * duration and counts as a number.
 */
export function isDateFormatCode(code: string): boolean {
  const plain = code.replace(/"[^"]*"/g, '').replace(/[\\_*]./g, '');
  if (/\[(h+|m+|s+)\]/i.test(plain)) return false;
  return /[dmyhs]/i.test(plain.replace(/\[[^\]]*\]/g, ''));
}

/**
 * Reads the styles part: for each cell format (the `s` attribute of a cell is its index), whether
 * its number format is a date format. A workbook without styles has no date cells.
 */
export async function readDateStyles(archive: ZipArchive, file: InputFile, part: ZipPart | undefined): Promise<Uint8Array> {
  if (part === undefined) return new Uint8Array(0);
  const custom = new Map<number, string>();
  const formatIds: number[] = [];
  let inCellXfs = false;
  await parsePart(archive, file, part, {
    open(name, attributes) {
      if (name === 'numFmt') {
        const id = Number(attributes.numFmtId);
        if (Number.isInteger(id)) custom.set(id, attributes.formatCode ?? '');
      } else if (name === 'cellXfs') {
        inCellXfs = true;
      } else if (name === 'xf' && inCellXfs) {
        if (formatIds.length >= MAX_CELL_FORMATS) {
          throw new InputError('E_ARCHIVE_LIMIT', `${file.name} defines more than ${MAX_CELL_FORMATS} cell formats; it is refused`, { location: { file: file.name } });
        }
        formatIds.push(Number(attributes.numFmtId ?? '0'));
      }
    },
    close(name) {
      if (name === 'cellXfs') inCellXfs = false;
    },
  });
  const dates = new Uint8Array(formatIds.length);
  formatIds.forEach((id, i) => {
    const code = custom.get(id);
    dates[i] = (code === undefined ? BUILT_IN_DATE_FORMATS.has(id) : isDateFormatCode(code)) ? 1 : 0;
  });
  return dates;
}
