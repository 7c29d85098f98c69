import type { KeyPath } from '../profiles/types.js';
import type { Decimal } from './decimal.js';

/** A value in a mapped record. Decimals stay exact until they are written as JSON number text. */
export type FieldValue = string | number | boolean | Decimal | null | readonly FieldValue[] | { readonly [key: string]: FieldValue };

/** A mapped record: target field name to value; absent fields are left out. */
export type MappedRecord = Record<string, FieldValue>;

/** Why one field of one row could not be mapped. A value, never an exception. */
export interface RowError {
  /** the target field, or `row` for problems of the whole row */
  readonly field: string;
  /** stable code: required, type, pattern, min, max, length, map, lookup, key, duplicate, expr, group, or a format code such as E_CSV_QUOTE */
  readonly code: string;
  /** a sentence a clerk understands, naming the column and the value */
  readonly message: string;
  /** the source column, when the field reads one */
  readonly column?: string;
}

/** The outcome of mapping one source row. */
export type MapOutcome =
  | { readonly row: number; readonly ok: true; readonly record: MappedRecord; readonly key: string | undefined }
  | { readonly row: number; readonly ok: false; readonly errors: readonly RowError[]; readonly partial?: MappedRecord };

/** A problem found while compiling a profile's mapping, located by key path in the profile. */
export interface MappingIssue {
  readonly path: KeyPath;
  readonly message: string;
}

/** A lookup table: source value to replacement. */
export type LookupTable = ReadonlyMap<string, string | number | boolean | null>;

/**
 * What a file's rows become after filter, split and group: records (each naming the source rows
 * it came from), rejected rows and skipped rows.
 */
export type RowItem =
  | { readonly kind: 'record'; readonly rows: readonly number[]; readonly key: string | undefined; readonly record: MappedRecord }
  | { readonly kind: 'rejected'; readonly row: number; readonly errors: readonly RowError[] }
  | { readonly kind: 'skipped'; readonly row: number; readonly reason: string };
