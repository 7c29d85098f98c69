/** The export runner's shapes. */

/** What one export run did. */
export interface ExportResult {
  readonly runId: string;
  readonly status: 'completed' | 'failed';
  /** where the file was delivered, or null (failed, or empty with `empty: skip`) */
  readonly file: string | null;
  readonly records: number;
  readonly rejected: number;
  /** the `{since}` the run asked the API for ('' for the first run) */
  readonly since: string;
  readonly error: string | null;
}

/** What fetching pages needs besides the source. */
export interface PageContext {
  /** `{since}` and `{param.name}` values for the URL */
  readonly vars: Readonly<Record<string, string>>;
  readonly headers: () => Promise<Record<string, string>>;
  readonly signal: AbortSignal;
}
