import { startAdminServer } from '../../admin/admin-server.js';
import { daemonClock, type DaemonClock } from '../../daemon/daemon-clock.js';
import { NotificationSender } from '../../daemon/notification-sender.js';
import { ProfileSupervisor } from '../../daemon/profile-supervisor.js';
import { ReprocessJobs } from '../../daemon/reprocess-jobs.js';
import { type RunSlots, runSlotsFromEnv } from '../../daemon/run-slots.js';
import { MetricsRegistry } from '../../metrics/metrics-registry.js';
import { resumeUnfinished } from '../../pipeline/run-profile.js';
import { formatProblem, loadProfileSet } from '../../profiles/load.js';
import type { GlobalOptions } from '../options.js';
import { openRuntimeOrReport } from '../runtime.js';
import type { CommandIo } from '../types.js';

/** How long a graceful stop may take before ferry exits anyway (FERRY_SHUTDOWN_TIMEOUT, ms). */
const SHUTDOWN_MS = Number(process.env.FERRY_SHUTDOWN_TIMEOUT ?? 8000);

/**
 * `ferry start`: the daemon. Loads every profile (refusing to start on an invalid one), takes the
 * store's instance lock, resumes unfinished batches, watches every source, and reloads profiles
 * edited while it runs (see ProfileSupervisor). SIGTERM or
 * SIGINT stops the triggers, aborts deliveries in flight (their batches stay committed at the
 * last chunk and resume at the next start) and exits 0; a second signal exits at once.
 */
export async function startCommand(options: GlobalOptions, io: CommandIo): Promise<number> {
  const set = await loadProfileSet(options.profiles);
  for (const p of set.problems) io.err(formatProblem(p));
  if (set.problems.some((p) => p.severity === 'error')) {
    io.err('ferry start: fix the profiles above first (ferry check lists them)');
    return 2;
  }
  let clock: DaemonClock;
  let slots: RunSlots;
  try {
    clock = daemonClock();
    slots = runSlotsFromEnv();
  } catch (err) {
    io.err(`ferry start: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  const metrics = new MetricsRegistry();
  const runtime = await openRuntimeOrReport(options, io, metrics);
  if (runtime === undefined) return 2;
  metrics.readLedger(runtime.store, { runs: () => ({ inUse: slots.inUse, queued: slots.queued }) });
  const { log } = runtime;
  const controller = new AbortController();
  const ctx = runtime.context(controller.signal);
  const supervisor = new ProfileSupervisor(options.profiles, ctx, clock, log, slots);
  const reprocessJobs = new ReprocessJobs(ctx, options.profiles, slots, log);
  let admin: Awaited<ReturnType<typeof startAdminServer>> | undefined;
  try {
    admin = await startAdminServer(options.listen, {
      store: runtime.store, remotes: runtime.remotes, startedAt: Date.now(), profilesDir: options.profiles, dataDir: runtime.dataDir,
      reprocess: (id, o) => reprocessJobs.start(id, o), invalidProfiles: () => supervisor.invalid, hookTarget: (id) => supervisor.hookTarget(id), uploadTarget: (id) => supervisor.uploadTarget(id), runs: () => ({ inUse: slots.inUse, queued: slots.queued }), metrics,
    }, log);
  } catch (err) {
    io.err(`ferry start: the admin server cannot listen on ${options.listen}: ${err instanceof Error ? err.message : String(err)}`);
    await runtime.close();
    return 2;
  }

  const stopped = new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals++;
      if (signals > 1) {
        log.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      log.info({ signal }, 'stopping: no new files; deliveries in flight are checkpointed');
      setTimeout(() => {
        log.warn('graceful stop took too long; exiting');
        process.exit(1);
      }, SHUTDOWN_MS).unref();
      resolve();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });

  log.info({ profiles: [...set.profiles.keys()], store: options.store.replace(/\/\/[^@]*@/, '//***@') }, 'ferry started');
  const resuming = resumeUnfinished(ctx, set.profiles).catch((err: unknown) => {
    if (!controller.signal.aborted) log.error({ err }, 'resuming unfinished batches failed');
    return [];
  });
  const sender = new NotificationSender(runtime.store, (profile, url) => supervisor.notifyEndpoint(profile, url), log.child({ component: 'notifications' }), metrics);
  const startWorkers = resuming.then(async () => {
    if (controller.signal.aborted) return;
    await supervisor.start(set);
    sender.start();
    log.info({ watching: supervisor.size }, 'watching sources');
  });

  await stopped;
  controller.abort(new Error('ferry is stopping'));
  await Promise.allSettled([resuming, startWorkers]);
  await supervisor.stop();
  await reprocessJobs.settled();
  await sender.stop();
  await admin.close();
  await runtime.close();
  log.info('ferry stopped');
  return 0;
}
