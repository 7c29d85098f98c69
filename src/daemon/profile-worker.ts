import { watch, type FSWatcher } from 'chokidar';

import { FerryError } from '../errors.js';
import type { Logger } from '../log.js';
import { continueBatch, type PipelineContext, sourceFs } from '../pipeline/process-batch.js';
import type { SourceHealth } from '../store/types.js';
import { notificationsFor } from '../notify/build-notifications.js';
import { defaultParams, runProfile } from '../pipeline/run-profile.js';
import type { RunParams } from '../profiles/run-params.js';
import { newId } from '../util/ids.js';
import { durationMs } from '../profiles/schema-helpers.js';
import type { LoadedProfile } from '../profiles/types.js';
import type { BatchWindow } from '../scheduler/types.js';
import { FolderSource } from '../sources/folder-source.js';
import type { DaemonClock } from './daemon-clock.js';
import type { RunAnswer } from './types.js';
import { RunSlots } from './run-slots.js';
import { ExpectWatch } from './expect-watch.js';
import { type ScheduleTrigger, startSchedule, windowOf } from './schedule-trigger.js';

/** A run asked for by a schedule, a webhook or the API. */
interface RunRequest {
  readonly trigger: string;
  readonly runId: string;
  /** the parameters as text, to tell requests for the same run apart from others */
  readonly key: string;
  readonly params?: RunParams;
  /** only this file of the source folder (by name) */
  readonly file?: string;
}


/** How long a stopped batch rests before the worker tries it again (FERRY_RESUME_AFTER, ms). */
const RESUME_AFTER_MS = Number(process.env.FERRY_RESUME_AFTER ?? 30_000);

/**
 * Keeps one profile's source under watch: a scan at start-up (chokidar's write-finish check does
 * not cover files that are already there), a scan after file events, a scan every `trigger.every`,
 * and a scan at each `trigger.cron` fire time. A profile with `cron` alone is scanned only on its
 * schedule. With a `window`, files wait outside it and are taken when it opens. Scans never
 * overlap, and files are processed one batch at a time per profile. Events only say "look
 * again": the scan decides what is stable, so a file still being written is looked at again.
 */
export class ProfileWorker {
  private readonly source: FolderSource;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private again = false;
  private stopped = false;
  private suspended: string | undefined;
  private failures = 0;
  /** monotonic (performance.now): a clock step must not stretch or skip the back-off */
  private retryAt = 0;
  private lastOkAt: number | null = null;
  private lastError: string | null = null;
  private lastErrorAt: number | null = null;
  private readonly log: Logger;
  private readonly window: BatchWindow | undefined;
  private schedule: ScheduleTrigger | undefined;
  private expect: ExpectWatch | undefined;
  private windowTimer: NodeJS.Timeout | undefined;
  /** a run asked for by a schedule or a webhook, taken by the next scan */
  private pending: RunRequest | undefined;
  /** the runs of the scans in progress, with their parameters as text */
  private readonly current = new Map<string, string>();
  private readonly scans = new Set<Promise<void>>();
  /** `trigger.maxRuns`: runs of this profile at once (default 1) */
  private readonly maxRuns: number;
  /** when the last scan ended, and its error */
  lastScan: { at: number; error: string | null; waiting: number } | undefined;

  constructor(private readonly loaded: LoadedProfile, private readonly ctx: () => PipelineContext, private readonly clock: DaemonClock, private readonly slots: RunSlots = new RunSlots(Number.MAX_SAFE_INTEGER)) {
    const source = loaded.profile.source;
    if (source === undefined || source.type === 'http' || source.type === 'amqp') throw new Error(`profile ${loaded.id} has no folder source`);
    this.log = ctx().log.child({ profile: loaded.id });
    this.source = new FolderSource(source, sourceFs(ctx(), loaded), this.log);
    const trigger = loaded.profile.trigger;
    this.window = windowOf(loaded.id, trigger);
    this.maxRuns = trigger?.maxRuns ?? 1;
  }

  /** Starts the triggers and the first scan. */
  start(): void {
    try {
      defaultParams(this.loaded);
    } catch (err) {
      this.log.error({ err }, 'this profile needs parameters that have no default; it runs only by hand (ferry run --param) or through the API');
      return;
    }
    const trigger = this.loaded.profile.trigger;
    const scheduled = trigger?.cron !== undefined;
    if (this.loaded.profile.expect !== undefined) {
      this.expect = new ExpectWatch(this.loaded.id, this.loaded.profile.expect, trigger?.timezone, this.ctx().store, this.clock, this.log, (event, payload) => notificationsFor(this.loaded, event, payload, null));
      this.expect.start().catch((err: unknown) => this.log.error({ err }, 'the expected-arrival watch could not start'));
    }
    this.schedule = startSchedule(this.loaded.id, trigger, this.window, { store: this.ctx().store, clock: this.clock, log: this.log }, (t) => {
      this.requestRun(t);
    });
    // a profile with cron, webhook or queue alone runs only when they say so; every or watch add the folder's own triggers
    if ((scheduled || trigger?.webhook !== undefined || trigger?.queue !== undefined) && trigger?.every === undefined && trigger?.watch !== true) return;
    if (trigger?.watch !== false && this.loaded.profile.source?.type === 'local') {
      this.watcher = watch(this.source.dir, { depth: 0, ignoreInitial: true, awaitWriteFinish: false });
      this.watcher.on('add', () => this.poke());
      this.watcher.on('change', () => this.poke());
      this.watcher.on('error', (err) => this.log.warn({ err }, 'folder watch failed; polling continues'));
    }
    const every = trigger?.every === undefined ? 60_000 : durationMs(trigger.every);
    this.timer = setInterval(() => this.poke(), Math.max(every, 200));
    this.poke();
  }

  /**
   * Asks for a run of the profile now (a schedule, a webhook, the API): the next scan records a
   * run even when it finds no file. A request with the same parameters as the run waiting or in
   * progress is not started twice: the answer names that run and says it was coalesced. Other
   * parameters start beside it up to `trigger.maxRuns`, else queue one run after it; while that one
   * waits, a third set is refused as busy. With `file`, the run takes only that file of the
   * source folder (when it is there and complete). Undefined when the profile is stopped or
   * suspended.
   */
  requestRun(trigger: string, params?: RunParams, file?: string): RunAnswer | undefined {
    if (this.stopped || this.suspended !== undefined) return undefined;
    const texts = (params ?? defaultParams(this.loaded)).texts;
    const key = file === undefined ? JSON.stringify(texts) : JSON.stringify({ texts, file });
    if (this.pending !== undefined) {
      if (this.pending.key === key) return { runId: this.pending.runId, coalesced: true };
      return { busy: `a run of ${this.loaded.id} with other parameters is already waiting (${this.pending.runId}); ask again once it has started` };
    }
    for (const [runId, running] of this.current) if (running === key) return { runId, coalesced: true };
    const runId = newId('r');
    this.pending = { trigger, runId, key, ...(params === undefined ? {} : { params }), ...(file === undefined ? {} : { file }) };
    this.poke();
    return { runId, coalesced: false };
  }

  /**
   * Asks for a scan soon; a scan in progress is followed by one more. A requested run may start
   * beside those in progress, up to `trigger.maxRuns`; the folder's own scans never overlap.
   */
  poke(): void {
    if (this.stopped || this.suspended !== undefined) return;
    const limit = this.pending === undefined ? 1 : this.maxRuns;
    if (this.scans.size >= limit) {
      this.again = true;
      return;
    }
    const scan: Promise<void> = this.scan().finally(() => {
      this.scans.delete(scan);
      if (this.again && !this.stopped) {
        this.again = false;
        this.poke();
      }
    });
    this.scans.add(scan);
  }

  private async scan(): Promise<void> {
    if (performance.now() < this.retryAt) return;
    const request = this.pending;
    // cron runs are already held for the window; anything else waits for it to open
    if (request?.trigger.startsWith('cron') !== true && this.window !== undefined && !this.window.contains(this.clock.now())) {
      this.waitForWindow(this.window);
      return;
    }
    this.pending = undefined;
    // from here on a request with the same parameters joins this run instead of asking for another
    const runId = request?.runId ?? newId('r');
    this.current.set(runId, request?.key ?? JSON.stringify(defaultParams(this.loaded).texts));
    try {
      await this.scanNow(request, runId);
    } finally {
      this.current.delete(runId);
    }
  }

  private async scanNow(request: RunRequest | undefined, runId: string): Promise<void> {
    const ctx = this.ctx();
    const now = Date.now();
    try {
      await this.resumeStopped(ctx);
      const { ready, waiting } = await this.source.listStable();
      this.failures = 0;
      this.lastOkAt = Date.now();
      await this.record(ctx, { state: 'ok', lastPollAt: now, waiting, lastError: this.lastError, lastErrorAt: this.lastErrorAt });
      if (ready.length > 0 || request !== undefined) {
        const trigger = request?.trigger ?? (this.loaded.profile.source?.type === 'local' ? 'watch' : 'poll');
        const release = await this.slots.acquire();
        let result: Awaited<ReturnType<typeof runProfile>>;
        try {
          const only = request?.file;
          const files = only === undefined ? ready : ready.filter((f) => f.name === only || f.path === only || f.path.endsWith(`/${only}`));
          result = await runProfile(ctx, this.loaded, files, trigger, request?.params, runId);
        } finally {
          release();
        }
        if (result.batches.length > 0) await this.expect?.arrived(result.batches);
        const auth = result.batches.find((b) => b.errorCode === 'E_TARGET_AUTH');
        if (auth !== undefined) {
          this.suspended = auth.errorMessage ?? 'the target refused our credentials';
          this.log.error({ reason: this.suspended }, 'profile suspended: fix target.auth and restart ferry');
        }
      }
      this.lastScan = { at: Date.now(), error: null, waiting };
      // files seen but not yet stable get another look soon, not only at the next poll
      if (waiting > 0 && !this.stopped) setTimeout(() => this.poke(), 500).unref();
    } catch (err) {
      if (ctx.signal.aborted) return;
      this.failures++;
      ctx.metrics.countPollError(this.loaded.id, err instanceof FerryError ? err.code : 'E_INTERNAL');
      this.lastError = err instanceof Error ? err.message : String(err);
      this.lastErrorAt = Date.now();
      // a server that is down is asked again later and later (1 s, 2 s, … 5 min), not at every tick
      const backoff = Math.min(1000 * 2 ** (this.failures - 1), 300_000);
      this.retryAt = performance.now() + backoff;
      setTimeout(() => this.poke(), backoff + 10).unref();
      this.lastScan = { at: Date.now(), error: this.lastError, waiting: 0 };
      if (this.failures === 1 || this.failures % 10 === 0) this.log.error({ err, failures: this.failures, retryInMs: backoff }, 'polling the source failed');
      await this.record(ctx, { state: 'down', lastPollAt: now, waiting: 0, lastError: this.lastError, lastErrorAt: this.lastErrorAt }).catch(() => undefined);
    }
  }

  /** Arms one scan for when the window opens (files found outside it wait until then). */
  private waitForWindow(window: BatchWindow): void {
    if (this.windowTimer !== undefined || this.stopped) return;
    const opening = window.nextOpening(this.clock.now());
    this.log.debug({ opensAt: opening.toISOString() }, 'outside the batch window; files wait');
    this.windowTimer = setTimeout(() => {
      this.windowTimer = undefined;
      this.poke();
    }, Math.min(this.clock.delayUntil(opening), 2 ** 31 - 1));
  }

  /**
   * Batches of this profile that stopped on a transient error (a dropped connection, a full disk)
   * are taken up again here, a while after their last attempt, so that the daemon does not need a
   * restart to finish them; so are batches whose instance died (its lease ran out), which another
   * instance on the same store takes over.
   */
  private async resumeStopped(ctx: PipelineContext): Promise<void> {
    const me = ctx.store.instanceId;
    const mine = (await ctx.store.listUnfinished()).filter((b) => b.profile === this.loaded.id && b.owner === me && Date.now() - b.updatedAt >= RESUME_AFTER_MS);
    const orphans = await ctx.store.takeOverBatches(this.loaded.id);
    if (orphans.length > 0) this.log.info({ batches: orphans.map((b) => b.id), from: [...new Set(orphans.map((b) => b.owner))] }, 'taking over batches whose instance stopped');
    for (const batch of [...orphans, ...mine]) {
      if (this.stopped) return;
      this.log.info({ batch: batch.id, state: batch.state }, 'resuming a stopped batch');
      try {
        await continueBatch(ctx, batch, this.loaded);
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        await ctx.store.updateBatch(batch.id, { errorMessage: err instanceof Error ? err.message : String(err) });
        this.log.warn({ err, batch: batch.id }, 'the batch stopped again; it is retried later');
      }
    }
  }

  private async record(ctx: PipelineContext, h: Pick<SourceHealth, 'state' | 'lastPollAt' | 'waiting' | 'lastError' | 'lastErrorAt'>): Promise<void> {
    await ctx.store.recordSourceHealth({ ...h, profile: this.loaded.id, connection: this.source.fs.label, lastOkAt: this.lastOkAt, pid: process.pid });
  }

  /** Stops the triggers; resolves when the scan in progress has stopped. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.schedule?.stop();
    this.expect?.stop();
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.windowTimer !== undefined) clearTimeout(this.windowTimer);
    await this.watcher?.close();
    await Promise.all([...this.scans]);
  }
}
