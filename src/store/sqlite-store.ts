import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import type Database from 'better-sqlite3';

import { acquireInstanceLock, type InstanceLock } from './instance-lock.js';
import { SqliteAdminTables } from './sqlite-admin-tables.js';
import { SqliteAudit } from './sqlite-audit.js';
import { DEFAULT_LEASE_MS, newInstanceId } from './instance-id.js';
import { SqliteLeases } from './sqlite-leases.js';
import { openSqliteLedger } from './sqlite-open.js';
import { SqliteSideTables } from './sqlite-side-tables.js';
import { SqliteOutbox } from './sqlite-outbox.js';
import { type BatchDbRow, type ChunkDbRow, COLUMN_OF, type RunDbRow, toRun, packOutcomes, toBatch, unpackChunk } from './sqlite-rows.js';
import type { Alert, ArrivalState, AuditEntry, AuditVerdict, NewAuditEntry, ProfileSaveRequest, BatchPatch, BatchRow, BatchStatus, ChunkRecord, LedgerCounts, NewBatch, NewNotification, Notification, NotificationOutcome, InstanceInfo, ProfileProblems, ProfileSave, ProfileVersion, RowProblem, RunRow, ScheduleState, SourceHealth, StateStore } from './types.js';

/**
 * The embedded state store: one SQLite file in WAL mode. `synchronous = NORMAL` makes every commit
 * survive a killed process (the promise ferry makes); only a power loss can lose the last commits,
 * which `FERRY_SQLITE_SYNC=full` closes at the cost of an fsync per commit.
 */
export class SqliteStore implements StateStore {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  private readonly outbox: SqliteOutbox;
  private readonly side: SqliteSideTables;
  private readonly admin: SqliteAdminTables;
  private readonly leases: SqliteLeases;
  private readonly audit: SqliteAudit;
  readonly instanceId: string;

  private constructor(db: Database.Database, private readonly lock: InstanceLock | undefined, lease: { instanceId: string; leaseMs: number }) {
    this.db = db;
    this.instanceId = lease.instanceId;
    this.leases = new SqliteLeases(db, (sql) => this.stmt(sql), lease.instanceId, lease.leaseMs);
    this.outbox = new SqliteOutbox(db, (sql) => this.stmt(sql));
    this.side = new SqliteSideTables(db, (sql) => this.stmt(sql));
    this.admin = new SqliteAdminTables(db, (sql) => this.stmt(sql), (p, h, c) => this.side.profileVersion(p, h, c));
    this.audit = new SqliteAudit(db, (sql) => this.stmt(sql));
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
      if (options.exclusive) store.leases.register();
      return store;
    } catch (err) {
      lock?.release();
      throw err;
    }
  }

  /** A prepared statement, prepared once: preparing costs more than running most of these. */
  private stmt(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (st === undefined) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
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

  private insertBatch(b: NewBatch): BatchRow {
    const now = Date.now();
    this.stmt(`INSERT INTO batches (id, run_id, profile, profile_version, file_name, source_kind, source_path, source_size, source_mtime_ms, content_hash, state, status, reprocess_of, owner, lease_until, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'claimed', 'running', ?, ?, ?, ?, ?)`).run(
      b.id, b.runId, b.profile, b.profileVersion, b.fileName, b.sourceKind ?? 'local', b.sourcePath, b.sourceSize, b.sourceMtimeMs, b.contentHash ?? null, b.reprocessOf ?? null,
      this.instanceId, now + this.leases.leaseMs, now, now,
    );
    return this.mustGet(b.id);
  }

  async claimFile(b: NewBatch): Promise<BatchRow | undefined> {
    const claim = this.db.transaction((nb: NewBatch): BatchRow | undefined => {
      const known = this.stmt('SELECT 1 FROM batches WHERE profile = ? AND source_path = ? AND source_size = ? AND source_mtime_ms = ? AND reprocess_of IS NULL LIMIT 1')
        .get(nb.profile, nb.sourcePath, nb.sourceSize, nb.sourceMtimeMs);
      return known === undefined ? this.insertBatch(nb) : undefined;
    });
    return claim.immediate(b);
  }

  async createBatch(b: NewBatch): Promise<BatchRow> {
    return this.insertBatch(b);
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
    const sets: string[] = [];
    const values: (string | number | null)[] = [];
    for (const [k, v] of Object.entries(patch)) {
      const col = COLUMN_OF[k];
      if (col === undefined || v === undefined) continue;
      sets.push(`${col} = ?`);
      values.push(v as string | number | null);
    }
    sets.push('updated_at = ?');
    values.push(Date.now(), id);
    this.stmt(`UPDATE batches SET ${sets.join(', ')} WHERE id = ?`).run(...values);
    return this.mustGet(id);
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

  async listUnfinished(): Promise<BatchRow[]> {
    return (this.stmt("SELECT * FROM batch_view WHERE state != 'done' ORDER BY created_at").all() as BatchDbRow[]).map(toBatch);
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

  async profileVersion(profile: string, contentHash: string, content: string): Promise<number> {
    return this.side.profileVersion(profile, contentHash, content);
  }

  async profileContent(profile: string, contentHash: string): Promise<string | undefined> {
    return this.side.profileContent(profile, contentHash);
  }

  async recordSourceHealth(h: SourceHealth): Promise<void> {
    this.side.recordSourceHealth(h);
  }

  async listSourceHealth(): Promise<SourceHealth[]> {
    return this.side.listSourceHealth();
  }

  async addAlert(a: Omit<Alert, 'id' | 'at'>, notifications: readonly NewNotification[] = []): Promise<void> {
    this.db.transaction(() => {
      this.stmt('INSERT INTO alerts (profile, kind, message, batch_id, at) VALUES (?, ?, ?, ?, ?)').run(a.profile, a.kind, a.message, a.batchId, Date.now());
      this.outbox.insert(notifications, Date.now());
    }).immediate();
  }

  async dueNotifications(now: number, limit: number): Promise<Notification[]> {
    return this.outbox.due(now, limit);
  }

  async nextNotificationAt(): Promise<number | undefined> {
    return this.outbox.nextAt();
  }

  async settleNotification(id: string, outcome: NotificationOutcome): Promise<void> {
    this.outbox.settle(id, outcome, Date.now());
  }

  async disableEndpoint(url: string, profile: string, reason: string): Promise<void> {
    this.outbox.disable(url, profile, reason, Date.now());
  }

  async listDisabledEndpoints(): Promise<{ url: string; profile: string; reason: string; at: number }[]> {
    return this.outbox.disabled();
  }

  async listNotifications(q: { limit: number; state?: Notification['state'] }): Promise<Notification[]> {
    return this.outbox.list(q);
  }

  async countNotifications(): Promise<Record<Notification['state'], number>> {
    return this.outbox.counts();
  }

  async replayNotification(id: string, retryUntil: number, audit?: NewAuditEntry): Promise<Notification | undefined> {
    return this.db.transaction(() => {
      const n = this.outbox.replay(id, retryUntil, Date.now());
      if (n !== undefined && audit !== undefined) this.audit.append({ ...audit, detail: { ...audit.detail, event: n.event, profile: n.profile } });
      return n;
    }).immediate();
  }

  async saveSchedule(st: Omit<ScheduleState, 'updatedAt'>): Promise<void> {
    return this.side.saveSchedule(st);
  }

  async getSchedule(profile: string): Promise<ScheduleState | undefined> {
    return this.side.getSchedule(profile);
  }

  async listSchedules(): Promise<ScheduleState[]> {
    return this.side.listSchedules();
  }

  async saveProfileProblems(profile: string, problems: readonly string[]): Promise<void> {
    return this.side.saveProfileProblems(profile, problems);
  }

  async listProfileProblems(): Promise<ProfileProblems[]> {
    return this.side.listProfileProblems();
  }

  async getArrivals(profile: string): Promise<ArrivalState | undefined> {
    return this.side.getArrivals(profile);
  }

  async saveArrivals(a: ArrivalState): Promise<void> {
    return this.side.saveArrivals(a);
  }

  async listAlerts(q: { limit: number; profile?: string }): Promise<Alert[]> {
    return this.side.listAlerts(q);
  }

  async recordProfileSave(save: ProfileSaveRequest): Promise<number> {
    return this.db.transaction((): number => {
      const version = this.admin.recordProfileSave(save);
      if (save.audit !== undefined) this.audit.append({ ...save.audit, detail: { ...save.audit.detail, version, contentHash: save.contentHash } });
      return version;
    }).immediate();
  }

  async appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    return this.audit.append(entry);
  }

  async listAudit(query: { limit: number; before?: number }): Promise<AuditEntry[]> {
    return this.audit.list(query);
  }

  async verifyAudit(): Promise<AuditVerdict> {
    return this.audit.verify();
  }

  async listProfileVersions(profile: string): Promise<ProfileVersion[]> {
    return this.admin.listProfileVersions(profile);
  }

  async getProfileVersion(profile: string, version: number): Promise<(ProfileVersion & { content: string | null }) | undefined> {
    return this.admin.getProfileVersion(profile, version);
  }

  async listProfileSaves(profile: string, limit: number): Promise<ProfileSave[]> {
    return this.admin.listProfileSaves(profile, limit);
  }

  async saveRowProblems(batchId: string, rows: readonly RowProblem[]): Promise<void> {
    this.admin.saveRowProblems(batchId, rows);
  }

  async listRowProblems(batchId: string, page: { limit: number; offset: number }): Promise<{ rows: RowProblem[]; total: number }> {
    return this.admin.listRowProblems(batchId, page);
  }

  async ledgerCounts(): Promise<LedgerCounts> {
    return this.side.ledgerCounts();
  }

  async close(): Promise<void> {
    this.db.close();
    this.lock?.release();
  }
}
