import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

import { FerryError, InputError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { NO_METRICS } from '../metrics/no-metrics.js';
import type { Metrics } from '../metrics/types.js';
import type { PipelineContext } from '../pipeline/process-batch.js';
import type { LoadedProfile } from '../profiles/types.js';
import { RemoteRegistry } from '../remote/remote-registry.js';
import { TARGETS } from '../registry.js';
import { leaseMsFromEnv } from '../store/instance-id.js';
import { type OpenMode, openStore } from '../store/open-store.js';
import type { StateStore } from '../store/types.js';
import type { Sink } from '../targets/types.js';
import type { GlobalOptions } from './options.js';
import type { CommandIo } from './types.js';

/** An opened state store and what a pipeline needs around it. */
export interface Runtime {
  readonly store: StateStore;
  readonly log: Logger;
  readonly dataDir: string;
  readonly remotes: RemoteRegistry;
  context(signal: AbortSignal): PipelineContext;
  close(): Promise<void>;
}

/**
 * Opens the store named by `--store` (SQLite or PostgreSQL) and prepares sinks, one per profile.
 * What the pipeline observes goes to `metrics` (the daemon's registry; nowhere for one-shot
 * commands).
 */
export async function openRuntime(options: GlobalOptions, mode: OpenMode, metrics: Metrics = NO_METRICS): Promise<Runtime> {
  const dataDir = resolve(options.data);
  process.env.FERRY_DATA = dataDir;
  const log = createLogger(options.logLevel);
  const store = await openStore(options.store, mode);
  // leases on the batches this process works on, renewed well before they run out
  const renewal = mode.exclusive ? setInterval(() => {
    store.renewLeases().catch((err: unknown) => log.warn({ err }, 'renewing leases failed; retried'));
  }, Math.max(200, Math.floor(leaseMsFromEnv() / 3))) : undefined;
  renewal?.unref();
  const sinks = new Map<string, Sink>();
  const remotes = new RemoteRegistry(log);
  const sinkFor = (loaded: LoadedProfile): Sink => {
    const existing = sinks.get(loaded.id);
    if (existing !== undefined) return existing;
    const target = loaded.profile.target;
    if (target === undefined) throw new InputError('E_PROFILE_INVALID', `profile ${loaded.id} has no target: there is nowhere to send its records`);
    const create = TARGETS[target.type];
    const sink = create(target, { log: log.child({ profile: loaded.id }), profile: loaded.id, metrics, ...(loaded.connections.target === undefined ? {} : { connection: loaded.connections.target }) });
    sinks.set(loaded.id, sink);
    return sink;
  };
  return {
    store,
    log,
    dataDir,
    remotes,
    context: (signal) => ({ store, dataDir, log, sink: sinkFor, remotes, signal, metrics }),
    close: async () => {
      if (renewal !== undefined) clearInterval(renewal);
      await Promise.all([...sinks.values()].map((s) => s.close()));
      await remotes.closeAll();
      await store.close();
    },
  };
}

/**
 * Opens the exclusive runtime for a command, or reports why not (another process holds the store,
 * an unsupported store URL) and returns undefined, for the command to exit 2.
 */
export async function openRuntimeOrReport(options: GlobalOptions, io: CommandIo, metrics: Metrics = NO_METRICS): Promise<Runtime | undefined> {
  try {
    return await openRuntime(options, { exclusive: true }, metrics);
  } catch (err) {
    if (err instanceof FerryError) {
      io.err(`${err.code}: ${err.message}`);
      return undefined;
    }
    throw err;
  }
}

/**
 * Runs `work` with the exclusive runtime and a signal that SIGINT/SIGTERM abort (deliveries in
 * flight are checkpointed, then the command exits); closes the runtime after. Exit 2 when the
 * runtime cannot be opened.
 */
export async function withInterruptibleRuntime(options: GlobalOptions, io: CommandIo, work: (runtime: Runtime, signal: AbortSignal) => Promise<number>): Promise<number> {
  const runtime = await openRuntimeOrReport(options, io);
  if (runtime === undefined) return 2;
  const controller = new AbortController();
  const stop = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await work(runtime, controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await runtime.close();
  }
}

/**
 * Opens the store beside a running daemon, without the instance lock (status, notifications), or
 * undefined when a SQLite store does not exist yet (nothing has run).
 */
export async function openSharedStore(options: GlobalOptions, readonly: boolean): Promise<StateStore | undefined> {
  if (options.store.startsWith('sqlite:') && !existsSync(resolve(options.store.slice('sqlite:'.length)))) return undefined;
  return openStore(options.store, { exclusive: false, readonly });
}
