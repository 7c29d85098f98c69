import type { BatchRow, BatchState, BatchStatus, ChunkRecord, RunRow, RunTotals, ScheduleState } from './types.js';

/** Every state before `done`; a record over the states, so that a new state cannot be forgotten here. */
const UNFINISHED: Readonly<Record<Exclude<BatchState, 'done'>, true>> = {
  claimed: true, staged: true, parsed: true, delivering: true, delivered: true, reported: true,
};

/** The states of an unfinished batch. */
export const UNFINISHED_STATES = Object.keys(UNFINISHED) as readonly Exclude<BatchState, 'done'>[];

/** The ledger's tables; created when missing, so opening a store also sets it up. */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY, profile TEXT NOT NULL, trigger TEXT NOT NULL, status TEXT NOT NULL,
  started_at INTEGER NOT NULL, finished_at INTEGER, params TEXT
);
CREATE TABLE IF NOT EXISTS batches (
  id TEXT PRIMARY KEY, run_id TEXT NOT NULL, profile TEXT NOT NULL, profile_version TEXT NOT NULL,
  file_name TEXT NOT NULL, source_kind TEXT NOT NULL DEFAULT 'local', source_path TEXT NOT NULL, source_size INTEGER NOT NULL, source_mtime_ms INTEGER NOT NULL,
  content_hash TEXT, state TEXT NOT NULL, status TEXT NOT NULL,
  rows_total INTEGER NOT NULL DEFAULT 0, rows_delivered INTEGER NOT NULL DEFAULT 0,
  rows_rejected INTEGER NOT NULL DEFAULT 0, rows_failed INTEGER NOT NULL DEFAULT 0, rows_skipped INTEGER NOT NULL DEFAULT 0, chunks INTEGER NOT NULL DEFAULT 0,
  result_file TEXT, error_code TEXT, error_message TEXT, reprocess_of TEXT,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS batches_listing ON batches (profile, source_path, source_size, source_mtime_ms);
-- batches get their content hash when staged: indexing only those keeps a claim from writing an
-- index entry that staging moves again (two index pages fewer per small file); replaces batches_content
DROP INDEX IF EXISTS batches_content;
CREATE INDEX IF NOT EXISTS batches_known_content ON batches (profile, content_hash) WHERE content_hash IS NOT NULL;
CREATE INDEX IF NOT EXISTS batches_state ON batches (state);
CREATE INDEX IF NOT EXISTS batches_run ON batches (run_id);
CREATE TABLE IF NOT EXISTS profile_versions (
  profile TEXT NOT NULL, content_hash TEXT NOT NULL, version INTEGER NOT NULL, first_seen INTEGER NOT NULL, content TEXT,
  PRIMARY KEY (profile, content_hash)
);
CREATE VIEW IF NOT EXISTS batch_view AS SELECT b.*, (SELECT v.version FROM profile_versions v
  WHERE v.profile = b.profile AND v.content_hash = b.profile_version) AS profile_version_number FROM batches b;
CREATE TABLE IF NOT EXISTS source_health (
  profile TEXT PRIMARY KEY, connection TEXT NOT NULL, state TEXT NOT NULL, last_poll_at INTEGER NOT NULL,
  last_ok_at INTEGER, last_error TEXT, last_error_at INTEGER, waiting INTEGER NOT NULL, pid INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS schedules (
  profile TEXT PRIMARY KEY, expression TEXT NOT NULL, time_zone TEXT NOT NULL, last_due INTEGER NOT NULL,
  next_due INTEGER, updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS profile_problems (
  profile TEXT PRIMARY KEY, problems TEXT NOT NULL, since INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS arrivals (
  profile TEXT PRIMARY KEY, watching_since INTEGER NOT NULL, last_arrival INTEGER, last_warned_for INTEGER, last_missing_for INTEGER
);
CREATE TABLE IF NOT EXISTS alerts (
  id INTEGER PRIMARY KEY AUTOINCREMENT, profile TEXT NOT NULL, kind TEXT NOT NULL, message TEXT NOT NULL,
  batch_id TEXT, at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS watermarks (
  profile TEXT PRIMARY KEY, since TEXT NOT NULL, updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
  batch_id TEXT NOT NULL, seq INTEGER NOT NULL, key TEXT NOT NULL, count INTEGER NOT NULL,
  outcomes TEXT NOT NULL, PRIMARY KEY (batch_id, seq)
);
`;

/** Columns added after the first release, with their definitions: added to older ledgers at open. */
export const ADDED_COLUMNS: readonly { table: string; column: string; definition: string }[] = [
  { table: 'batches', column: 'rows_skipped', definition: 'INTEGER NOT NULL DEFAULT 0' },
  { table: 'profile_versions', column: 'content', definition: 'TEXT' },
  { table: 'runs', column: 'params', definition: 'TEXT' },
  { table: 'batches', column: 'owner', definition: 'TEXT' },
  { table: 'batches', column: 'lease_until', definition: 'INTEGER' },
];

export interface BatchDbRow {
  id: string; run_id: string; profile: string; profile_version: string; file_name: string; source_kind: 'local' | 'remote'; source_path: string;
  source_size: number; source_mtime_ms: number; content_hash: string | null; state: BatchRow['state']; status: BatchStatus;
  rows_total: number; rows_delivered: number; rows_rejected: number; rows_failed: number; rows_skipped: number; chunks: number;
  result_file: string | null; error_code: string | null; error_message: string | null; reprocess_of: string | null;
  created_at: number; updated_at: number; profile_version_number: number | null; owner: string | null; lease_until: number | null;
}

export const COLUMN_OF: Readonly<Record<string, string>> = {
  profileVersion: 'profile_version', fileName: 'file_name', sourcePath: 'source_path', sourceSize: 'source_size',
  sourceMtimeMs: 'source_mtime_ms', contentHash: 'content_hash', state: 'state', status: 'status', rowsTotal: 'rows_total',
  rowsDelivered: 'rows_delivered', rowsRejected: 'rows_rejected', rowsFailed: 'rows_failed', rowsSkipped: 'rows_skipped', chunks: 'chunks',
  resultFile: 'result_file', errorCode: 'error_code', errorMessage: 'error_message',
};

export function toBatch(r: BatchDbRow): BatchRow {
  return {
    id: r.id, runId: r.run_id, profile: r.profile, profileVersion: r.profile_version, fileName: r.file_name,
    sourceKind: r.source_kind, sourcePath: r.source_path, sourceSize: r.source_size, sourceMtimeMs: r.source_mtime_ms, contentHash: r.content_hash,
    state: r.state, status: r.status, rowsTotal: r.rows_total, rowsDelivered: r.rows_delivered, rowsRejected: r.rows_rejected,
    rowsFailed: r.rows_failed, rowsSkipped: r.rows_skipped ?? 0, chunks: r.chunks, resultFile: r.result_file, errorCode: r.error_code, errorMessage: r.error_message,
    reprocessOf: r.reprocess_of, owner: r.owner ?? null, leaseUntil: r.lease_until ?? null, createdAt: r.created_at, updatedAt: r.updated_at, profileVersionNumber: r.profile_version_number,
  };
}

/**
 * The columns of a batch a writing statement returns, in the order of {@link BatchValues}: read
 * as an array, because building a named row object costs more than the rest of a small UPDATE.
 * Written rows only; a read-only store may open an older ledger whose columns are in another
 * order or missing, so reads keep `SELECT *` and {@link toBatch}.
 */
export const BATCH_VALUE_COLUMNS = `id, run_id, profile, profile_version, file_name, source_kind, source_path, source_size, source_mtime_ms, content_hash,
  state, status, rows_total, rows_delivered, rows_rejected, rows_failed, rows_skipped, chunks, result_file, error_code, error_message,
  reprocess_of, owner, lease_until, created_at, updated_at`;

/** A batch as {@link BATCH_VALUE_COLUMNS} and then its profile version's number. */
export type BatchValues = readonly [
  id: string, runId: string, profile: string, profileVersion: string, fileName: string, sourceKind: 'local' | 'remote', sourcePath: string,
  sourceSize: number, sourceMtimeMs: number, contentHash: string | null, state: BatchRow['state'], status: BatchStatus,
  rowsTotal: number, rowsDelivered: number, rowsRejected: number, rowsFailed: number, rowsSkipped: number, chunks: number,
  resultFile: string | null, errorCode: string | null, errorMessage: string | null, reprocessOf: string | null,
  owner: string | null, leaseUntil: number | null, createdAt: number, updatedAt: number, profileVersionNumber: number | null,
];

/** A batch row from the values of {@link BATCH_VALUE_COLUMNS} as a writing statement returns them. */
export function batchFromValues(v: BatchValues): BatchRow {
  const [id, runId, profile, profileVersion, fileName, sourceKind, sourcePath, sourceSize, sourceMtimeMs, contentHash, state, status,
    rowsTotal, rowsDelivered, rowsRejected, rowsFailed, rowsSkipped, chunks, resultFile, errorCode, errorMessage, reprocessOf,
    owner, leaseUntil, createdAt, updatedAt, profileVersionNumber] = v;
  return {
    id, runId, profile, profileVersion, fileName, sourceKind, sourcePath, sourceSize, sourceMtimeMs, contentHash, state, status,
    rowsTotal, rowsDelivered, rowsRejected, rowsFailed, rowsSkipped, chunks, resultFile, errorCode, errorMessage,
    reprocessOf, owner, leaseUntil, createdAt, updatedAt, profileVersionNumber,
  };
}

export interface ChunkDbRow {
  seq: number;
  key: string;
  count: number;
  outcomes: string;
}

/**
 * Outcomes as stored: ids only when the target gave any, errors as {position: message} — a chunk
 * of 1,000 delivered records without ids is a few bytes, not two arrays of 1,000 nulls.
 */
export function packOutcomes(c: ChunkRecord): string {
  const ids = c.ids.some((id) => id !== null) ? c.ids : null;
  const errors: Record<number, string> = {};
  c.errors.forEach((e, i) => {
    if (e !== null) errors[i] = e;
  });
  return JSON.stringify({ ids, errors });
}

export function unpackChunk(r: ChunkDbRow): ChunkRecord {
  const o = JSON.parse(r.outcomes) as { ids: (string | null)[] | null; errors: Record<string, string> };
  const errors = new Array<string | null>(r.count).fill(null);
  for (const [i, e] of Object.entries(o.errors)) errors[Number(i)] = e;
  return { seq: r.seq, key: r.key, count: r.count, ids: o.ids ?? new Array<string | null>(r.count).fill(null), errors };
}


/** A `schedules` row as SQLite returns it. */
export interface ScheduleDbRow {
  profile: string; expression: string; time_zone: string; last_due: number; next_due: number | null; updated_at: number;
}

/** A `schedules` row as the store interface gives it. */
export function toSchedule(r: ScheduleDbRow): ScheduleState {
  return { profile: r.profile, expression: r.expression, timeZone: r.time_zone, lastDue: r.last_due, nextDue: r.next_due, updatedAt: r.updated_at };
}

/** A `runs` row as SQLite returns it. */
export interface RunDbRow {
  id: string; profile: string; trigger: string; status: BatchStatus; started_at: number; finished_at: number | null; params: string | null;
}

/** A `runs` row as the store interface gives it. */
export function toRun(r: RunDbRow): RunRow {
  return {
    id: r.id, profile: r.profile, trigger: r.trigger, status: r.status, startedAt: r.started_at, finishedAt: r.finished_at,
    params: r.params === null ? {} : (JSON.parse(r.params) as Record<string, string>),
  };
}

/** The columns both stores sum for `StateStore.runTotals`, grouped by run. */
export const RUN_TOTALS_COLUMNS = 'run_id, COUNT(*) AS batches, SUM(rows_total) AS rows_total, SUM(rows_delivered) AS rows_delivered, SUM(rows_rejected) AS rows_rejected, SUM(rows_failed) AS rows_failed, SUM(rows_skipped) AS rows_skipped';

/** A row of the runTotals query; PostgreSQL hands its bigint sums over as text. */
export interface RunTotalsDbRow {
  run_id: string;
  batches: number | string;
  rows_total: number | string;
  rows_delivered: number | string;
  rows_rejected: number | string;
  rows_failed: number | string;
  rows_skipped: number | string;
}

/** The totals of each run, by run id. */
export function toRunTotals(rows: readonly RunTotalsDbRow[]): Map<string, RunTotals> {
  return new Map(rows.map((r) => [r.run_id, {
    batches: Number(r.batches), rowsTotal: Number(r.rows_total), rowsDelivered: Number(r.rows_delivered),
    rowsRejected: Number(r.rows_rejected), rowsFailed: Number(r.rows_failed), rowsSkipped: Number(r.rows_skipped),
  }]));
}
