import type { Decimal } from '../../mapping/decimal.js';

/** One cell value handed to a writer; null and undefined are empty cells. */
export type WriterValue = string | number | boolean | Date | Decimal | null | undefined;

/**
 * A file of rows being written to a stream. Await each call before the next one: the promise
 * settles once the stream has room again, which is what keeps memory flat.
 */
export interface TableWriter {
  /** writes one row; values in the order of `columns`; honours backpressure */
  writeRow(values: readonly WriterValue[]): Promise<void>;
  /** finishes the file (closing tags, zip central directory) and ends `out` */
  end(): Promise<void>;
}

/** How a table is written. Options that do not apply to a format are ignored. */
export interface TableWriterOptions {
  /** column names, written as the header row (csv, xlsx), element names (xml) or keys (json) */
  columns: readonly string[];
  /** csv: one character, default `,` */
  delimiter?: string;
  /** csv: utf-8 (default), windows-1252, iso-8859-1, utf-16le, utf-16be or another iconv-lite name */
  encoding?: string;
  /** csv: one character, default `"` */
  quote?: string;
  /** csv: the decimal mark of numbers, default `.`; `,` for ERPs that read decimal commas */
  decimalSeparator?: string;
  /** csv: default CRLF (RFC 4180) */
  lineEnding?: 'CRLF' | 'LF';
  /** csv: start with a byte order mark; default true for UTF-16, false otherwise */
  bom?: boolean;
  /** xlsx: default `Sheet1`; cut to Excel's 31 characters, characters Excel refuses become `_` */
  sheetName?: string;
  /** xlsx: number format of dates at UTC midnight, default `yyyy-mm-dd` */
  dateFormat?: string;
  /** xml: the document element, default `records` */
  rootElement?: string;
  /** xml: the element of one row, default `record`; each column becomes a child element */
  recordElement?: string;
  /**
   * csv and xlsx: string values that a spreadsheet could run as formulas (starting with `=`, `+`,
   * `-`, `@`, tab or CR) are neutralised. Default true. Numbers are never touched.
   */
  neutraliseFormulas?: boolean;
}

/** The formats ferry writes result files and exports in (src/registry.ts `TABLE_WRITERS`). */
export type TableFormat = 'csv' | 'xlsx' | 'xml' | 'json';
