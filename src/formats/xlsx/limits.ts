/**
 * Every bound the XLSX reader enforces, in one place. The defaults are far above what real
 * workbooks need and low enough that a hostile file is refused before it fills memory. Tests pass
 * lower ones to exercise each bound with a small file.
 */
export interface XlsxLimits {
  /** ZIP entries in the archive: real workbooks have tens */
  readonly maxEntries: number;
  /** uncompressed bytes of one ZIP entry */
  readonly maxEntryBytes: number;
  /** uncompressed bytes of all entries together */
  readonly maxTotalBytes: number;
  /** uncompressed ÷ compressed of one entry above this is a zip bomb ... */
  readonly maxRatio: number;
  /** ... for entries that inflate to more than this */
  readonly ratioFloorBytes: number;
  /** entries in the shared-strings table */
  readonly maxSharedStrings: number;
  /** characters in the shared-strings table, all entries together */
  readonly maxSharedStringChars: number;
}

/** The limits ferry runs with. */
export const XLSX_LIMITS: XlsxLimits = {
  maxEntries: 2_000,
  maxEntryBytes: 200 * 1024 * 1024,
  maxTotalBytes: 500 * 1024 * 1024,
  maxRatio: 200,
  ratioFloorBytes: 1024 * 1024,
  maxSharedStrings: 5_000_000,
  maxSharedStringChars: 100 * 1024 * 1024,
};

/** Excel's own limit on the text of one cell, in UTF-16 code units as Excel counts them. */
export const MAX_CELL_CHARS = 32_767;
