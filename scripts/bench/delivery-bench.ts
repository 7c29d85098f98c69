/**
 * Issue 3's delivery benchmark: the reference CSV from a local folder to a local HTTP target,
 * ferry end to end against the floor, with a parsing and a discarding target; 1,000 small files;
 * the state store's share; a CPU profile of one ferry run. Called by run.ts after the CSV
 * benchmark; writes `.bench/results-delivery.md` and `.bench/results-delivery.json`.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { acquireBenchLock } from './bench-lock.js';
import { snapshotBuild } from './build-snapshot.js';
import { summarizeCpuProfile, type FrameGroup } from './cpu-profile-summary.js';
import { runFerryOnce, runFloorOnce, type DeliveryCaseKind, type DeliveryEnv, type DeliveryRun } from './delivery-cases.js';
import { renderDeliveryReport, type DeliveryCaseResult, type DeliveryResults, type ProfiledRun, type StoreShare } from './delivery-report.js';
import { ensureReferenceCsv, type ReferenceCsv } from './generate-csv.js';
import type { MachineInfo } from './machine-info.js';
import { formatSeconds } from './markdown-table.js';
import { rssMethod } from './measured-process.js';
import { median } from './measure.js';
import { sliceReferenceCsv, writeSmallFiles } from './small-files.js';
import { replayStorePlan, type StorePlan, type StoreTiming } from './store-share.js';
import { startTargetProcess, type TargetMode, type TargetProcess } from './target-process.js';

/** What run.ts hands over. */
export interface DeliveryBenchOptions {
  readonly repoRoot: string;
  /** `.bench/` */
  readonly outDir: string;
  readonly machine: MachineInfo;
  /** 1M only, one run per case, no 3M. */
  readonly quick: boolean;
}

const BATCH_SIZE = 1000;
const CONCURRENCY = 4;
const SMALL_FILES = 1000;
const SMALL_ROWS = 10;

interface CaseSpec {
  readonly kind: DeliveryCaseKind;
  readonly target: TargetMode;
  readonly input: string;
  readonly rounds: number;
  readonly run: () => Promise<DeliveryRun>;
}

function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** Runs the specs round-robin (drift on a shared machine hits every case alike). */
async function runSpecs(specs: readonly CaseSpec[]): Promise<DeliveryCaseResult[]> {
  const results = specs.map((spec): { spec: CaseSpec; runs: DeliveryRun[]; error?: string } => ({ spec, runs: [] }));
  const rounds = Math.max(...specs.map((spec) => spec.rounds));
  for (let round = 1; round <= rounds; round++) {
    for (const entry of results) {
      const { spec } = entry;
      if (round > spec.rounds || entry.error !== undefined) continue;
      const label = `[delivery ${spec.input} ${round}/${spec.rounds}] ${spec.kind} → ${spec.target} target`;
      try {
        const run = await spec.run();
        entry.runs.push(run);
        progress(`${label}: ${formatSeconds(run.wallMs)}, ${run.records} records, peak RSS ${(run.maxRssBytes / 1e6).toFixed(0)} MB`);
      } catch (error) {
        entry.error = (error as Error).message;
        progress(`${label}: FAILED ${entry.error}`);
      }
    }
  }
  return results.map(({ spec, runs, error }) => ({
    kind: spec.kind,
    target: spec.target,
    input: spec.input,
    status: error === undefined ? 'ok' : 'failed',
    ...(error === undefined ? {} : { note: error }),
    runs,
  }));
}

function bigFileSpecs(env: DeliveryEnv, targets: readonly TargetProcess[], csv: ReferenceCsv, input: string, rounds: number, floors: boolean): CaseSpec[] {
  const file = new Map([[csv.path, `${input}.csv`]]);
  const ferry = (target: TargetProcess, kind: 'ferry' | 'ferry, streamed'): CaseSpec => ({
    kind, target: target.mode, input, rounds,
    run: () => runFerryOnce(env, target, { kind, input, files: file, expectedRecords: csv.rows }),
  });
  return targets.flatMap((target): CaseSpec[] => [
    ferry(target, 'ferry'),
    // target.stream: true (opt-in): chunks go out while the file is read
    ferry(target, 'ferry, streamed'),
    ...(floors
      ? [{ kind: 'floor' as const, target: target.mode, input, rounds, run: () => runFloorOnce(env, target, { path: csv.path, rows: csv.rows, input }) }]
      : []),
  ]);
}

function smallFileSpecs(env: DeliveryEnv, targets: readonly TargetProcess[], slices: readonly Buffer[], rounds: number): CaseSpec[] {
  const input = `${SMALL_FILES}×${SMALL_ROWS}`;
  const drop = async (inbox: string): Promise<void> => {
    await writeSmallFiles(inbox, slices);
  };
  const none = new Map<string, string>();
  const specs = targets.map((target): CaseSpec => ({
    kind: 'ferry small files', target: target.mode, input, rounds,
    run: () => runFerryOnce(env, target, { kind: 'ferry small files', input, files: none, expectedRecords: slices.length * SMALL_ROWS }, drop),
  }));
  const first = targets[0];
  if (first !== undefined) {
    specs.push({
      kind: 'ferry, no files', target: first.mode, input: 'empty inbox', rounds,
      run: () => runFerryOnce(env, first, { kind: 'ferry, no files', input: 'empty inbox', files: none, expectedRecords: 0 }),
    });
  }
  return specs;
}

const STORE_GROUP: FrameGroup = {
  label: 'state store (src/store/sqlite-store.ts and better-sqlite3)',
  matches: (url) => url.includes('/store/sqlite-store.js') || url.includes('better-sqlite3'),
};
const PHASE_GROUPS: readonly FrameGroup[] = [
  { label: 'copy + hash into staging (stageLocalFile)', matches: (_url, name) => name === 'stageLocalFile' },
  { label: 'read + map into the spool (writeSpool)', matches: (_url, name) => name === 'writeSpool' },
  { label: 'read spool + send (deliverChunks, src/targets/)', matches: (url, name) => name === 'deliverChunks' || url.includes('/src/targets/') },
  { label: 'result file (writeResultFile)', matches: (_url, name) => name === 'writeResultFile' },
];

/** One ferry run under `--cpu-prof` against `target`, summarised. */
async function profileFerry(env: DeliveryEnv, target: TargetProcess, label: string, spec: ProfiledSpec): Promise<ProfiledRun> {
  const dir = await mkdtemp(join(env.workDir, 'cpu-prof-'));
  try {
    const run = await runFerryOnce(env, target, { ...spec.run, nodeFlags: ['--cpu-prof', '--cpu-prof-dir', dir] }, spec.prepare);
    const profile = (await readdir(dir)).find((name) => name.endsWith('.cpuprofile'));
    if (profile === undefined) throw new Error('node --cpu-prof wrote no profile');
    const summary = await summarizeCpuProfile(join(dir, profile), env.buildRoot, [STORE_GROUP, ...PHASE_GROUPS]);
    return { label, wallMs: run.wallMs, summary };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface ProfiledSpec {
  readonly run: Parameters<typeof runFerryOnce>[2];
  readonly prepare?: (inbox: string) => Promise<void>;
}

/** Profiles one big-file run and one small-files run against the discarding target (ferry's own costs). */
async function profileRuns(env: DeliveryEnv, discard: TargetProcess, csv: ReferenceCsv, slices: readonly Buffer[]): Promise<ProfiledRun[]> {
  const specs: [string, ProfiledSpec][] = [
    ['1M rows, one file, discard target', { run: { kind: 'ferry', input: '1M', files: new Map([[csv.path, '1M.csv']]), expectedRecords: csv.rows } }],
    [
      `${SMALL_FILES} files × ${SMALL_ROWS} rows, discard target`,
      {
        run: { kind: 'ferry small files', input: `${SMALL_FILES}×${SMALL_ROWS}`, files: new Map(), expectedRecords: slices.length * SMALL_ROWS },
        prepare: async (inbox) => {
          await writeSmallFiles(inbox, slices);
        },
      },
    ],
  ];
  const profiled: ProfiledRun[] = [];
  for (const [label, spec] of specs) {
    progress(`[delivery] profiling one ferry run (${label})`);
    try {
      profiled.push(await profileFerry(env, discard, label, spec));
    } catch (error) {
      progress(`[delivery] profile FAILED ${(error as Error).message}`);
    }
  }
  return profiled;
}

async function storeShare(env: DeliveryEnv, label: string, plan: StorePlan, ferry: FerryTimes | undefined, reps: number): Promise<StoreShare> {
  const timings: StoreTiming[] = [];
  for (let i = 0; i < reps; i++) timings.push(await replayStorePlan(env.workDir, plan));
  const totalMs = median(timings.map((t) => t.callsMs + t.openCloseMs));
  return {
    label, plan, calls: timings[0]?.calls ?? 0, totalMs,
    ferryWallMs: ferry?.wallMs ?? null,
    share: ferry === undefined ? null : totalMs / ferry.wallMs,
    ferryCpuMs: ferry?.cpuMs ?? null,
    cpuShare: ferry?.cpuMs === undefined || ferry.cpuMs === null ? null : totalMs / ferry.cpuMs,
  };
}

interface FerryTimes {
  readonly wallMs: number;
  readonly cpuMs: number | null;
}

function ferryTimes(cases: readonly DeliveryCaseResult[], kind: DeliveryCaseKind, input: string, target: TargetMode): FerryTimes | undefined {
  const found = cases.find((c) => c.kind === kind && c.input === input && c.target === target && c.status === 'ok');
  if (found === undefined || found.runs.length === 0) return undefined;
  const cpu = found.runs.map((r) => r.cpuMs);
  return {
    wallMs: median(found.runs.map((r) => r.wallMs)),
    cpuMs: cpu.every((ms): ms is number => ms !== null) ? median(cpu) : null,
  };
}

/** The work dir, inputs and targets of one benchmark run, set up by {@link runDeliveryBench}. */
interface Prepared {
  readonly env: DeliveryEnv;
  readonly ref1m: ReferenceCsv;
  readonly ref3m: ReferenceCsv | undefined;
  readonly slices: readonly Buffer[];
  readonly parse: TargetProcess;
  readonly discard: TargetProcess;
  readonly build: string;
}

async function measureAll(options: DeliveryBenchOptions, prepared: Prepared): Promise<readonly string[]> {
  const { outDir, quick } = options;
  const { env, ref1m, ref3m, slices, parse, discard, build } = prepared;
  const rounds = quick ? 1 : 3;
  const targets = [parse, discard];
  const cases = await runSpecs([
    ...bigFileSpecs(env, targets, ref1m, '1M', rounds, true),
    ...smallFileSpecs(env, targets, slices, rounds),
  ]);
  if (ref3m !== undefined) cases.push(...(await runSpecs(bigFileSpecs(env, targets, ref3m, '3M', 1, true))));
  const profiles = await profileRuns(env, discard, ref1m, slices);
  progress('[delivery] replaying the store calls');
  const smallInput = `${SMALL_FILES}×${SMALL_ROWS}`;
  const store = [
    await storeShare(env, '1M rows, one file (1,000 chunks)', { files: 1, chunksPerFile: 1_000_000 / BATCH_SIZE, recordsPerChunk: BATCH_SIZE }, ferryTimes(cases, 'ferry', '1M', 'parse'), 3),
    await storeShare(env, `${SMALL_FILES} files × ${SMALL_ROWS} rows`, { files: SMALL_FILES, chunksPerFile: 1, recordsPerChunk: SMALL_ROWS }, ferryTimes(cases, 'ferry small files', smallInput, 'parse'), 3),
  ];
  const results: DeliveryResults = {
    date: new Date().toISOString(), machine: options.machine, quick, runsPerCase: rounds,
    batchSize: BATCH_SIZE, concurrency: CONCURRENCY, rssMethod: rssMethod(), build, cases, store, profiles,
  };
  const report = renderDeliveryReport(results);
  process.stdout.write(`${report.markdown}\n`);
  await writeFile(join(outDir, 'results-delivery.md'), `${report.markdown}\n`);
  await writeFile(join(outDir, 'results-delivery.json'), `${JSON.stringify({ ...results, problems: report.problems }, null, 2)}\n`);
  progress(`wrote ${join(outDir, 'results-delivery.md')} and results-delivery.json`);
  return report.problems;
}

/**
 * Runs the whole delivery benchmark and writes its report; returns the problems (failed cases).
 * Refuses to start while another delivery benchmark runs on this checkout.
 */
export async function runDeliveryBench(options: DeliveryBenchOptions): Promise<readonly string[]> {
  const { repoRoot, outDir, quick } = options;
  await mkdir(outDir, { recursive: true });
  const release = await acquireBenchLock(join(outDir, 'delivery-bench.lock'), 'delivery benchmark');
  const started: TargetProcess[] = [];
  // Our own folder, so that leftovers of an interrupted run never mix with this one's.
  const workDir = await mkdtemp(join(outDir, 'delivery-work-'));
  try {
    const build = await snapshotBuild(repoRoot, import.meta.dirname, join(workDir, 'build'));
    const env: DeliveryEnv = {
      buildRoot: join(workDir, 'build'), ferryBin: build.ferryBin, benchDir: build.benchDir,
      workDir, baseProfile: join(repoRoot, 'scripts', 'bench', 'profiles', 'reference-orders.yaml'),
      batchSize: BATCH_SIZE, concurrency: CONCURRENCY,
    };
    const ref1m = await ensureReferenceCsv(outDir, 1_000_000);
    const ref3m = quick ? undefined : await ensureReferenceCsv(outDir, 3_000_000);
    const slices = await sliceReferenceCsv(ref1m.path, SMALL_FILES, SMALL_ROWS);
    const parse = await startTargetProcess('parse', env.benchDir);
    started.push(parse);
    const discard = await startTargetProcess('discard', env.benchDir);
    started.push(discard);
    return await measureAll(options, { env, ref1m, ref3m, slices, parse, discard, build: build.description });
  } finally {
    await Promise.all(started.map((target) => target.stop()));
    await rm(workDir, { recursive: true, force: true });
    await release();
  }
}
