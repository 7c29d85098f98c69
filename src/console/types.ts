/**
 * The admin API's answers as the console reads them (docs/admin-api.md is the contract). Only the
 * parts the console shows are typed; the daemon may send more.
 */

/** A problem of a profile text: dotted key path, YAML line (1 when unknown) and message. */
export interface Problem {
  readonly path: string;
  readonly line: number;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

/** A declared run parameter. */
export interface ParamSpec {
  readonly type?: 'string' | 'integer' | 'decimal' | 'boolean' | 'date';
  readonly required?: boolean;
  readonly default?: string | number | boolean;
  readonly description?: string;
}

/** One profile in the list. */
export interface ProfileSummary {
  readonly id: string;
  readonly kind: 'import' | 'export';
  readonly description: string | null;
  readonly valid: boolean;
  readonly problems: readonly Problem[];
  readonly version: number | null;
  readonly source: { readonly type: string; readonly connection: string | null; readonly dir: string | null } | null;
  readonly target: { readonly type: string; readonly url: string | null } | null;
  readonly trigger: Record<string, unknown> | null;
  readonly params: Record<string, ParamSpec>;
}

/** One profile with its text. */
export interface ProfileDetail extends ProfileSummary {
  readonly text: string;
  readonly contentHash: string;
}

/** A version of a profile: one per distinct text (who and when are null for a text first seen on disk). */
export interface Version {
  readonly version: number;
  readonly contentHash: string;
  readonly savedBy: string | null;
  readonly savedAt: string | null;
  readonly firstSeen?: string;
  readonly note: string | null;
  readonly current: boolean;
}

/** One save of a profile (through the API, a rollback, or an edit seen on disk). */
export interface Save {
  readonly version: number;
  readonly contentHash: string;
  readonly savedBy: string;
  readonly savedAt: string;
  readonly note: string | null;
}

/** The answer to a save or rollback. */
export interface SaveAnswer {
  readonly id: string;
  readonly version: number;
  readonly contentHash: string;
  readonly created: boolean;
  readonly unchanged: boolean;
  readonly warnings: readonly Problem[];
}

/** An uploaded sample file and what was detected in it. */
export interface Sample {
  readonly sample: string;
  readonly name: string;
  readonly size: number;
  readonly detected: {
    readonly format: 'csv' | 'xlsx' | 'xml' | 'json' | 'ndjson';
    readonly encoding?: string;
    readonly delimiter?: string;
    readonly sheet?: string;
    readonly sheets?: readonly string[];
    readonly record?: string;
    readonly columns: readonly string[];
  };
  /** the daemon's guess per column */
  readonly fields?: readonly ColumnGuess[];
  readonly rows: readonly Record<string, string>[];
  readonly profile: string;
}

/** What the daemon guessed about a sample's column. */
export interface ColumnGuess {
  readonly column: string;
  readonly type: string;
  readonly format?: string;
  readonly decimalSeparator?: string;
  readonly thousandsSeparator?: string;
  readonly leadingZeros?: boolean;
  readonly emptyShare: number;
  readonly examples: readonly string[];
}

/** What a profile makes of a sample. */
export interface Preview {
  readonly records: readonly { readonly row: number; readonly record: Record<string, unknown> }[];
  readonly rejected: readonly { readonly row: number; readonly errors: readonly { readonly field: string; readonly code: string; readonly message: string }[] }[];
  readonly skipped?: readonly { readonly row: number; readonly reason: string }[];
  readonly requests: readonly { readonly method: string; readonly url: string; readonly body: unknown }[];
  readonly detected: Record<string, unknown>;
}

/** Row counts of a run or batch. */
export interface Rows {
  readonly total: number;
  readonly delivered: number;
  readonly rejected: number;
  readonly failed: number;
  readonly skipped: number;
}

/** The statuses of runs and batches. */
export const STATUSES = ['running', 'completed', 'partial', 'failed', 'skipped'] as const;
export type Status = (typeof STATUSES)[number];

/** One run. */
export interface Run {
  readonly id: string;
  readonly profile: string;
  readonly trigger: string;
  readonly status: Status;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly params: Record<string, string>;
  readonly batches: number;
  readonly rows: Rows;
}

/** One batch (one source file). */
export interface Batch {
  readonly id: string;
  readonly run: string;
  readonly profile: string;
  readonly file: string;
  readonly status: Status;
  readonly state: string;
  readonly rows: Rows;
  readonly resultFile: string | null;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly profileVersion: number | null;
  readonly reprocessOf: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A row of a batch that was not delivered, and why. */
export interface RowProblem {
  readonly row: number;
  readonly status: 'rejected' | 'failed' | 'skipped';
  readonly key: string | null;
  readonly error: string;
}

/** A source's last poll and error. */
export interface SourceHealth {
  readonly profile: string;
  readonly connection: string;
  readonly state: 'ok' | 'down';
  readonly lastPollAt: string;
  readonly lastOkAt: string | null;
  readonly lastError: string | null;
  readonly lastErrorAt: string | null;
  readonly waiting: number;
}

/** A connection's state, as the daemon's connection pools report it. */
export interface ConnectionHealth {
  readonly label?: string;
  readonly name?: string;
  readonly type?: string;
  readonly state?: string;
  readonly lastError?: string | null;
  readonly lastErrorAt?: string | number | null;
  readonly lastOkAt?: string | number | null;
}

/** One minute (or five) of delivery statistics. */
export interface Bucket {
  readonly at: string;
  readonly rowsDelivered: number;
  readonly rowsRejected: number;
  readonly rowsFailed: number;
  readonly batches: number;
  readonly errorRate: number;
  readonly latencyMs: number | null;
}
