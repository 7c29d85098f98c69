import { runExport } from '../exports/run-export.js';
import type { Logger } from '../log.js';
import type { PipelineContext } from '../pipeline/process-batch.js';
import { defaultParams } from '../pipeline/run-profile.js';
import type { ExportProfile } from '../profiles/export-schema.js';
import type { RunParams } from '../profiles/run-params.js';
import type { LoadedProfile } from '../profiles/types.js';
import type { DaemonClock } from './daemon-clock.js';
import { newId } from '../util/ids.js';
import type { RunSlots } from './run-slots.js';
import { type ScheduleTrigger, startSchedule, windowOf } from './schedule-trigger.js';
import type { RunAnswer } from './types.js';

/**
 * Runs an export profile on its `trigger.cron` (inside its `window`) and when asked (webhook, the
 * runs API), one run at a time; a run missed while ferry was down is made up once, as for imports.
 * Runs take a slot of FERRY_MAX_RUNS.
 */
export class ExportWorker {
  private schedule: ScheduleTrigger | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  /** the run in progress and the one waiting, with their parameters as text */
  private current: { runId: string; key: string } | undefined;
  private queued: { runId: string; key: string } | undefined;
  private readonly log: Logger;

  constructor(private readonly loaded: LoadedProfile, private readonly spec: ExportProfile, private readonly ctx: PipelineContext, private readonly clock: DaemonClock, private readonly slots: RunSlots) {
    this.log = ctx.log.child({ profile: loaded.id });
  }

  start(): void {
    const trigger = this.spec.trigger;
    this.schedule = startSchedule(this.loaded.id, trigger, windowOf(this.loaded.id, trigger), { store: this.ctx.store, clock: this.clock, log: this.log }, (t) => {
      this.requestRun(t);
    });
  }

  /**
   * Asks for an export now (schedule, webhook, API). Runs go one after another; a request with
   * the parameters of the run in progress or waiting joins it, a third set while one waits is busy.
   */
  requestRun(trigger: string, params?: RunParams): RunAnswer | undefined {
    if (this.stopped) return undefined;
    const resolved = params ?? defaultParams(this.loaded);
    const key = JSON.stringify(resolved.texts);
    if (this.queued !== undefined) {
      return this.queued.key === key ? { runId: this.queued.runId, coalesced: true } : { busy: `an export of ${this.loaded.id} with other parameters is already waiting (${this.queued.runId})` };
    }
    if (this.current?.key === key) return { runId: this.current.runId, coalesced: true };
    const request = { runId: newId('r'), key };
    this.queued = request;
    this.running = this.running.then(async () => {
      this.queued = undefined;
      this.current = request;
      try {
        await this.run(trigger, resolved, request.runId);
      } finally {
        this.current = undefined;
      }
    });
    return { runId: request.runId, coalesced: false };
  }

  private async run(trigger: string, params: RunParams, runId: string): Promise<void> {
    if (this.stopped) return;
    const release = await this.slots.acquire();
    try {
      await runExport(this.ctx, this.loaded, this.spec, params, trigger, runId);
    } catch (err) {
      if (!this.ctx.signal.aborted) this.log.error({ err }, 'the export stopped');
    } finally {
      release();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.schedule?.stop();
    await this.running;
  }
}
