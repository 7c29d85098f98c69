import { InputError } from '../../errors.js';
import type { InputFile } from '../types.js';
import type { SheetInfo } from './workbook.js';

/** The sheet to read and what the admin should know about the choice. */
export interface SheetChoice {
  readonly sheet: SheetInfo;
  readonly notes: readonly string[];
}

/**
 * Picks the sheet named by `format.sheet`: a name (exact, else ignoring case as Excel does) or a
 * 1-based position in workbook order, hidden sheets counted. Without one, the first worksheet:
 * chart sheets have no cells and are passed over.
 */
export function chooseSheet(file: InputFile, sheets: readonly SheetInfo[], wanted: string | number | undefined): SheetChoice {
  const names = sheets.map((s) => `"${s.name}"`).join(', ');
  const location = { file: file.name };
  if (sheets.length === 0) throw new InputError('E_XLSX_CORRUPT', `${file.name} is a workbook without sheets`, { location });
  let sheet: SheetInfo | undefined;
  const notes: string[] = [];
  if (wanted === undefined) {
    sheet = sheets.find((s) => s.kind === 'worksheet' && s.part !== undefined);
    const first = sheets[0];
    if (sheet !== undefined && first !== undefined && sheet !== first) notes.push(`the first sheet "${first.name}" is not a worksheet; "${sheet.name}", the first worksheet, is read`);
    sheet ??= first;
  } else if (typeof wanted === 'number') {
    sheet = sheets[wanted - 1];
    if (sheet === undefined) {
      throw new InputError('E_XLSX_SHEET', `${file.name} has ${sheets.length} sheet${sheets.length === 1 ? '' : 's'} (${names}); format.sheet ${wanted} is not one of them`, { location });
    }
  } else {
    const folded = wanted.trim().toLowerCase();
    sheet = sheets.find((s) => s.name === wanted) ?? sheets.find((s) => s.name.trim().toLowerCase() === folded);
    if (sheet === undefined) {
      throw new InputError('E_XLSX_SHEET', `${file.name} has no sheet named "${wanted}"; its sheets are ${names}`, { location });
    }
  }
  if (sheet === undefined) throw new InputError('E_XLSX_SHEET', `${file.name} has no sheet to read`, { location });
  if (sheet.kind !== 'worksheet' && sheet.kind !== 'unknown') {
    throw new InputError('E_XLSX_SHEET', `${file.name}: the sheet "${sheet.name}" is a ${sheet.kind.replace('sheet', ' sheet')}, which holds no cells; choose a worksheet with format.sheet (sheets: ${names})`, { location });
  }
  if (sheet.part === undefined) {
    throw new InputError('E_XLSX_CORRUPT', `${file.name}: the part of the sheet "${sheet.name}" is missing from the archive`, { location });
  }
  if (sheet.hidden) notes.push(`the sheet "${sheet.name}" is hidden in Excel; it is read all the same`);
  return { sheet, notes };
}
