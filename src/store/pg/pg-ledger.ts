import { type BatchDbRow, type ChunkDbRow, COLUMN_OF, packOutcomes, RUN_TOTALS_COLUMNS, type RunDbRow, type RunTotalsDbRow, toBatch, toRun, toRunTotals, unpackChunk } from '../sqlite-rows.js';
import type { BatchPatch, BatchRow, BatchStatus, ChunkRecord, EarlierBatch, NewBatch, RunRow, RunTotals } from '../types.js';
import { DB_NOW_MS, selectBatchesFrom } from './pg-batch-sql.js';
import type { LeaseSettings, Queryable } from './types.js';

const BATCH_COLUMNS = 'id, run_id, profile, profile_version, file_name, source_kind, source_path, source_size, source_mtime_ms, content_hash, state, status, reprocess_of, owner, lease_until, listed, created_at, updated_at';

/** `WHERE` clauses and their values, numbered from $1 on. */
function filters(pairs: readonly (readonly [string, string | number | undefined])[]): { where: string; args: (string | number)[] } {
  const clauses: string[] = [];
  const args: (string | number)[] = [];
  for (const [column, value] of pairs) {
    if (value === undefined) continue;
    args.push(value);
    clauses.push(`${column} $${args.length}`);
  }
  return { where: clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`, args };
}

/**
 * Runs, batches and chunk outcomes on PostgreSQL. Built over the pool, or over a transaction's
 * client when a change must commit with something else (PgStore decides which).
 */
export class PgLedger {
  constructor(private readonly db: Queryable, private readonly lease: LeaseSettings) {}

  async createRun(run: Pick<RunRow, 'id' | 'profile' | 'trigger'> & { params?: Readonly<Record<string, string>> }): Promise<void> {
    const params = run.params === undefined || Object.keys(run.params).length === 0 ? null : JSON.stringify(run.params);
    await this.db.query('INSERT INTO runs (id, profile, trigger, status, started_at, params) VALUES ($1, $2, $3, $4, $5, $6)', [run.id, run.profile, run.trigger, 'running', Date.now(), params]);
  }

  async finishRun(id: string, status: BatchStatus): Promise<void> {
    await this.db.query('UPDATE runs SET status = $1, finished_at = $2 WHERE id = $3', [status, Date.now(), id]);
  }

  async getRun(id: string): Promise<RunRow | undefined> {
    const r = (await this.db.query<RunDbRow>('SELECT * FROM runs WHERE id = $1', [id])).rows[0];
    return r === undefined ? undefined : toRun(r);
  }

  async listRuns(q: { limit: number; profile?: string; status?: BatchStatus }): Promise<RunRow[]> {
    const { where, args } = filters([['profile =', q.profile], ['status =', q.status]]);
    const sql = `SELECT * FROM runs ${where} ORDER BY started_at DESC, id DESC LIMIT $${args.length + 1}`;
    return (await this.db.query<RunDbRow>(sql, [...args, q.limit])).rows.map(toRun);
  }

  async runTotals(runIds: readonly string[]): Promise<Map<string, RunTotals>> {
    if (runIds.length === 0) return new Map();
    const sql = `SELECT ${RUN_TOTALS_COLUMNS} FROM batches WHERE run_id = ANY($1::text[]) GROUP BY run_id`;
    return toRunTotals((await this.db.query<RunTotalsDbRow>(sql, [runIds])).rows);
  }

  /**
   * Inserts a batch leased to this instance. A `listed` one is a claim: at most one per listing
   * identity (the unique partial index), and none when a batch made without the check (an
   * explicit file) has that identity already. Undefined when the claim lost.
   */
  private async insert(b: NewBatch, listed: boolean): Promise<BatchRow | undefined> {
    const now = Date.now();
    const values = [
      b.id, b.runId, b.profile, b.profileVersion, b.fileName, b.sourceKind ?? 'local', b.sourcePath, b.sourceSize, b.sourceMtimeMs, b.contentHash ?? null,
      b.reprocessOf ?? null, this.lease.instanceId, this.lease.leaseMs, listed, now,
    ];
    const select = `SELECT $1, $2, $3, $4, $5, $6, $7, $8::bigint, $9::bigint, $10, 'claimed', 'running', $11, $12, ${DB_NOW_MS} + $13, $14::boolean, $15::bigint, $15::bigint`;
    const unseen = listed ? ` WHERE NOT EXISTS (SELECT 1 FROM batches WHERE profile = $3 AND source_path = $7 AND source_size = $8 AND source_mtime_ms = $9 AND reprocess_of IS NULL)` : '';
    const sql = selectBatchesFrom(`INSERT INTO batches (${BATCH_COLUMNS}) ${select}${unseen} ON CONFLICT DO NOTHING RETURNING *`);
    return (await this.db.query<BatchDbRow>(sql, values)).rows.map(toBatch)[0];
  }

  async claimFile(b: NewBatch): Promise<BatchRow | undefined> {
    return this.insert(b, true);
  }

  async createBatch(b: NewBatch): Promise<BatchRow> {
    const row = await this.insert(b, false);
    if (row === undefined) throw new Error(`batch ${b.id} exists already`);
    return row;
  }

  async updateBatch(id: string, patch: BatchPatch): Promise<BatchRow> {
    const sets: string[] = [];
    const values: (string | number | null)[] = [];
    for (const [k, v] of Object.entries(patch)) {
      const col = COLUMN_OF[k];
      if (col === undefined || v === undefined) continue;
      values.push(v as string | number | null);
      sets.push(`${col} = $${values.length}`);
    }
    values.push(Date.now(), id);
    sets.push(`updated_at = $${values.length - 1}`);
    const rows = (await this.db.query<BatchDbRow>(selectBatchesFrom(`UPDATE batches SET ${sets.join(', ')} WHERE id = $${values.length} RETURNING *`), values)).rows;
    const row = rows[0];
    if (row === undefined) throw new Error(`batch ${id} vanished from the store`);
    return toBatch(row);
  }

  async getBatch(id: string): Promise<BatchRow | undefined> {
    const r = (await this.db.query<BatchDbRow>('SELECT * FROM batch_view WHERE id = $1', [id])).rows[0];
    return r === undefined ? undefined : toBatch(r);
  }

  async findProcessedContent(profile: string, contentHash: string, exceptBatch: string): Promise<BatchRow | undefined> {
    const r = (await this.db.query<BatchDbRow>("SELECT * FROM batch_view WHERE profile = $1 AND content_hash = $2 AND id <> $3 AND status IN ('completed', 'partial') ORDER BY created_at, id LIMIT 1",
      [profile, contentHash, exceptBatch])).rows[0];
    return r === undefined ? undefined : toBatch(r);
  }

  async findEarlierContent(profile: string, contentHash: string, exceptBatch: string): Promise<EarlierBatch | undefined> {
    const r = (await this.db.query<BatchDbRow>(`SELECT * FROM batch_view WHERE profile = $1 AND content_hash = $2 AND id <> $3 AND (status IN ('completed', 'partial')
      OR (state <> 'done' AND reprocess_of IS NULL AND status NOT IN ('skipped', 'failed') AND error_code IS NULL))
      ORDER BY status NOT IN ('completed', 'partial'), created_at, id LIMIT 1`, [profile, contentHash, exceptBatch])).rows[0];
    if (r === undefined) return undefined;
    const batch = toBatch(r);
    return { batch, inFlight: batch.status !== 'completed' && batch.status !== 'partial' };
  }

  async listUnfinished(): Promise<BatchRow[]> {
    return (await this.db.query<BatchDbRow>("SELECT * FROM batch_view WHERE state <> 'done' ORDER BY created_at, id")).rows.map(toBatch);
  }

  async listBatches(q: { limit: number; profile?: string; runId?: string; status?: BatchStatus; since?: number }): Promise<BatchRow[]> {
    const { where, args } = filters([['profile =', q.profile], ['run_id =', q.runId], ['status =', q.status], ['updated_at >=', q.since]]);
    const sql = `SELECT * FROM batch_view ${where} ORDER BY created_at DESC, id DESC LIMIT $${args.length + 1}`;
    return (await this.db.query<BatchDbRow>(sql, [...args, q.limit])).rows.map(toBatch);
  }

  async saveChunk(batchId: string, c: ChunkRecord): Promise<void> {
    await this.db.query(`INSERT INTO chunks (batch_id, seq, key, count, outcomes) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (batch_id, seq) DO UPDATE SET key = EXCLUDED.key, count = EXCLUDED.count, outcomes = EXCLUDED.outcomes`, [batchId, c.seq, c.key, c.count, packOutcomes(c)]);
  }

  async listChunks(batchId: string): Promise<ChunkRecord[]> {
    return (await this.db.query<ChunkDbRow>('SELECT seq, key, count, outcomes FROM chunks WHERE batch_id = $1 ORDER BY seq', [batchId])).rows.map(unpackChunk);
  }

  async listChunkSeqs(batchId: string): Promise<number[]> {
    return (await this.db.query<{ seq: number }>('SELECT seq FROM chunks WHERE batch_id = $1 ORDER BY seq', [batchId])).rows.map((r) => r.seq);
  }

  async getChunk(batchId: string, seq: number): Promise<ChunkRecord | undefined> {
    const r = (await this.db.query<ChunkDbRow>('SELECT seq, key, count, outcomes FROM chunks WHERE batch_id = $1 AND seq = $2', [batchId, seq])).rows[0];
    return r === undefined ? undefined : unpackChunk(r);
  }
}
