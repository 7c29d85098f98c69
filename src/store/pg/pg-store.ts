import pg from 'pg';

import { FerryError } from '../../errors.js';
import { newInstanceId } from '../instance-id.js';
import type { Alert, ArrivalState, AuditEntry, AuditVerdict, NewAuditEntry, ProfileSaveRequest, BatchPatch, BatchRow, BatchStatus, ChunkRecord, InstanceInfo, LedgerCounts, NewBatch, NewNotification, Notification, NotificationOutcome, ProfileProblems, ProfileSave, ProfileVersion, RowProblem, RunRow, ScheduleState, SourceHealth, StateStore } from '../types.js';
import { PgAdminTables } from './pg-admin-tables.js';
import { PgAudit } from './pg-audit.js';
import { PgLeases } from './pg-leases.js';
import { PgLedger } from './pg-ledger.js';
import { migrate, schemaVersion } from './pg-migrate.js';
import { PgOutbox } from './pg-outbox.js';
import { PgSideTables } from './pg-side-tables.js';
import { inPgTransaction } from './pg-transaction.js';
import { parsePgUrl } from './pg-url.js';
import type { LeaseSettings, PgOpenOptions, Queryable } from './types.js';

const INT8_OID = 20;

/**
 * `bigint` columns (times in ms, sizes, counts) read back as numbers, not strings: every value
 * ferry keeps there is far below 2^53. Set per pool, so other users of pg in the process are not
 * affected.
 */
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8_OID && format !== 'binary' ? (v: string): number => Number(v) : pg.types.getTypeParser(oid, format))) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * The state store on PostgreSQL, for several ferry instances on one ledger. Claims, take-overs,
 * schedule fires and the outbox are decided by the database (unique indexes, row locks, SKIP
 * LOCKED), and leases and heartbeats run on its clock, so instances need not agree on the time.
 * The other times (created, updated, next attempt) are the caller's clock, as on SQLite: the
 * interface passes some of them in (`dueNotifications(now)`, a retry's `nextAttemptAt`). See
 * pg-schema.ts for the tables.
 */
export class PgStore implements StateStore {
  readonly instanceId: string;
  private readonly lease: LeaseSettings;
  private readonly ledger: PgLedger;
  private readonly leases: PgLeases;
  private readonly side: PgSideTables;
  private readonly admin: PgAdminTables;
  private readonly outbox: PgOutbox;
  private closing: Promise<void> | undefined;

  private constructor(private readonly pool: pg.Pool, lease: LeaseSettings) {
    this.instanceId = lease.instanceId;
    this.lease = lease;
    this.ledger = new PgLedger(pool, lease);
    this.leases = new PgLeases(pool, lease);
    this.side = new PgSideTables(pool);
    this.admin = new PgAdminTables(pool);
    this.outbox = new PgOutbox(pool);
  }

  /**
   * Connects, brings the schema up to date (unless `readonly`) and, with `exclusive`, registers
   * this process as an instance. `exclusive` is no lock here: any number of instances may run.
   */
  static async open(url: string, options: PgOpenOptions): Promise<PgStore> {
    const target = parsePgUrl(url, options.readonly === true);
    const pool = new pg.Pool({ connectionString: target.connectionString, options: target.options, types: TYPES, fallback_application_name: 'ferry', connectionTimeoutMillis: 10_000 });
    // an idle connection that drops (a server restart) is removed from the pool, which makes a
    // new one for the next query; without a listener the error would end the process
    pool.on('error', () => undefined);
    try {
      if (options.readonly === true) await schemaVersion(pool, target.shown);
      else await migrate(pool, target.schema);
      const store = new PgStore(pool, { instanceId: options.instanceId ?? newInstanceId(), leaseMs: options.leaseMs });
      if (options.exclusive) await store.leases.register();
      return store;
    } catch (err) {
      await pool.end().catch(() => undefined);
      if (err instanceof FerryError) throw err;
      throw new FerryError('E_STORE', `cannot open the PostgreSQL store ${target.shown}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  private transaction<T>(work: (client: Queryable) => Promise<T>): Promise<T> {
    return inPgTransaction(this.pool, work);
  }

  async createRun(run: Pick<RunRow, 'id' | 'profile' | 'trigger'> & { params?: Readonly<Record<string, string>> }): Promise<void> {
    await this.ledger.createRun(run);
  }

  async finishRun(id: string, status: BatchStatus, extra: { notifications?: readonly NewNotification[]; watermark?: { profile: string; value: string } } = {}): Promise<void> {
    await this.transaction(async (client) => {
      await new PgLedger(client, this.lease).finishRun(id, status);
      if (extra.watermark !== undefined) await new PgSideTables(client).saveWatermark(extra.watermark.profile, extra.watermark.value);
      await new PgOutbox(client).insert(extra.notifications ?? [], Date.now());
    });
  }

  async getWatermark(profile: string): Promise<string | undefined> {
    return this.side.getWatermark(profile);
  }

  async getRun(id: string): Promise<RunRow | undefined> {
    return this.ledger.getRun(id);
  }

  async listRuns(query: { limit: number; profile?: string; status?: BatchStatus }): Promise<RunRow[]> {
    return this.ledger.listRuns(query);
  }

  async claimFile(batch: NewBatch): Promise<BatchRow | undefined> {
    return this.ledger.claimFile(batch);
  }

  async createBatch(batch: NewBatch): Promise<BatchRow> {
    return this.ledger.createBatch(batch);
  }

  async updateBatch(id: string, patch: BatchPatch, notifications: readonly NewNotification[] = []): Promise<BatchRow> {
    if (notifications.length === 0) return this.ledger.updateBatch(id, patch);
    return this.transaction(async (client) => {
      const row = await new PgLedger(client, this.lease).updateBatch(id, patch);
      await new PgOutbox(client).insert(notifications, Date.now());
      return row;
    });
  }

  async getBatch(id: string): Promise<BatchRow | undefined> {
    return this.ledger.getBatch(id);
  }

  async findProcessedContent(profile: string, contentHash: string, exceptBatch: string): Promise<BatchRow | undefined> {
    return this.ledger.findProcessedContent(profile, contentHash, exceptBatch);
  }

  async listUnfinished(): Promise<BatchRow[]> {
    return this.ledger.listUnfinished();
  }

  async takeOverBatches(profile?: string): Promise<BatchRow[]> {
    return this.leases.takeOver(profile);
  }

  async renewLeases(): Promise<void> {
    await this.leases.renew();
  }

  async listInstances(): Promise<InstanceInfo[]> {
    return this.leases.list();
  }

  async listBatches(query: { limit: number; profile?: string; runId?: string; status?: BatchStatus; since?: number }): Promise<BatchRow[]> {
    return this.ledger.listBatches(query);
  }

  async saveChunk(batchId: string, chunk: ChunkRecord): Promise<void> {
    await this.ledger.saveChunk(batchId, chunk);
  }

  async listChunks(batchId: string): Promise<ChunkRecord[]> {
    return this.ledger.listChunks(batchId);
  }

  async listChunkSeqs(batchId: string): Promise<number[]> {
    return this.ledger.listChunkSeqs(batchId);
  }

  async getChunk(batchId: string, seq: number): Promise<ChunkRecord | undefined> {
    return this.ledger.getChunk(batchId, seq);
  }

  async profileVersion(profile: string, contentHash: string, content: string): Promise<number> {
    return this.transaction((client) => new PgSideTables(client).profileVersion(profile, contentHash, content));
  }

  async profileContent(profile: string, contentHash: string): Promise<string | undefined> {
    return this.side.profileContent(profile, contentHash);
  }

  async recordProfileSave(save: ProfileSaveRequest): Promise<number> {
    return this.transaction(async (client) => {
      const version = await new PgSideTables(client).profileVersion(save.profile, save.contentHash, save.content);
      await new PgAdminTables(client).insertProfileSave(save, version);
      if (save.audit !== undefined) await new PgAudit(client).append({ ...save.audit, detail: { ...save.audit.detail, version, contentHash: save.contentHash } });
      return version;
    });
  }

  async appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    return this.transaction((client) => new PgAudit(client).append(entry));
  }

  async listAudit(query: { limit: number; before?: number }): Promise<AuditEntry[]> {
    return new PgAudit(this.pool).list(query);
  }

  async verifyAudit(): Promise<AuditVerdict> {
    // one snapshot: rows appended while walking do not make the walk see a half-written chain
    return this.transaction(async (client) => {
      await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      return new PgAudit(client).verify();
    });
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
    await this.transaction((client) => new PgAdminTables(client).saveRowProblems(batchId, rows));
  }

  async listRowProblems(batchId: string, page: { limit: number; offset: number }): Promise<{ rows: RowProblem[]; total: number }> {
    return this.admin.listRowProblems(batchId, page);
  }

  async recordSourceHealth(health: SourceHealth): Promise<void> {
    await this.side.recordSourceHealth(health);
  }

  async listSourceHealth(): Promise<SourceHealth[]> {
    return this.side.listSourceHealth();
  }

  async saveSchedule(state: Omit<ScheduleState, 'updatedAt'>): Promise<void> {
    await this.side.saveSchedule(state);
  }

  async claimScheduleFire(state: Omit<ScheduleState, 'updatedAt'>): Promise<boolean> {
    return this.leases.claimScheduleFire(state);
  }

  async getSchedule(profile: string): Promise<ScheduleState | undefined> {
    return this.side.getSchedule(profile);
  }

  async listSchedules(): Promise<ScheduleState[]> {
    return this.side.listSchedules();
  }

  async saveProfileProblems(profile: string, problems: readonly string[]): Promise<void> {
    await this.side.saveProfileProblems(profile, problems);
  }

  async listProfileProblems(): Promise<ProfileProblems[]> {
    return this.side.listProfileProblems();
  }

  async getArrivals(profile: string): Promise<ArrivalState | undefined> {
    return this.side.getArrivals(profile);
  }

  async saveArrivals(state: ArrivalState): Promise<void> {
    await this.side.saveArrivals(state);
  }

  async addAlert(alert: Omit<Alert, 'id' | 'at'>, notifications: readonly NewNotification[] = []): Promise<void> {
    await this.transaction(async (client) => {
      await new PgSideTables(client).addAlert(alert);
      await new PgOutbox(client).insert(notifications, Date.now());
    });
  }

  async listAlerts(query: { limit: number; profile?: string }): Promise<Alert[]> {
    return this.side.listAlerts(query);
  }

  async ledgerCounts(): Promise<LedgerCounts> {
    return this.side.ledgerCounts();
  }

  async dueNotifications(now: number, limit: number): Promise<Notification[]> {
    return this.outbox.due(now, limit);
  }

  async nextNotificationAt(): Promise<number | undefined> {
    return this.outbox.nextAt();
  }

  async settleNotification(id: string, outcome: NotificationOutcome): Promise<void> {
    await this.outbox.settle(id, outcome, Date.now());
  }

  async disableEndpoint(url: string, profile: string, reason: string): Promise<void> {
    await this.transaction((client) => new PgOutbox(client).disable(url, profile, reason, Date.now()));
  }

  async listDisabledEndpoints(): Promise<{ url: string; profile: string; reason: string; at: number }[]> {
    return this.outbox.disabled();
  }

  async listNotifications(query: { limit: number; state?: Notification['state'] }): Promise<Notification[]> {
    return this.outbox.list(query);
  }

  async countNotifications(): Promise<Record<Notification['state'], number>> {
    return this.outbox.counts();
  }

  async replayNotification(id: string, retryUntil: number, audit?: NewAuditEntry): Promise<Notification | undefined> {
    return this.transaction(async (client) => {
      const n = await new PgOutbox(client).replay(id, retryUntil, Date.now());
      if (n !== undefined && audit !== undefined) await new PgAudit(client).append({ ...audit, detail: { ...audit.detail, event: n.event, profile: n.profile } });
      return n;
    });
  }

  /** Ends the pool; calling it again waits for the same end. */
  async close(): Promise<void> {
    this.closing ??= this.pool.end();
    await this.closing;
  }
}
