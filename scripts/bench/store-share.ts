/**
 * An estimate of the state store's share of a `ferry run`: the store calls ferry makes for a run,
 * replayed against a fresh SqliteStore in this process and timed. ferry itself cannot be timed per
 * call without changing src/, so this is a replay, not a measurement of the run itself; the CPU
 * profile of a real run gives a second figure (delivery-bench.ts).
 *
 * The replay follows src/pipeline (run-profile.ts, process-batch.ts, content-claim.ts,
 * deliver-chunks.ts): per run listUnfinished, createRun, profileVersion, getRun (the run's parameters,
 * read once per run) and finishRun; per file claimFile, claimContent (the same-content check, which
 * stages the batch), three updateBatch calls (delivering, reported, done; no listChunkSeqs, the batch is fresh), and per chunk
 * one saveChunk (outcomes holding one id and one error per record, both null) and one getChunk
 * (the result file). No row problems, so no saveRowProblems.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { SqliteStore } from '../../src/store/sqlite-store.js';
import { newId } from '../../src/util/ids.js';

/** The store work of one run. */
export interface StorePlan {
  readonly files: number;
  readonly chunksPerFile: number;
  readonly recordsPerChunk: number;
}

/** What one replay cost. */
export interface StoreTiming {
  readonly plan: StorePlan;
  /** Opening the store (schema, WAL) and closing it, once per `ferry run`. */
  readonly openCloseMs: number;
  /** Every call of the plan. */
  readonly callsMs: number;
  readonly calls: number;
}

const HASH = 'a'.repeat(64);

async function replayFile(store: SqliteStore, runId: string, index: number, plan: StorePlan): Promise<number> {
  const id = newId('b');
  const claimed = await store.claimFile({
    id, runId, profile: 'bench', profileVersion: HASH, fileName: `file-${index}.csv`,
    sourcePath: `/inbox/file-${index}.csv`, sourceSize: 1000 + index, sourceMtimeMs: 1_700_000_000_000 + index,
  });
  if (claimed === undefined) throw new Error('the replay claimed a file twice');
  await store.claimContent(id, 'bench', `${HASH}${index}`, () => ({ patch: { contentHash: `${HASH}${index}`, state: 'staged' } }));
  const records = plan.chunksPerFile * plan.recordsPerChunk;
  await store.updateBatch(id, { state: 'delivering', rowsTotal: records, rowsRejected: 0, rowsSkipped: 0, chunks: plan.chunksPerFile });
  const nulls = new Array<null>(plan.recordsPerChunk).fill(null);
  for (let seq = 0; seq < plan.chunksPerFile; seq++) {
    await store.saveChunk(id, { seq, key: `ferry-${seq.toString(16).padStart(40, '0')}`, count: plan.recordsPerChunk, ids: nulls, errors: nulls });
  }
  for (let seq = 0; seq < plan.chunksPerFile; seq++) await store.getChunk(id, seq);
  await store.updateBatch(id, { state: 'reported', resultFile: `/results/file-${index}.result.csv`, rowsDelivered: records, rowsFailed: 0, rowsRejected: 0, rowsSkipped: 0, status: 'completed' });
  await store.updateBatch(id, { state: 'done' });
  return 5 + 2 * plan.chunksPerFile;
}

/** Replays `plan` once against a new store in a temporary folder below `workDir`. */
export async function replayStorePlan(workDir: string, plan: StorePlan): Promise<StoreTiming> {
  const dir = await mkdtemp(join(workDir, 'store-replay-'));
  try {
    const opened = process.hrtime.bigint();
    const store = SqliteStore.open(join(dir, 'ferry.db'), { exclusive: true });
    const openMs = Number(process.hrtime.bigint() - opened) / 1e6;
    const started = process.hrtime.bigint();
    const runId = newId('r');
    await store.listUnfinished();
    await store.createRun({ id: runId, profile: 'bench', trigger: 'manual' });
    await store.profileVersion('bench', HASH, 'version: 1');
    await store.getRun(runId);
    let calls = 5;
    for (let i = 0; i < plan.files; i++) calls += await replayFile(store, runId, i, plan);
    await store.finishRun(runId, 'completed');
    const callsMs = Number(process.hrtime.bigint() - started) / 1e6;
    const closing = process.hrtime.bigint();
    await store.close();
    const closeMs = Number(process.hrtime.bigint() - closing) / 1e6;
    return { plan, openCloseMs: openMs + closeMs, callsMs, calls };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
