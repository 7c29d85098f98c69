import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import type Database from 'better-sqlite3';

import { acquireInstanceLock, type InstanceLock } from './instance-lock.js';
import { DEFAULT_LEASE_MS, newInstanceId } from './instance-id.js';
import { SqliteLeases } from './sqlite-leases.js';
import { openSqliteLedger } from './sqlite-open.js';
import { SqliteSideStore } from './sqlite-side-store.js';
import { BATCH_VALUE_COLUMNS, type BatchDbRow, batchFromValues, type BatchValues, type ChunkDbRow, COLUMN_OF, RUN_TOTALS_COLUMNS, type RunDbRow, type RunTotalsDbRow, toRun, toRunTotals, packOutcomes, toBatch, unpackChunk, UNFINISHED_STATES } from './sqlite-rows.js';
import type { BatchPatch, BatchRow, BatchStatus, ChunkRecord, ContentDecision, EarlierBatch, NewBatch, NewNotification, InstanceInfo, RunRow, RunTotals, ScheduleState, StateStore } from './types.js';

/** Every state but `done`, as an SQL list. */
const UNFINISHED = UNFINISHED_STATES.map((state) => `'${state}'`).join(', ');

/** See {@link SqliteStore.findEarlierContent}: a processed batch first, then an unfinished one, each the earliest. */
const EARLIER_CONTENT = `SELECT * FROM batch_view WHERE profile = ? AND content_hash = ? AND id != ? AND (status IN ('completed', 'partial')
  OR (state IN (${UNFINISHED}) AND reprocess_of IS NULL AND status NOT IN ('skipped', 'failed') AND error_code IS NULL))
  ORDER BY status NOT IN ('completed', 'partial'), created_at LIMIT 1`;

/** A written batch as batch_view shows it: the row and the profile version's number the view adds. */
const RETURNING_BATCH = `RETURNING ${BATCH_VALUE_COLUMNS}, (SELECT v.version FROM profile_versions v
  WHERE v.profile = batches.profile AND v.content_hash = batches.profile_version) AS profile_version_number`;

const INSERT_COLUMNS = `INSERT INTO batches (id, run_id, profile, profile_version, file_name, source_kind, source_path, source_size, source_mtime_ms, content_hash, state, status, reprocess_of, owner, lease_until, created_at, updated_at)`;
const INSERT_VALUES = `?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'claimed', 'running', ?, ?, ?, ?, ?`;
const INSERT_BATCH = `${INSERT_COLUMNS} VALUES (${INSERT_VALUES}) ${RETURNING_BATCH}`;
/** The insert of a file not claimed before: an earlier batch of the same listing (not a reprocess) means no row. */
const CLAIM_BATCH = `${INSERT_COLUMNS} SELECT ${INSERT_VALUES} WHERE NOT EXISTS (SELECT 1 FROM batches
  WHERE profile = ? AND source_path = ? AND source_size = ? AND source_mtime_ms = ? AND reprocess_of IS NULL) ${RETURNING_BATCH}`;

/**
 * The embedded state store: one SQLite file in WAL mode. `synchronous = NORMAL` makes every commit
 * survive a killed process (the promise ferry makes); only a power loss can lose the last commits,
 * which `FERRY_SQLITE_SYNC=full` closes at the cost of an fsync per commit.
 */
export class SqliteStore extends SqliteSideStore implements StateStore {
  private readonly leases: SqliteLeases;
  private readonly updates = new Map<string, Database.Statement>();
  readonly instanceId: string;

  private constructor(db: Database.Database, private readonly lock: InstanceLock | undefined, lease: { instanceId: string; leaseMs: number }) {
    super(db);
    this.instanceId = lease.instanceId;
    this.leases = new SqliteLeases(db, (sql) => this.stmt(sql), lease.instanceId, lease.leaseMs);
  }

  /**
   * Opens (and creates) the store. With `exclusive`, the process takes the instance lock: a second
   * daemon on the same file refuses to start and is told which process holds it.
   */
  static open(path: string, options: { exclusive: boolean; readonly?: boolean; instanceId?: string; leaseMs?: number }): SqliteStore {
    mkdirSync(dirname(path), { recursive: true });
    const lock = options.exclusive ? acquireInstanceLock(`${path}.lock`) : undefined;
    try {
      const db = openSqliteLedger(path, options.readonly === true);
      const store = new SqliteStore(db, lock, { instanceId: options.instanceId ?? newInstanceId(), leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS });
      if (options.exclusive) {
        store.leases.register();
        // notifications a killed process was sending would otherwise wait out their hold (a minute)
        store.outbox.releaseHolds(Date.now());
      }
      return store;
    } catch (err) {
      lock?.release();
      throw err;
    }
  }

  async createRun(run: Pick<RunRow, 'id' | 'profile' | 'trigger'> & { params?: Readonly<Record<string, string>> }): Promise<void> {
    const params = run.params === undefined || Object.keys(run.params).length === 0 ? null : JSON.stringify(run.params);
    this.stmt('INSERT INTO runs (id, profile, trigger, status, started_at, params) VALUES (?, ?, ?, ?, ?, ?)').run(run.id, run.profile, run.trigger, 'running', Date.now(), params);
  }

  async finishRun(id: string, status: BatchStatus, extra: { notifications?: readonly NewNotification[]; watermark?: { profile: string; value: string } } = {}): Promise<void> {
    this.db.transaction(() => {
      this.stmt('UPDATE runs SET status = ?, finished_at = ? WHERE id = ?').run(status, Date.now(), id);
      if (extra.watermark !== undefined) this.side.saveWatermark(extra.watermark.profile, extra.watermark.value);
      this.outbox.insert(extra.notifications ?? [], Date.now());
    }).immediate();
  }

  async getWatermark(profile: string): Promise<string | undefined> {
    return this.side.getWatermark(profile);
  }

  async getRun(id: string): Promise<RunRow | undefined> {
    const r = this.stmt('SELECT * FROM runs WHERE id = ?').get(id) as RunDbRow | undefined;
    return r === undefined ? undefined : toRun(r);
  }

  async listRuns(query: { limit: number; profile?: string; status?: BatchStatus }): Promise<RunRow[]> {
    const where = [...(query.profile === undefined ? [] : ['profile = ?']), ...(query.status === undefined ? [] : ['status = ?'])];
    const args = [...(query.profile === undefined ? [] : [query.profile]), ...(query.status === undefined ? [] : [query.status])];
    const sql = `SELECT * FROM runs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, id DESC LIMIT ?`;
    return (this.stmt(sql).all(...args, query.limit) as RunDbRow[]).map(toRun);
  }

  async runTotals(runIds: readonly string[]): Promise<Map<string, RunTotals>> {
    if (runIds.length === 0) return new Map();
    const sql = `SELECT ${RUN_TOTALS_COLUMNS} FROM batches WHERE run_id IN (${runIds.map(() => '?').join(', ')}) GROUP BY run_id`;
    return toRunTotals(this.db.prepare(sql).all(...runIds) as RunTotalsDbRow[]);
  }

  private insertBatch(b: NewBatch, onlyIfUnknown: boolean): BatchRow | undefined {
    const now = Date.now();
    const values = [
      b.id, b.runId, b.profile, b.profileVersion, b.fileName, b.sourceKind ?? 'local', b.sourcePath, b.sourceSize, b.sourceMtimeMs, b.contentHash ?? null, b.reprocessOf ?? null,
      this.instanceId, now + this.leases.leaseMs, now, now,
    ];
    // one statement, so one commit: a writing statement takes the write lock before it reads, which
    // makes the check and the insert as atomic as the BEGIN IMMEDIATE transaction they replace
    const r = onlyIfUnknown
      ? this.written(CLAIM_BATCH).get(...values, b.profile, b.sourcePath, b.sourceSize, b.sourceMtimeMs)
      : this.written(INSERT_BATCH).get(...values);
    return r === undefined ? undefined : batchFromValues(r as BatchValues);
  }

  async claimFile(b: NewBatch): Promise<BatchRow | undefined> {
    return this.insertBatch(b, true);
  }

  async createBatch(b: NewBatch): Promise<BatchRow> {
    const row = this.insertBatch(b, false);
    if (row === undefined) throw new Error(`batch ${b.id} was not inserted`);
    return row;
  }

  async updateBatch(id: string, patch: BatchPatch, notifications: readonly NewNotification[] = []): Promise<BatchRow> {
    if (notifications.length === 0) return this.updateBatchNow(id, patch);
    return this.db.transaction(() => {
      const row = this.updateBatchNow(id, patch);
      this.outbox.insert(notifications, Date.now());
      return row;
    }).immediate();
  }

  private updateBatchNow(id: string, patch: BatchPatch): BatchRow {
    const columns: string[] = [];
    const values: (string | number | null)[] = [];
    for (const [k, v] of Object.entries(patch)) {
      const col = COLUMN_OF[k];
      if (col === undefined || v === undefined) continue;
      columns.push(col);
      values.push(v as string | number | null);
    }
    values.push(Date.now(), id);
    // the updated row comes back from the UPDATE itself (with the view's derived column), not from a second read
    const r = this.updateStatement(columns).get(...values) as BatchValues | undefined;
    if (r === undefined) throw new Error(`batch ${id} vanished from the store`);
    return batchFromValues(r);
  }

  /** A statement returning written batches as {@link BatchValues}. */
  private written(sql: string): Database.Statement {
    return this.stmt(sql).raw(true);
  }

  /** The UPDATE of these columns, prepared once per set of columns a caller patches. */
  private updateStatement(columns: readonly string[]): Database.Statement {
    const signature = columns.join(',');
    let st = this.updates.get(signature);
    if (st === undefined) {
      st = this.db.prepare(`UPDATE batches SET ${[...columns, 'updated_at'].map((col) => `${col} = ?`).join(', ')} WHERE id = ? ${RETURNING_BATCH}`).raw(true);
      this.updates.set(signature, st);
    }
    return st;
  }

  private mustGet(id: string): BatchRow {
    const r = this.stmt('SELECT * FROM batch_view WHERE id = ?').get(id) as BatchDbRow | undefined;
    if (r === undefined) throw new Error(`batch ${id} vanished from the store`);
    return toBatch(r);
  }

  async getBatch(id: string): Promise<BatchRow | undefined> {
    const r = this.stmt('SELECT * FROM batch_view WHERE id = ?').get(id) as BatchDbRow | undefined;
    return r === undefined ? undefined : toBatch(r);
  }

  async findProcessedContent(profile: string, contentHash: string, exceptBatch: string): Promise<BatchRow | undefined> {
    const r = this.stmt("SELECT * FROM batch_view WHERE profile = ? AND content_hash = ? AND id != ? AND status IN ('completed', 'partial') ORDER BY created_at LIMIT 1")
      .get(profile, contentHash, exceptBatch) as BatchDbRow | undefined;
    return r === undefined ? undefined : toBatch(r);
  }

  async findEarlierContent(profile: string, contentHash: string, exceptBatch: string): Promise<EarlierBatch | undefined> {
    return this.earlierContentNow(profile, contentHash, exceptBatch);
  }

  async claimContent(batchId: string, profile: string, contentHash: string, decide: (earlier: EarlierBatch | undefined) => ContentDecision): Promise<{ batch: BatchRow; earlier: EarlierBatch | undefined }> {
    return this.db.transaction(() => {
      const earlier = this.earlierContentNow(profile, contentHash, batchId);
      const { patch, notifications = [] } = decide(earlier);
      const batch = this.updateBatchNow(batchId, patch);
      this.outbox.insert(notifications, Date.now());
      return { batch, earlier };
    }).immediate();
  }

  private earlierContentNow(profile: string, contentHash: string, exceptBatch: string): EarlierBatch | undefined {
    const r = this.stmt(EARLIER_CONTENT).get(profile, contentHash, exceptBatch) as BatchDbRow | undefined;
    if (r === undefined) return undefined;
    const batch = toBatch(r);
    return { batch, inFlight: batch.status !== 'completed' && batch.status !== 'partial' };
  }

  async listUnfinished(): Promise<BatchRow[]> {
    // the states listed, not `!= 'done'`, so that the state index is used instead of a scan of every batch ever run
    return (this.stmt(`SELECT * FROM batch_view WHERE state IN (${UNFINISHED}) ORDER BY created_at`).all() as BatchDbRow[]).map(toBatch);
  }

  async takeOverBatches(profile?: string): Promise<BatchRow[]> {
    return this.db.transaction(() => this.leases.takeOver(profile).map((id) => this.mustGet(id))).immediate();
  }

  async renewLeases(): Promise<void> {
    this.leases.renew();
  }

  async listInstances(): Promise<InstanceInfo[]> {
    return this.leases.list();
  }

  async claimScheduleFire(state: Omit<ScheduleState, 'updatedAt'>): Promise<boolean> {
    return this.leases.claimScheduleFire(state);
  }

  async listBatches(query: { limit: number; profile?: string; runId?: string; status?: BatchStatus; since?: number }): Promise<BatchRow[]> {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const filters = [['profile = ?', query.profile], ['run_id = ?', query.runId], ['status = ?', query.status], ['updated_at >= ?', query.since]] as const;
    for (const [clause, value] of filters) {
      if (value === undefined) continue;
      where.push(clause);
      args.push(value);
    }
    const sql = `SELECT * FROM batch_view ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ?`;
    return (this.stmt(sql).all(...args, query.limit) as BatchDbRow[]).map(toBatch);
  }

  async saveChunk(batchId: string, c: ChunkRecord): Promise<void> {
    this.stmt('INSERT OR REPLACE INTO chunks (batch_id, seq, key, count, outcomes) VALUES (?, ?, ?, ?, ?)')
      .run(batchId, c.seq, c.key, c.count, packOutcomes(c));
  }

  async listChunks(batchId: string): Promise<ChunkRecord[]> {
    const rows = this.stmt('SELECT seq, key, count, outcomes FROM chunks WHERE batch_id = ? ORDER BY seq').all(batchId) as ChunkDbRow[];
    return rows.map(unpackChunk);
  }

  async listChunkSeqs(batchId: string): Promise<number[]> {
    return (this.stmt('SELECT seq FROM chunks WHERE batch_id = ? ORDER BY seq').all(batchId) as { seq: number }[]).map((r) => r.seq);
  }

  async getChunk(batchId: string, seq: number): Promise<ChunkRecord | undefined> {
    const row = this.stmt('SELECT seq, key, count, outcomes FROM chunks WHERE batch_id = ? AND seq = ?').get(batchId, seq) as ChunkDbRow | undefined;
    return row === undefined ? undefined : unpackChunk(row);
  }

  async close(): Promise<void> {
    this.db.close();
    this.lock?.release();
  }
}
