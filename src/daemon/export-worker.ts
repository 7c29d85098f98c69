import { runExport } from '../exports/run-export.js';
import type { Logger } from '../log.js';
import type { PipelineContext } from '../pipeline/process-batch.js';
import { defaultParams } from '../pipeline/run-profile.js';
import type { ExportProfile } from '../profiles/export-schema.js';
import type { LoadedProfile } from '../profiles/types.js';
import { parseWindow } from '../scheduler/batch-window.js';
import { parseCron } from '../scheduler/cron-schedule.js';
import type { DaemonClock } from './daemon-clock.js';
import type { RunSlots } from './run-slots.js';
import { ScheduleTrigger } from './schedule-trigger.js';

/**
 * Runs an export profile on its `trigger.cron` (inside its `window`), one run at a time; a run
 * missed while ferry was down is made up once, as for imports. Runs take a slot of FERRY_MAX_RUNS.
 */
export class ExportWorker {
  private schedule: ScheduleTrigger | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly log: Logger;

  constructor(private readonly loaded: LoadedProfile, private readonly spec: ExportProfile, private readonly ctx: PipelineContext, private readonly clock: DaemonClock, private readonly slots: RunSlots) {
    this.log = ctx.log.child({ profile: loaded.id });
  }

  start(): void {
    const trigger = this.spec.trigger;
    if (trigger?.cron === undefined) return;
    const cron = parseCron(trigger.cron, trigger.timezone);
    if (!cron.ok) throw new Error(`profile ${this.loaded.id} trigger.cron: ${cron.message}`);
    const window = trigger.window === undefined ? undefined : parseWindow(trigger.window, trigger.timezone);
    if (window !== undefined && !window.ok) throw new Error(`profile ${this.loaded.id} trigger.window: ${window.message}`);
    this.schedule = new ScheduleTrigger({
      profile: this.loaded.id, schedule: cron.schedule, window: window?.window, makeUpMissed: trigger.makeUpMissed !== false,
      store: this.ctx.store, clock: this.clock, log: this.log,
      fire: (_due, makeUp) => {
        this.running = this.running.then(() => this.run(makeUp ? 'cron (make-up)' : 'cron'));
      },
    });
    this.schedule.start().catch((err: unknown) => this.log.error({ err }, 'the schedule could not start'));
  }

  private async run(trigger: string): Promise<void> {
    if (this.stopped) return;
    const release = await this.slots.acquire();
    try {
      await runExport(this.ctx, this.loaded, this.spec, defaultParams(this.loaded), trigger);
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
