import type { CellValue, InputFile, RowProblem } from '../types.js';
import { readCellAttributes, rowNumber, type CellAttributes } from './cell-attributes.js';
import { columnLetters, MAX_COLUMNS } from './cell-ref.js';
import { isoCellToDate, serialToDate, unescapeCellText } from './cell-values.js';
import { MAX_CELL_CHARS } from './limits.js';
import type { SharedStrings } from './shared-strings.js';
import { createFastPartParser, type PartParser } from './xml-part.js';
import type { TagAttributes } from './xml-scanner.js';
import type { ZipPart } from './zip-archive.js';

/** One row of the sheet as its XML holds it. */
export interface SheetRow {
  /** the sheet row number */
  readonly row: number;
  /** typed values by 0-based column; cells at or beyond the parser's width are left out */
  readonly cells: CellValue[];
  readonly problem?: RowProblem;
  /** the column of the cell the problem is in */
  readonly problemColumn?: number;
  /** no cell holds anything but empty or blank text */
  readonly empty: boolean;
}

/** What cell values need from the rest of the workbook. */
export interface SheetContext {
  readonly strings: SharedStrings;
  /** by cell format index (a cell's `s`): 1 when its number format shows a date */
  readonly dateStyles: Uint8Array;
  readonly date1904: boolean;
}

/**
 * Turns a worksheet's XML into typed rows as it streams: shared and inline strings (rich text runs
 * concatenated, phonetic guides left out), numbers, booleans, date-formatted numbers as Dates,
 * formulas as their cached values. A cell that holds an Excel error, text beyond Excel's 32,767
 * characters or a broken reference makes its row a row problem; the value is left out.
 */
export class SheetParser {
  /** cells at or beyond this column are not kept */
  width = MAX_COLUMNS;
  /** rows completed since the caller last took them */
  rows: SheetRow[] = [];
  /** the last sheet row number seen */
  lastRow = 0;
  /** bytes of sheet XML parsed so far */
  bytes = 0;

  readonly #xml: PartParser;
  readonly #ctx: SheetContext;
  #inData = false;
  #cells: CellValue[] = [];
  #problem: RowProblem | undefined;
  #problemColumn = -1;
  #empty = true;
  #nextColumn = 0;
  // the cell being read
  readonly #attrs: CellAttributes = { column: -1, type: 'n', style: 0 };
  #inCell = false;
  #column = 0;
  #value = '';
  #valueLength = 0;
  #hasValue = false;
  #inline = '';
  #inlineLength = 0;
  #hasInline = false;
  #inV = false;
  #inIs = false;
  #inT = false;
  #phonetic = 0;

  constructor(file: InputFile, part: ZipPart, ctx: SheetContext) {
    this.#ctx = ctx;
    this.#xml = createFastPartParser(file, part, {
      open: (name, attributes) => this.#open(name, attributes),
      close: (name) => this.#close(name),
      text: (text) => this.#text(text),
    });
  }

  write(bytes: Buffer): void {
    this.bytes += bytes.length;
    this.#xml.write(bytes);
  }

  end(): void {
    this.#xml.end();
  }

  #open(name: string, attributes: TagAttributes): void {
    switch (name) {
      case 'c': {
        if (!this.#inData) return;
        readCellAttributes(attributes, this.#attrs);
        this.#column = this.#attrs.column < 0 ? this.#nextColumn : this.#attrs.column;
        this.#inCell = true;
        this.#value = '';
        this.#valueLength = 0;
        this.#hasValue = false;
        this.#inline = '';
        this.#inlineLength = 0;
        this.#hasInline = false;
        return;
      }
      case 'v':
        if (this.#inCell) {
          this.#inV = true;
          this.#hasValue = true;
        }
        return;
      case 'is':
        if (this.#inCell) {
          this.#inIs = true;
          this.#hasInline = true;
        }
        return;
      case 't':
        if (this.#inIs && this.#phonetic === 0) this.#inT = true;
        return;
      case 'rPh':
        this.#phonetic++;
        return;
      case 'row': {
        if (!this.#inData) return;
        const r = rowNumber(attributes);
        this.lastRow = r > 0 ? r : this.lastRow + 1;
        this.#cells = [];
        this.#problem = undefined;
        this.#problemColumn = -1;
        this.#empty = true;
        this.#nextColumn = 0;
        return;
      }
      case 'sheetData':
        this.#inData = true;
        return;
      default:
    }
  }

  #close(name: string): void {
    switch (name) {
      case 'v':
        this.#inV = false;
        return;
      case 't':
        this.#inT = false;
        return;
      case 'is':
        this.#inIs = false;
        return;
      case 'rPh':
        this.#phonetic--;
        return;
      case 'c':
        if (this.#inCell) this.#finishCell();
        return;
      case 'row':
        if (!this.#inData) return;
        this.rows.push(this.#problem === undefined ? { row: this.lastRow, cells: this.#cells, empty: this.#empty } : { row: this.lastRow, cells: this.#cells, problem: this.#problem, problemColumn: this.#problemColumn, empty: false });
        return;
      case 'sheetData':
        this.#inData = false;
        return;
      default:
    }
  }

  #text(text: string): void {
    if (this.#inV) {
      this.#valueLength += text.length;
      if (this.#valueLength <= MAX_CELL_CHARS) this.#value += text;
    } else if (this.#inT) {
      this.#inlineLength += text.length;
      if (this.#inlineLength <= MAX_CELL_CHARS) this.#inline += text;
    }
  }

  #finishCell(): void {
    this.#inCell = false;
    this.#inV = false;
    this.#inIs = false;
    this.#inT = false;
    const column = this.#column;
    this.#nextColumn = column + 1;
    if (column >= this.width) return;
    const value = this.#cellValue(column);
    if (value === undefined) return;
    this.#cells[column] = value;
    if (this.#empty && (typeof value !== 'string' || value.trim().length > 0)) this.#empty = false;
  }

  #cellValue(column: number): CellValue {
    const type = this.#attrs.type;
    if (type === 's') {
      const index = Number(this.#value);
      const text = this.#ctx.strings.strings[index];
      if (text === undefined) return this.#fail(column, 'E_XLSX_CORRUPT', `refers to shared string ${this.#value.trim() || '(none)'}, which the workbook does not have`);
      if (text.length === 0 && this.#ctx.strings.tooLong.has(index)) return this.#fail(column, 'E_XLSX_CELL_TOO_LONG', `holds more than Excel's ${MAX_CELL_CHARS} characters`);
      return text;
    }
    if (type === 'inlineStr' || (this.#hasInline && !this.#hasValue)) {
      if (this.#inlineLength > MAX_CELL_CHARS) return this.#fail(column, 'E_XLSX_CELL_TOO_LONG', `holds ${this.#inlineLength} characters, more than Excel's ${MAX_CELL_CHARS}`);
      return unescapeCellText(this.#inline);
    }
    if (!this.#hasValue) return undefined;
    if (this.#valueLength > MAX_CELL_CHARS) return this.#fail(column, 'E_XLSX_CELL_TOO_LONG', `holds ${this.#valueLength} characters, more than Excel's ${MAX_CELL_CHARS}`);
    const text = this.#value;
    switch (type) {
      case 'n': {
        if (text.length === 0) return undefined;
        const n = Number(text);
        if (!Number.isFinite(n) || text.trim().length === 0) return this.#fail(column, 'E_XLSX_CORRUPT', `holds ${JSON.stringify(text.slice(0, 40))} as a number`);
        if (this.#ctx.dateStyles[this.#attrs.style] === 1) return serialToDate(n, this.#ctx.date1904) ?? n;
        return n;
      }
      case 'str':
        return unescapeCellText(text);
      case 'b':
        if (text === '1' || text === 'true') return true;
        if (text === '0' || text === 'false') return false;
        return this.#fail(column, 'E_XLSX_CORRUPT', `holds ${JSON.stringify(text.slice(0, 40))} as a boolean`);
      case 'e':
        return this.#fail(column, 'E_XLSX_ERROR_VALUE', `holds the Excel error ${text} (a formula that failed); correct the sheet or leave that column out`);
      case 'd':
        return isoCellToDate(text) ?? this.#fail(column, 'E_XLSX_CORRUPT', `holds ${JSON.stringify(text.slice(0, 40))} as a date`);
      default:
        return this.#fail(column, 'E_XLSX_CORRUPT', `has the unknown cell type "${type.slice(0, 20)}"`);
    }
  }

  #fail(column: number, code: string, why: string): undefined {
    if (this.#problem === undefined) {
      this.#problem = { code, message: `cell ${columnLetters(column)}${this.lastRow} ${why}` };
      this.#problemColumn = column;
    }
    return undefined;
  }
}
