/**
 * The parent side of the benchmark harness: runs one case script in a fresh Node child process
 * (its own heap and RSS) and collects the {@link CaseReport} it prints.
 */
import { spawn } from 'node:child_process';
import type { CaseReport } from './case-runtime.js';

/** One run of one case: what the child reported plus the parent's view of it. */
export interface RunResult extends CaseReport {
  /** Whole child process lifetime as seen by the parent, Node start-up included. */
  readonly wallMs: number;
}

/** Medians over the runs of one case (each metric's median on its own). */
export interface RunSummary {
  readonly rows: number;
  readonly elapsedMs: number;
  /** Absent when any run did not report CPU time. */
  readonly cpuMs?: number;
  readonly wallMs: number;
  readonly maxRssBytes: number;
  readonly sampledPeakRssBytes: number;
}

/** How to run a case script. */
export interface MeasureOptions {
  /** Extra flags for the child `node`, e.g. `--max-old-space-size=128`. */
  readonly execArgv?: readonly string[];
  /** Kill the child and fail the run after this long. Default: 10 minutes. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

function isCaseReport(value: unknown): value is CaseReport {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  const numeric = ['rows', 'elapsedMs', 'maxRssKb', 'sampledPeakRssBytes', 'sampledPeakHeapBytes'];
  return (
    numeric.every((key) => typeof record[key] === 'number') &&
    (record.cpuMs === undefined || typeof record.cpuMs === 'number')
  );
}

/** Parses the last non-empty stdout line of a case as its report. */
function parseReport(stdout: string): CaseReport {
  const lines = stdout.split('\n').filter((line) => line.trim() !== '');
  const last = lines.at(-1);
  if (last === undefined) throw new Error('the case printed nothing on stdout');
  const parsed: unknown = JSON.parse(last);
  if (!isCaseReport(parsed)) throw new Error(`not a case report: ${last}`);
  return parsed;
}

/**
 * Runs `node <script> <args...>` once and returns its report. Rejects if the child exits non-zero,
 * times out, or prints no valid report; the error carries the child's stderr.
 */
export function measureOnce(
  script: string,
  args: readonly string[],
  options: MeasureOptions = {},
): Promise<RunResult> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [...(options.execArgv ?? []), script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out after ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms: ${script}`));
    }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) {
        reject(new Error(`${script} exited with ${code ?? signal}: ${stderr.trim()}`));
        return;
      }
      try {
        resolve({ ...parseReport(stdout), wallMs });
      } catch (error) {
        reject(new Error(`${script}: ${(error as Error).message}; stderr: ${stderr.trim()}`));
      }
    });
  });
}

/** The median of a non-empty list (mean of the middle two for even lengths). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle];
  if (upper === undefined) throw new Error('median of an empty list');
  if (sorted.length % 2 === 1) return upper;
  return ((sorted[middle - 1] ?? upper) + upper) / 2;
}

/**
 * Summarises the runs of one case. Throws if the runs counted different numbers of rows, since a
 * case that is not deterministic cannot be compared with anything.
 */
export function summarizeRuns(runs: readonly RunResult[]): RunSummary {
  const first = runs[0];
  if (first === undefined) throw new Error('no runs to summarise');
  const disagreeing = runs.find((run) => run.rows !== first.rows);
  if (disagreeing) {
    throw new Error(`runs disagree on the row count: ${first.rows} vs ${disagreeing.rows}`);
  }
  const cpu = runs.flatMap((run) => (run.cpuMs === undefined ? [] : [run.cpuMs]));
  return {
    rows: first.rows,
    elapsedMs: median(runs.map((run) => run.elapsedMs)),
    ...(cpu.length === runs.length ? { cpuMs: median(cpu) } : {}),
    wallMs: median(runs.map((run) => run.wallMs)),
    maxRssBytes: median(runs.map((run) => run.maxRssKb * 1024)),
    sampledPeakRssBytes: median(runs.map((run) => run.sampledPeakRssBytes)),
  };
}
