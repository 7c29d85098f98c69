import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

import { watch, type FSWatcher } from 'chokidar';

import type { HookTarget, UploadTarget } from '../admin/types.js';
import type { Logger } from '../log.js';
import type { Endpoint } from '../notify/types.js';
import { endpointOf } from '../notify/endpoint-of.js';
import type { PipelineContext } from '../pipeline/process-batch.js';
import { formatProblem, loadProfileSet, profileIdOf } from '../profiles/load.js';
import type { LoadedProfile, ProfileSet } from '../profiles/types.js';
import type { DaemonClock } from './daemon-clock.js';
import { ExportWorker } from './export-worker.js';
import { ProfileWorker } from './profile-worker.js';
import { QueueIntake } from './queue-intake.js';
import { RunSlots } from './run-slots.js';
import { UploadReceiver } from './upload-receiver.js';

/** Edits arriving within this many ms are read as one (editors write in several steps). */
const RELOAD_DEBOUNCE_MS = Number(process.env.FERRY_RELOAD_DEBOUNCE ?? 300);

interface Running {
  readonly loaded: LoadedProfile;
  readonly fingerprint: string;
  readonly worker: ProfileWorker;
}

/** What decides that a profile must be restarted: its file, and the connections it uses. */
function fingerprintOf(loaded: LoadedProfile): string {
  return `${loaded.contentHash}\n${JSON.stringify(loaded.connections)}`;
}

/** Profiles the daemon runs a worker for: a folder source and a target. */
function runnable(loaded: LoadedProfile): boolean {
  const type = loaded.profile.source?.type;
  return type !== undefined && type !== 'http' && type !== 'amqp' && loaded.profile.target !== undefined;
}

/** Profiles that take uploads: an http source and a target. */
function receives(loaded: LoadedProfile): boolean {
  return loaded.profile.source?.type === 'http' && loaded.profile.target !== undefined;
}

/**
 * Runs one worker per profile and keeps them in step with the profiles folder: an added profile
 * starts, a removed one stops, an edited one is restarted with its new version once its run in
 * progress has finished (so a run ends with the version it started with). An edit that makes a
 * profile invalid keeps the last valid version running; its problems go to the log, the state
 * store (`ferry status`) and `/healthz` until the file is fixed.
 */
export class ProfileSupervisor {
  private readonly running = new Map<string, Running>();
  private readonly receivers = new Map<string, { readonly fingerprint: string; readonly receiver: UploadReceiver }>();
  private readonly exports = new Map<string, { readonly fingerprint: string; readonly worker: ExportWorker }>();
  /** `trigger.queue` consumers and amqp sources */
  private readonly queues: QueueIntake;
  /** every valid profile as last loaded, for the notification sender */
  private readonly profiles = new Map<string, LoadedProfile>();
  /** profile → its problems, while its file is invalid */
  readonly invalid = new Map<string, string[]>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reloading: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly log: Logger;

  constructor(private readonly dir: string, private readonly ctx: PipelineContext, private readonly clock: DaemonClock, log: Logger, private readonly slots: RunSlots = new RunSlots(4)) {
    this.log = log.child({ component: 'profiles' });
    this.queues = new QueueIntake(ctx, slots, (id) => this.hookTarget(id), log);
  }

  /** The number of profiles with a worker or taking uploads. */
  get size(): number {
    return this.running.size + this.receivers.size + this.exports.size + this.queues.size;
  }

  /** Starts a worker for each runnable profile of `set`, then watches the folder for edits. */
  async start(set: ProfileSet): Promise<void> {
    // problems recorded by an earlier daemon: the profiles it starts with are all valid
    for (const old of await this.ctx.store.listProfileProblems()) await this.ctx.store.saveProfileProblems(old.profile, []);
    await this.apply(set);
    this.watcher = watch(resolve(this.dir), { depth: 0, ignoreInitial: true });
    const changed = (): void => this.scheduleReload();
    this.watcher.on('add', changed).on('change', changed).on('unlink', changed);
    this.watcher.on('error', (err) => this.log.warn({ err }, 'watching the profiles folder failed; edits need a restart'));
  }

  private scheduleReload(): void {
    if (this.stopped) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.reloading = this.reloading.then(() => this.reload()).catch((err: unknown) => this.log.error({ err }, 'reloading the profiles failed'));
    }, RELOAD_DEBOUNCE_MS);
  }

  /** Reads the folder again and applies what changed. */
  async reload(): Promise<void> {
    if (this.stopped) return;
    const set = await loadProfileSet(this.dir);
    await this.apply(set);
  }

  private async apply(set: ProfileSet): Promise<void> {
    const problemsOf = new Map<string, string[]>();
    for (const p of set.problems) {
      if (p.severity === 'warning') continue;
      const file = basename(p.file);
      const id = /\.ya?ml$/.test(file) && file !== 'connections.yaml' ? profileIdOf(file) : '(connections)';
      problemsOf.set(id, [...(problemsOf.get(id) ?? []), formatProblem(p)]);
    }
    const changes: Promise<void>[] = [];
    for (const id of [...this.profiles.keys()]) if (!set.profiles.has(id) && !problemsOf.has(id)) this.profiles.delete(id);
    for (const [id, loaded] of set.profiles) {
      this.profiles.set(id, loaded);
      const current = this.running.get(id);
      const exporting = this.exports.get(id);
      if (loaded.export !== undefined && exporting?.fingerprint !== fingerprintOf(loaded)) {
        const worker = new ExportWorker(loaded, loaded.export, this.ctx, this.clock, this.slots);
        changes.push((exporting?.worker.stop() ?? Promise.resolve()).then(() => {
          if (this.stopped) return;
          this.exports.set(id, { fingerprint: fingerprintOf(loaded), worker });
          worker.start();
        }));
      } else if (loaded.export === undefined && exporting !== undefined) {
        this.exports.delete(id);
        changes.push(exporting.worker.stop());
      }
      const receiving = this.receivers.get(id);
      if (receives(loaded) && receiving?.fingerprint !== fingerprintOf(loaded)) {
        this.receivers.set(id, { fingerprint: fingerprintOf(loaded), receiver: new UploadReceiver(loaded, this.ctx, this.slots) });
        if (receiving !== undefined) changes.push(receiving.receiver.stop());
      } else if (!receives(loaded) && receiving !== undefined) {
        this.receivers.delete(id);
        changes.push(receiving.receiver.stop());
      }
      changes.push(this.queues.update(loaded, fingerprintOf(loaded)));
      if (!runnable(loaded)) {
        if (current !== undefined) changes.push(this.stopWorker(id, 'it no longer has a source and a target'));
        continue;
      }
      const fingerprint = fingerprintOf(loaded);
      if (current?.fingerprint === fingerprint) continue;
      changes.push(this.replace(id, loaded, fingerprint, current));
    }
    for (const id of [...this.invalid.keys()]) {
      if (problemsOf.has(id)) continue;
      this.invalid.delete(id);
      await this.ctx.store.saveProfileProblems(id, []);
    }
    for (const [id, problems] of problemsOf) {
      this.invalid.set(id, problems);
      await this.ctx.store.saveProfileProblems(id, problems);
      this.log.error({ profile: id, problems }, this.running.has(id) ? 'the edited profile is invalid; its last valid version keeps running' : 'the profile is invalid and does not run');
    }
    for (const [id, e] of [...this.exports]) {
      if (set.profiles.has(id) || problemsOf.has(id)) continue;
      this.exports.delete(id);
      changes.push(e.worker.stop());
    }
    for (const [id, r] of [...this.receivers]) {
      if (set.profiles.has(id) || problemsOf.has(id)) continue;
      this.receivers.delete(id);
      changes.push(r.receiver.stop());
    }
    for (const id of this.queues.profiles()) {
      if (!set.profiles.has(id) && !problemsOf.has(id)) changes.push(this.queues.remove(id));
    }
    for (const id of [...this.running.keys()]) {
      if (set.profiles.has(id) || problemsOf.has(id)) continue;
      if (!existsSync(join(this.dir, `${id}.yaml`)) && !existsSync(join(this.dir, `${id}.yml`))) changes.push(this.stopWorker(id, 'its file was removed'));
    }
    await Promise.all(changes);
  }

  private async replace(id: string, loaded: LoadedProfile, fingerprint: string, current: Running | undefined): Promise<void> {
    if (current !== undefined) {
      this.log.info({ profile: id }, 'profile changed; restarting it once its run in progress has finished');
      await current.worker.stop();
    }
    if (this.stopped) return;
    const worker = new ProfileWorker(loaded, () => this.ctx, this.clock, this.slots);
    this.running.set(id, { loaded, fingerprint, worker });
    worker.start();
    if (current !== undefined) this.log.info({ profile: id, version: loaded.contentHash.slice(0, 12) }, 'profile reloaded');
  }

  private async stopWorker(id: string, why: string): Promise<void> {
    const current = this.running.get(id);
    if (current === undefined) return;
    this.running.delete(id);
    this.log.info({ profile: id }, `profile stopped: ${why}`);
    await current.worker.stop();
  }

  /** What `/hooks/<id>` needs of a running profile; undefined when it does not run. */
  hookTarget(id: string): HookTarget | undefined {
    const e = this.exports.get(id);
    if (e !== undefined) {
      const loaded = this.profiles.get(id);
      return { webhook: loaded?.profile.trigger?.webhook, params: loaded?.profile.params, requestRun: (trigger, params) => e.worker.requestRun(trigger, params) };
    }
    const r = this.running.get(id);
    if (r === undefined) return undefined;
    return {
      webhook: r.loaded.profile.trigger?.webhook,
      params: r.loaded.profile.params,
      takesFile: true,
      requestRun: (trigger, params, file) => r.worker.requestRun(trigger, params, file),
    };
  }

  /** How to send to `url` for profile `id`, from its current `notify` entry; undefined when it has none. */
  notifyEndpoint(id: string, url: string): Endpoint | undefined {
    return endpointOf(this.profiles.get(id), url);
  }

  /** What `/upload/<id>` needs of a profile that takes uploads; undefined otherwise. */
  uploadTarget(id: string): UploadTarget | undefined {
    return this.receivers.get(id)?.receiver;
  }

  /** Stops watching and every worker; resolves when their runs in progress have stopped. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.watcher?.close();
    await this.reloading;
    await Promise.all([
      ...[...this.running.values()].map((r) => r.worker.stop()),
      ...[...this.receivers.values()].map((r) => r.receiver.stop()),
      ...[...this.exports.values()].map((e) => e.worker.stop()),
      this.queues.stop(),
    ]);
  }
}
