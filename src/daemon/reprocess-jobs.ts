import type { ReprocessAnswer } from '../admin/types.js';
import type { Logger } from '../log.js';
import { continueBatch, type PipelineContext } from '../pipeline/process-batch.js';
import { prepareReprocess } from '../pipeline/reprocess-batch.js';
import type { RunSlots } from './run-slots.js';

/**
 * Reprocess requests of the admin API: each is prepared at once (so the caller gets the new run
 * and batch ids, or why not), then runs in the background in a run slot like any other run. A
 * reprocess cut by a shutdown resumes at the next start like every unfinished batch.
 */
export class ReprocessJobs {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly ctx: PipelineContext, private readonly profilesDir: string, private readonly slots: RunSlots, private readonly log: Logger) {}

  /** Starts sending batch `batchId` again; answers with the new run and batch. */
  async start(batchId: string, options: { originalVersion: boolean }): Promise<ReprocessAnswer> {
    const prepared = await prepareReprocess(this.ctx.store, this.ctx.dataDir, this.profilesDir, batchId, options.originalVersion, `api reprocess ${batchId}`);
    if (!prepared.ok) return { ok: false, status: prepared.status, error: prepared.error, ...(prepared.problems === undefined ? {} : { problems: prepared.problems }) };
    const { loaded, batch, runId } = prepared;
    const log = this.log.child({ profile: loaded.id, run: runId, batch: batch.id });
    log.info({ reprocessOf: batchId }, 'reprocess requested through the API');
    const job = (async () => {
      const release = await this.slots.acquire();
      try {
        const done = await continueBatch(this.ctx, batch, loaded);
        await this.ctx.store.finishRun(runId, done.status);
      } catch (err) {
        if (!this.ctx.signal.aborted) log.error({ err }, 'reprocess failed; the batch resumes at the next start');
      } finally {
        release();
      }
    })();
    this.running.add(job);
    void job.finally(() => this.running.delete(job));
    return { ok: true, runId, batchId: batch.id, reprocessOf: batchId };
  }

  /** Resolves when every reprocess in progress has stopped. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
