import { InputError } from '../../errors.js';
import type { Detected, InputFile, ReadStats, RowReader, SourceRow } from '../types.js';
import { type CellRange } from './cell-ref.js';
import { cellText } from './cell-values.js';
import { assertZipWorkbook } from './file-kind.js';
import { headerNames } from './header.js';
import { XLSX_LIMITS, type XlsxLimits } from './limits.js';
import { scanMerges } from './merge-scan.js';
import { readSharedStrings } from './shared-strings.js';
import { chooseSheet } from './sheet-choice.js';
import { SheetParser, type SheetRow } from './sheet-parser.js';
import { readDateStyles } from './styles.js';
import { readWorkbook } from './workbook.js';
import { openZipArchive, type ZipArchive, type ZipPart } from './zip-archive.js';

/** XLSX settings from a profile's `format` block. */
export interface XlsxOptions {
  /** a sheet name, or its 1-based position in workbook order; default: the first worksheet */
  sheet?: string | number;
  /** the sheet row with the column names (default 1); rows above it are skipped */
  headerRow?: number;
}

/** rows per batch, and rows read ahead while opening to see how wide the table is */
const BATCH_ROWS = 1000;
/** header text kept from rows above the header row, for merged cells that start there */
const MAX_ABOVE_TEXT = 1000;

/**
 * Opens an XLSX workbook: refuses what is not one (old `.xls`, encrypted, HTML or CSV under an
 * `.xlsx` name, damaged archives) and hostile archives, reads the workbook's sheet list, date
 * system, styles and shared strings, finds the header row of the chosen sheet and names its
 * columns, then streams the rows below it in batches. `row` is the sheet row number; empty rows
 * (blank cells only, or absent from the sheet) are skipped and counted. Memory stays bounded by
 * the shared-strings table and one batch, whatever the sheet's `<dimension>` claims.
 */
export async function openXlsxReader(file: InputFile, options: XlsxOptions, limits: XlsxLimits = XLSX_LIMITS): Promise<RowReader> {
  await assertZipWorkbook(file);
  const archive = await openZipArchive(file, limits);
  try {
    return await openSheet(file, options, archive, limits);
  } catch (err) {
    archive.close();
    throw err;
  }
}

async function openSheet(file: InputFile, options: XlsxOptions, archive: ZipArchive, limits: XlsxLimits): Promise<RowReader> {
  const workbook = await readWorkbook(archive, file);
  const { sheet, notes: sheetNotes } = chooseSheet(file, workbook.sheets, options.sheet);
  const part = sheet.part;
  if (part === undefined) throw new InputError('E_XLSX_CORRUPT', `${file.name}: the sheet "${sheet.name}" has no part`);
  const dateStyles = await readDateStyles(archive, file, workbook.styles);
  const strings = await readSharedStrings(archive, file, workbook.sharedStrings, limits);
  const parser = new SheetParser(file, part, { strings, dateStyles, date1904: workbook.date1904 });
  const source = sheetRows(archive, part, parser);
  const headerRow = options.headerRow ?? 1;
  const where = `sheet "${sheet.name}" of ${file.name}`;
  const location = { file: file.name, row: headerRow };

  let header: SheetRow | undefined;
  let pending: SheetRow[] = [];
  let firstWithText: number | undefined;
  let done = false;
  const above = new Map<number, { row: number; text: string }>();
  try {
    while (header === undefined) {
      const next = await source.next();
      if (next.done === true) {
        done = true;
        break;
      }
      const rows = next.value;
      let i = 0;
      for (; i < rows.length; i++) {
        const r = rows[i];
        if (r === undefined || r.row >= headerRow) break;
        if (!r.empty) firstWithText ??= r.row;
        r.cells.forEach((v, col) => {
          const text = cellText(v).trim();
          if (text !== '') above.set(col, { row: r.row, text: text.slice(0, MAX_ABOVE_TEXT) });
        });
      }
      const first = rows[i];
      if (first === undefined) continue;
      if (first.row === headerRow) {
        header = first;
        pending = rows.slice(i + 1);
      } else {
        header = { row: headerRow, cells: [], empty: true };
        pending = rows.slice(i);
      }
      if (!first.empty) firstWithText ??= first.row;
    }
    if (header === undefined || header.empty) {
      if (firstWithText === undefined && pending.length === 0) throw new InputError('E_EMPTY_FILE', `the ${where} is empty`, { location: { file: file.name } });
      const hint = firstWithText === undefined ? '' : ` (the first row with text is row ${firstWithText})`;
      throw new InputError('E_XLSX_HEADER', `row ${headerRow} of the ${where} is empty; set format.headerRow to the row with the column names${hint}`, { location });
    }
    while (!done && pending.length < BATCH_ROWS) {
      const next = await source.next();
      if (next.done === true) done = true;
      else pending.push(...next.value);
    }

    const notes = [...sheetNotes];
    if (header.problem !== undefined) notes.push(`the header row: ${header.problem.message}; that column is named by its letter`);
    let width = lastFilled(header) + 1;
    for (const r of pending) width = Math.max(width, lastFilled(r) + 1);
    let merges: CellRange[] = [];
    if (hasBlank(header, width)) {
      merges = await scanMerges(archive.read(part), (m) => m.firstRow <= headerRow && m.lastRow >= headerRow);
    }
    const columns = headerNames({ cells: header.cells, width, headerRow, merges, above }, notes);
    parser.width = width;
    // problems of cells right of the table, found while its width was unknown, are not the rows' problems
    pending = pending.map((r) => (r.problemColumn !== undefined && r.problemColumn >= width ? { row: r.row, cells: r.cells, empty: lastFilled(r) < 0 } : r));
    const detected: Detected = {
      format: 'xlsx',
      header: true,
      columns,
      sheets: workbook.sheets.map((s) => s.name),
      sheet: sheet.name,
      headerRow,
      dateSystem: workbook.date1904 ? '1904' : '1900',
      ...(notes.length > 0 ? { notes } : {}),
    };
    return createReader(detected, parser, source, pending, done, part, headerRow, archive);
  } catch (err) {
    await source.return(undefined);
    throw err;
  }
}

function createReader(detected: Detected, parser: SheetParser, source: AsyncGenerator<SheetRow[]>, first: SheetRow[], done: boolean, part: ZipPart, headerRow: number, archive: ZipArchive): RowReader {
  const stats: ReadStats = { bytes: parser.bytes, lines: parser.lastRow, skippedEmpty: 0 };
  let previous = headerRow;
  const finish = (rows: readonly SheetRow[]): SourceRow[] => {
    const out: SourceRow[] = [];
    for (const r of rows) {
      if (r.row > previous + 1) stats.skippedEmpty += r.row - previous - 1;
      previous = r.row;
      if (r.empty) stats.skippedEmpty++;
      else out.push(r);
    }
    stats.bytes = parser.bytes;
    stats.lines = parser.lastRow;
    return out;
  };
  // sized from the rows seen so far and the part's size, never from the <dimension> the sheet claims
  const estimatedRows = done ? first.filter((r) => !r.empty).length : parser.bytes > 0 ? Math.ceil((part.uncompressedSize / parser.bytes) * (parser.lastRow - headerRow) * 1.05) : undefined;
  return {
    detected,
    columns: detected.columns,
    stats,
    ...(estimatedRows === undefined ? {} : { estimatedRows }),
    async *batches() {
      // closes the archive also when the caller stops early (break, a thrown error, too many rejects)
      try {
        let batch = finish(first);
        first = [];
        for (;;) {
          if (batch.length >= BATCH_ROWS) {
            yield batch;
            batch = [];
          }
          const next = await source.next();
          if (next.done === true) break;
          for (const r of finish(next.value)) batch.push(r);
        }
        if (batch.length > 0) yield batch;
      } finally {
        await source.return(undefined);
        archive.close();
      }
    },
  };
}

/** The sheet's rows as its XML streams in, one array per inflated chunk. */
async function* sheetRows(archive: ZipArchive, part: ZipPart, parser: SheetParser): AsyncGenerator<SheetRow[]> {
  for await (const chunk of archive.read(part)) {
    parser.write(chunk);
    if (parser.rows.length > 0) {
      const rows = parser.rows;
      parser.rows = [];
      yield rows;
    }
  }
  parser.end();
  if (parser.rows.length > 0) yield parser.rows;
  parser.rows = [];
}

/** The last column with something in it, or -1. */
function lastFilled(row: SheetRow): number {
  const cells = row.cells;
  for (let i = cells.length - 1; i >= 0; i--) {
    const v = cells[i];
    if (v !== undefined && (typeof v !== 'string' || v.trim() !== '')) return i;
  }
  return -1;
}

function hasBlank(header: SheetRow, width: number): boolean {
  for (let i = 0; i < width; i++) if (cellText(header.cells[i]).trim() === '') return true;
  return false;
}
