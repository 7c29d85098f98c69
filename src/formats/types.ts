import type { Decimal } from '../mapping/decimal.js';

/** A value as a format reads it, before mapping converts it. Mapping treats empty text as absent. */
export type RawValue = string | number | boolean | Date | Decimal | undefined | readonly RawValue[] | RawObject;
/** A nested value from XML or JSON; always a null-prototype object. */
export interface RawObject { readonly [key: string]: RawValue }

/** A problem confined to one source row: the row is rejected, the file goes on. */
export interface RowProblem {
  readonly code: string;
  readonly message: string;
  /** 1-based physical line where the problem is, when different from the row's first line */
  readonly line?: number;
  /** 1-based character column in that line */
  readonly column?: number;
}

/** A cell of a tabular format: text from CSV; numbers, booleans and dates too from spreadsheets. */
export type CellValue = string | number | boolean | Date | undefined;

/**
 * One row of a source file. `row` is the number a person sees: the line where a CSV record starts,
 * the sheet row in XLSX, the ordinal (1-based) of the record element in XML or JSON.
 */
export interface SourceRow {
  readonly row: number;
  /** cells by column index (tabular formats; empty for record formats) */
  readonly cells: readonly CellValue[];
  /** the record as a tree (XML, JSON), read through the reader's `resolve` */
  readonly record?: RawObject;
  readonly problem?: RowProblem;
}

/** Reads one `from` path of a row. */
export type Accessor = (row: SourceRow) => RawValue;

/** What mapping needs to find a field's source in the rows of one file. */
export interface RowLayout {
  readonly columns: readonly string[];
  /**
   * Record formats resolve `from` paths themselves (`Item/ID`, `Quantity/@unitCode`); a path that a
   * record lacks reads as absent. Tabular formats leave this out: `from` names a column.
   */
  resolve?(from: string): Accessor;
}

/** What a reader found out about a file, shown by `ferry preview` and recorded with each batch. */
export interface Detected {
  format: string;
  encoding?: string;
  delimiter?: string;
  lineEnding?: 'CRLF' | 'LF' | 'CR';
  header?: boolean;
  columns: string[];
  /** notes for the admin, such as renamed duplicate columns */
  notes?: string[];
  /** spreadsheets: every sheet name in workbook order, hidden ones included */
  sheets?: string[];
  /** spreadsheets: the sheet that was read */
  sheet?: string;
  /** spreadsheets: the sheet row (1-based) that holds the column names */
  headerRow?: number;
  /** spreadsheets: the workbook's date system (1904 in old Mac workbooks) */
  dateSystem?: '1900' | '1904';
  /** xml, json: the path of the repeating element or of the array that was read */
  record?: string;
  /** xml: the root element, as written (with its prefix) */
  root?: string;
  /** xml: namespace declarations seen, prefix to URI ("" is the default namespace) */
  namespaces?: Record<string, string>;
}

/** A local file to read; readers may open it more than once (sniffing, then streaming). */
export interface InputFile {
  /** local path */
  readonly path: string;
  /** the name shown to people, e.g. the remote file name */
  readonly name: string;
}

/** Counts a reader keeps while it reads. */
export interface ReadStats {
  bytes: number;
  lines: number;
  skippedEmpty: number;
}

/** An open file of rows, header already read. */
export interface RowReader extends RowLayout {
  readonly detected: Detected;
  readonly columns: readonly string[];
  readonly stats: ReadStats;
  /** rows the file probably holds (size ÷ average record length of its start), to size tables once */
  readonly estimatedRows?: number;
  /** rows in file order, in batches sized for throughput; problems of single rows travel on the row */
  batches(): AsyncIterable<readonly SourceRow[]>;
}
