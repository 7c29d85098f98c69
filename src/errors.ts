/**
 * Every stable error code ferry reports, in one place. Codes are part of the user contract: they
 * appear in result files, `ferry preview`, logs and the API, so never rename one.
 *
 * Three kinds: `input` (a bad file or profile: never retried, reported back to the customer),
 * `transient` (network, 5xx, timeouts: retried with backoff) and `internal` (a bug: alerted).
 */
export const ERROR_CODES = {
  // profiles and configuration
  E_PROFILE_INVALID: 'input',
  E_PROFILE_NOT_FOUND: 'input',
  E_SECRET_UNRESOLVED: 'input',
  E_USAGE: 'input',
  // whole-file problems
  E_FILE_NOT_FOUND: 'input',
  E_NOT_TEXT: 'input',
  E_FORMAT_MISMATCH: 'input',
  E_ENCODING: 'input',
  E_CSV_QUOTE: 'input',
  E_CSV_HEADER: 'input',
  E_EMPTY_FILE: 'input',
  E_TOO_MANY_REJECTED: 'input',
  E_GROUP_LIMIT: 'input',
  E_PARAMS: 'input',
  E_UPLOAD_TOO_LARGE: 'input',
  E_EXPORT_SOURCE: 'input',
  E_EXPORT_SOURCE_UNAVAILABLE: 'transient',
  E_XLSX_CORRUPT: 'input',
  E_XLSX_ENCRYPTED: 'input',
  E_XLS_UNSUPPORTED: 'input',
  E_XLSX_SHEET: 'input',
  E_XLSX_HEADER: 'input',
  E_ARCHIVE_LIMIT: 'input',
  E_ARCHIVE_PATH: 'input',
  E_XML_DTD: 'input',
  E_XML_MALFORMED: 'input',
  E_XML_DEPTH: 'input',
  E_XML_RECORD_TOO_LARGE: 'input',
  E_JSON_MALFORMED: 'input',
  E_JSON_DEPTH: 'input',
  E_JSON_RECORD_TOO_LARGE: 'input',
  // delivery
  E_TARGET_UNAVAILABLE: 'transient',
  E_TARGET_TIMEOUT: 'transient',
  E_TARGET_AUTH: 'input',
  E_TARGET_REDIRECT: 'input',
  E_TARGET_REJECTED: 'input',
  E_TARGET_RESPONSE: 'input',
  /** a message the broker returned because no queue is bound for it (AMQP `mandatory`) */
  E_TARGET_UNROUTABLE: 'input',
  // remote file systems
  E_REMOTE_NAME: 'input',
  E_REMOTE_UNAVAILABLE: 'transient',
  E_REMOTE_TIMEOUT: 'transient',
  E_REMOTE_AUTH: 'input',
  E_HOSTKEY_UNKNOWN: 'input',
  E_HOSTKEY_MISMATCH: 'input',
  E_SSH_ALGORITHMS: 'input',
  E_TLS_UNTRUSTED: 'input',
  E_REMOTE_NOT_FOUND: 'input',
  E_REMOTE_RENAME: 'transient',
  E_SIZE_MISMATCH: 'transient',
  // state store and daemon
  E_INSTANCE_LOCKED: 'input',
  E_STORE: 'internal',
  E_BATCH_NOT_FOUND: 'input',
  /** the audit trail's hash chain is broken: a row was changed, removed or inserted outside ferry */
  E_AUDIT_BROKEN: 'internal',
  // infrastructure
  E_IO: 'transient',
  /** the disk (or a file size limit) refused a write: the batch waits and resumes once there is room */
  E_DISK_FULL: 'transient',
  E_INTERNAL: 'internal',
} as const;

/**
 * Codes of problems confined to one row: the row is rejected and listed in the result file, the
 * file goes on. Format codes come from readers, the lower-case ones from field mapping.
 */
export const ROW_ERROR_CODES = [
  'E_CSV_QUOTE', 'E_CSV_COLUMNS', 'E_CSV_NUL', 'E_CSV_RECORD_TOO_LARGE',
  'E_XLSX_ERROR_VALUE', 'E_XLSX_CELL_TOO_LONG', 'E_XLSX_CORRUPT',
  'E_XML_RECORD_TOO_LARGE', 'E_JSON_MALFORMED', 'E_JSON_NOT_OBJECT', 'E_JSON_RECORD_TOO_LARGE',
  'required', 'type', 'pattern', 'min', 'max', 'length', 'map', 'lookup', 'key', 'duplicate', 'expr', 'group',
] as const;

/** A stable error code. */
export type ErrorCode = keyof typeof ERROR_CODES;
/** What the daemon does with an error: report it, retry it, or alert on it. */
export type ErrorKind = 'input' | 'transient' | 'internal';

/** Where in an input file something went wrong; every part is optional because not every format has lines. */
export interface ErrorLocation {
  file?: string;
  line?: number;
  column?: number;
  row?: number;
  field?: string;
  byteOffset?: number;
}

/** Base of every error ferry raises on purpose. The message is never rewritten; context is added by wrapping with `cause`. */
export class FerryError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly location: ErrorLocation | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; location?: ErrorLocation }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FerryError';
    this.code = code;
    this.kind = ERROR_CODES[code];
    this.location = options?.location;
  }
}

/** Bad customer input or a profile that does not fit the file: never retried. */
export class InputError extends FerryError {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; location?: ErrorLocation }) {
    super(code, message, options);
    this.name = 'InputError';
  }
}

/** A failure worth retrying later: network, timeouts, a server that is down. */
export class TransientError extends FerryError {
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(code, message, options);
    this.name = 'TransientError';
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** Normalises anything thrown into an Error without changing its message. */
export function coerceError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(typeof err === 'string' ? err : `non-error thrown: ${String(err)}`);
}

/**
 * True for a write refused for lack of room: ENOSPC, a quota (EDQUOT), a file size limit (EFBIG),
 * or SQLite's SQLITE_FULL for the ledger itself.
 */
export function isDiskFull(err: unknown): boolean {
  const code = err instanceof Error && 'code' in err ? err.code : undefined;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG' || code === 'SQLITE_FULL';
}

/** Describes a location as a person reads it: `orders.csv line 12, column 4`. */
export function describeLocation(loc: ErrorLocation): string {
  const parts: string[] = [];
  if (loc.file !== undefined) parts.push(loc.file);
  if (loc.line !== undefined) parts.push(`line ${loc.line}`);
  else if (loc.row !== undefined) parts.push(`row ${loc.row}`);
  if (loc.column !== undefined) parts.push(`column ${loc.column}`);
  if (loc.byteOffset !== undefined) parts.push(`byte ${loc.byteOffset}`);
  return parts.join(', ');
}
