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

/** One row of a source file. `row` is the number a person sees (CSV: the line where the record starts). */
export interface SourceRow {
  readonly row: number;
  /** cells by column index (tabular formats) */
  readonly cells: readonly string[];
  readonly problem?: RowProblem;
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
export interface RowReader {
  readonly detected: Detected;
  readonly columns: readonly string[];
  readonly stats: ReadStats;
  /** rows the file probably holds (size ÷ average record length of its start), to size tables once */
  readonly estimatedRows?: number;
  /** rows in file order, in batches sized for throughput; problems of single rows travel on the row */
  batches(): AsyncIterable<readonly SourceRow[]>;
}
