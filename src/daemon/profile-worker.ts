import { watch, type FSWatcher } from 'chokidar';

import type { Logger } from '../log.js';
import type { PipelineContext } from '../pipeline/process-batch.js';
import { runProfile } from '../pipeline/run-profile.js';
import { durationMs } from '../profiles/schema-helpers.js';
import type { LoadedProfile } from '../profiles/types.js';
import { sourceFs } from '../pipeline/process-batch.js';
import { FolderSource } from '../sources/folder-source.js';

/**
 * Keeps one profile's local folder under watch: a scan at start-up (chokidar's write-finish check
 * does not cover files that are already there), a scan after file events, and a scan every
 * `trigger.every`. Scans never overlap, and files are processed one batch at a time per profile.
 * Events only say "look again": the scan decides what is stable, so a file still being written is
 * looked at again until it is.
 */
export class ProfileWorker {
  private readonly source: FolderSource;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private suspended: string | undefined;
  private readonly log: Logger;
  /** when the last scan ended, and its error */
  lastScan: { at: number; error: string | null; waiting: number } | undefined;

  constructor(private readonly loaded: LoadedProfile, private readonly ctx: () => PipelineContext) {
    const source = loaded.profile.source;
    if (source === undefined || source.type === 'http') throw new Error(`profile ${loaded.id} has no folder source`);
    this.log = ctx().log.child({ profile: loaded.id });
    this.source = new FolderSource(source, sourceFs(ctx(), loaded), this.log);
  }

  /** Starts the triggers and the first scan. */
  start(): void {
    const trigger = this.loaded.profile.trigger;
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

  /** Asks for a scan soon; a scan in progress is followed by one more. */
  poke(): void {
    if (this.stopped || this.suspended !== undefined) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.running = this.scan().finally(() => {
      this.running = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        this.poke();
      }
    });
  }

  private async scan(): Promise<void> {
    try {
      const { ready, waiting } = await this.source.listStable();
      if (ready.length > 0) {
        const result = await runProfile(this.ctx(), this.loaded, ready, 'watch');
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
      if (this.ctx().signal.aborted) return;
      this.lastScan = { at: Date.now(), error: err instanceof Error ? err.message : String(err), waiting: 0 };
      this.log.error({ err }, 'scan failed');
    }
  }

  /** Stops the triggers; resolves when the scan in progress has stopped. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.watcher?.close();
    await this.running;
  }
}
