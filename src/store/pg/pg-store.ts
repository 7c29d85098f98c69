import pg from 'pg';

import { FerryError } from '../../errors.js';
import { newInstanceId } from '../instance-id.js';
import type { BatchPatch, BatchRow, BatchStatus, ChunkRecord, ContentDecision, EarlierBatch, InstanceInfo, NewBatch, NewNotification, RunRow, RunTotals, ScheduleState, StateStore } from '../types.js';
import { PgLeases } from './pg-leases.js';
import { PgLedger } from './pg-ledger.js';
import { migrate, schemaVersion } from './pg-migrate.js';
import { PgOutbox } from './pg-outbox.js';
import { PgSideStore } from './pg-side-store.js';
import { PgSideTables } from './pg-side-tables.js';
import { parsePgUrl } from './pg-url.js';
import type { LeaseSettings, PgOpenOptions } from './types.js';

const INT8_OID = 20;
/** The advisory lock class of same-content claims ("CONT"); the key is a hash of profile and content. */
const CONTENT_LOCK_CLASS = 0x434f4e54;

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
export class PgStore extends PgSideStore implements StateStore {
  readonly instanceId: string;
  private readonly lease: LeaseSettings;
  private readonly ledger: PgLedger;
  private readonly leases: PgLeases;
  private closing: Promise<void> | undefined;

  private constructor(pool: pg.Pool, lease: LeaseSettings) {
    super(pool);
    this.instanceId = lease.instanceId;
    this.lease = lease;
    this.ledger = new PgLedger(pool, lease);
    this.leases = new PgLeases(pool, lease);
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

  async runTotals(runIds: readonly string[]): Promise<Map<string, RunTotals>> {
    return this.ledger.runTotals(runIds);
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

  async findEarlierContent(profile: string, contentHash: string, exceptBatch: string): Promise<EarlierBatch | undefined> {
    return this.ledger.findEarlierContent(profile, contentHash, exceptBatch);
  }

  async claimContent(batchId: string, profile: string, contentHash: string, decide: (earlier: EarlierBatch | undefined) => ContentDecision): Promise<{ batch: BatchRow; earlier: EarlierBatch | undefined }> {
    return this.transaction(async (client) => {
      // held until the commit: a claim of the same content by any instance waits here, and its
      // query then sees this batch with its hash
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [CONTENT_LOCK_CLASS, `${profile}/${contentHash}`]);
      const ledger = new PgLedger(client, this.lease);
      const earlier = await ledger.findEarlierContent(profile, contentHash, batchId);
      const { patch, notifications = [] } = decide(earlier);
      const batch = await ledger.updateBatch(batchId, patch);
      await new PgOutbox(client).insert(notifications, Date.now());
      return { batch, earlier };
    });
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

  async claimScheduleFire(state: Omit<ScheduleState, 'updatedAt'>): Promise<boolean> {
    return this.leases.claimScheduleFire(state);
  }

  /** Ends the pool; calling it again waits for the same end. */
  async close(): Promise<void> {
    this.closing ??= this.pool.end();
    await this.closing;
  }
}
