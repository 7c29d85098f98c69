/**
 * One measured run of each delivery benchmark case: ferry on one big file, the floor on the same
 * file, ferry on many small files. Each run checks that the target really got every record and
 * throws when it did not, so a fast but wrong run is never reported as a result.
 */
import { join } from 'node:path';

import type { CaseReport } from './case-runtime.js';
import { createDeliveryWorkspace, DELIVERY_PROFILE_ID, type DeliverySettings } from './delivery-workspace.js';
import { runMeasured, type ProcessRun } from './measured-process.js';
import type { TargetProcess } from './target-process.js';

/** Issue 3: every run must finish within five minutes. */
export const RUN_TIMEOUT_MS = 5 * 60_000;

/** Which case a run belongs to. */
export type DeliveryCaseKind = 'ferry' | 'ferry, streamed' | 'floor' | 'ferry small files' | 'ferry, no files';

/** One measured run. */
export interface DeliveryRun {
  readonly kind: DeliveryCaseKind;
  readonly target: TargetProcess['mode'];
  /** `1M`, `3M`, `1000×10` … */
  readonly input: string;
  readonly files: number;
  /** Records delivered: counted by a parsing target, else as ferry or the floor reported them. */
  readonly records: number;
  readonly wallMs: number;
  readonly maxRssBytes: number;
  /** User + system CPU of the sender's process; null when GNU time is missing. */
  readonly cpuMs: number | null;
  readonly requests: number;
  readonly bodyBytes: number;
  /** CPU the target process spent on this run. */
  readonly targetCpuMs: number;
  /** The floor's own timed work, without Node start-up (from its case report). */
  readonly innerMs?: number;
}

/** Where things are, shared by every run. */
export interface DeliveryEnv {
  /** The build the runs use (build-snapshot.ts): its root, `bin/ferry.js` and compiled bench scripts. */
  readonly buildRoot: string;
  readonly ferryBin: string;
  readonly benchDir: string;
  /** Parent of the temporary workspaces. */
  readonly workDir: string;
  /** The bench profile the workspaces build on. */
  readonly baseProfile: string;
  readonly batchSize: number;
  readonly concurrency: number;
}

interface FerryRunJson {
  status: string;
  batches: { status: string; rows: { total: number; delivered: number } }[];
}

function describeFailure(what: string, run: ProcessRun): Error {
  const why = run.timedOut ? `timed out after ${RUN_TIMEOUT_MS / 1000} s` : `exited with ${run.code ?? run.signal ?? '?'}`;
  // The message, not the stack: the first line that reads like an error, on one line for the report.
  const lines = `${run.stderr}\n${run.stdout}`.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const message = lines.find((line) => /error|failed|E_[A-Z_]+/i.test(line) && !line.startsWith('at ')) ?? lines.at(-1) ?? '';
  return new Error(`${what} ${why}: ${message.slice(0, 300)}`);
}

function parseFerryJson(stdout: string): FerryRunJson {
  const start = stdout.indexOf('{');
  if (start < 0) throw new Error(`ferry run printed no JSON: ${stdout.slice(0, 200)}`);
  return JSON.parse(stdout.slice(start)) as FerryRunJson;
}

/** Checks the target's counters against what should have arrived; returns the records counted. */
function checkTarget(stats: Awaited<ReturnType<TargetProcess['stats']>>, expected: number, reported: number): number {
  if (stats.badBodies > 0) throw new Error(`the target refused ${stats.badBodies} bodies`);
  if (stats.withoutKey > 0) throw new Error(`${stats.withoutKey} requests had no Idempotency-Key`);
  const counted = stats.records ?? reported;
  if (counted !== expected) throw new Error(`the target got ${counted} records, expected ${expected}`);
  return counted;
}

/**
 * `ferry run` in a fresh workspace with `files` (path → name in the inbox); extra `nodeFlags` go to
 * the ferry process (e.g. `--cpu-prof`). Checks the run completed, delivered `expectedRecords`, and
 * left the inbox empty.
 */
export async function runFerryOnce(
  env: DeliveryEnv,
  target: TargetProcess,
  spec: { kind: DeliveryCaseKind; input: string; files: ReadonlyMap<string, string>; expectedRecords: number; nodeFlags?: readonly string[] },
  prepare?: (inbox: string) => Promise<void>,
): Promise<DeliveryRun> {
  const settings: DeliverySettings = { targetUrl: target.url, batchSize: env.batchSize, concurrency: env.concurrency, stream: spec.kind === 'ferry, streamed' };
  const ws = await createDeliveryWorkspace(env.workDir, env.baseProfile, settings);
  try {
    for (const [path, name] of spec.files) await ws.drop(path, name);
    if (prepare !== undefined) await prepare(ws.inbox);
    const fileCount = (await ws.waiting()).length;
    await target.reset();
    const args = [...(spec.nodeFlags ?? []), env.ferryBin, 'run', DELIVERY_PROFILE_ID, '--json'];
    const run = await runMeasured(process.execPath, args, { env: ws.env, cwd: ws.root, timeoutMs: RUN_TIMEOUT_MS });
    if (run.code !== 0 || run.timedOut) throw describeFailure('ferry run', run);
    const result = parseFerryJson(run.stdout);
    if (result.batches.length !== fileCount) throw new Error(`ferry ran ${result.batches.length} batches for ${fileCount} files`);
    const notCompleted = result.batches.filter((b) => b.status !== 'completed');
    if (notCompleted.length > 0) throw new Error(`${notCompleted.length} batches ended ${notCompleted[0]?.status ?? '?'}`);
    const reported = result.batches.reduce((sum, b) => sum + b.rows.delivered, 0);
    const left = await ws.waiting();
    if (left.length > 0) throw new Error(`${left.length} files were left in the inbox`);
    const stats = await target.stats();
    const records = checkTarget(stats, spec.expectedRecords, reported);
    return {
      kind: spec.kind, target: target.mode, input: spec.input, files: fileCount, records, wallMs: run.wallMs,
      maxRssBytes: run.maxRssBytes, cpuMs: run.cpuMs, requests: stats.requests, bodyBytes: stats.bytes, targetCpuMs: stats.cpuMs,
    };
  } finally {
    await ws.remove();
  }
}

function parseCaseReport(stdout: string): CaseReport {
  const last = stdout.trim().split('\n').at(-1) ?? '';
  const parsed = JSON.parse(last) as Partial<CaseReport>;
  if (typeof parsed.rows !== 'number' || typeof parsed.elapsedMs !== 'number') throw new Error(`not a case report: ${last}`);
  return { rows: parsed.rows, elapsedMs: parsed.elapsedMs, maxRssKb: parsed.maxRssKb ?? 0, sampledPeakRssBytes: 0, sampledPeakHeapBytes: 0 };
}

/** The floor (case-delivery-floor.js) on `csv`, measured the same way as ferry. */
export async function runFloorOnce(env: DeliveryEnv, target: TargetProcess, csv: { path: string; rows: number; input: string }): Promise<DeliveryRun> {
  await target.reset();
  const script = join(env.benchDir, 'case-delivery-floor.js');
  const args = [script, csv.path, `${target.url}/v1/orders`, String(env.batchSize), String(env.concurrency)];
  const run = await runMeasured(process.execPath, args, { timeoutMs: RUN_TIMEOUT_MS });
  if (run.code !== 0 || run.timedOut) throw describeFailure('the floor', run);
  const report = parseCaseReport(run.stdout);
  const stats = await target.stats();
  const records = checkTarget(stats, csv.rows, report.rows);
  return {
    kind: 'floor', target: target.mode, input: csv.input, files: 1, records, wallMs: run.wallMs,
    maxRssBytes: run.maxRssBytes, cpuMs: run.cpuMs, requests: stats.requests, bodyBytes: stats.bytes, targetCpuMs: stats.cpuMs,
    innerMs: report.elapsedMs,
  };
}
