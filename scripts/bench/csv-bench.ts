/**
 * Issue 2's CSV read benchmark (and issue 6's grouped case, which is read against it): generates
 * the reference files once (under `.bench/`), runs every registered case in its own child process,
 * round-robin, and writes `.bench/results-csv.md` and `.bench/results-csv.json`.
 */
import { createReadStream, existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureReferenceCsv, type ReferenceCsv } from './generate-csv.js';
import type { MachineInfo } from './machine-info.js';
import { measureOnce, summarizeRuns, type RunResult } from './measure.js';
import { formatSeconds } from './markdown-table.js';
import { renderCsvReport, type CaseGroup, type CaseOutcome, type CsvResultsFile, type InputResult } from './csv-report.js';

/** What run.ts hands over. */
export interface CsvBenchOptions {
  readonly repoRoot: string;
  /** `.bench/` */
  readonly outDir: string;
  readonly machine: MachineInfo;
  /** 1M file only, one run per case. */
  readonly quick: boolean;
  /** Lower-case parts of case names to run; empty runs every case. */
  readonly only: readonly string[];
}

/** Input files by key; a case names the one it reads. */
const INPUT_ROWS = { '1M': 1_000_000, '3M': 3_000_000 } as const;
type InputKey = keyof typeof INPUT_ROWS;

/**
 * One registered case. `script` is the compiled case file relative to this directory; it is
 * started as `node <script> <input file> <...args>`. `group` decides how it is read in the report:
 * `parser` (a real CSV parser fed by iconv-lite, as issue 2 asks: the fastest one is the baseline
 * for ratios and targets), `floor` (not a parser), `reference` (informative, never the baseline),
 * `ferry` (checked against issue 2's targets).
 */
interface BenchCase {
  readonly name: string;
  readonly script: string;
  readonly args: readonly string[];
  readonly file: InputKey;
  readonly group: CaseGroup;
}

// ─── Register cases here ──────────────────────────────────────────────────────────────────────
// A case whose compiled script does not exist yet is reported as skipped, not as a failure.
// Keep 3M cases to the ones that matter: its runs take three times as long.
const CASES: readonly BenchCase[] = [
  { name: 'read bytes only', script: 'case-read-bytes.js', args: [], file: '1M', group: 'floor' },
  {
    name: 'decode only (iconv-lite)',
    script: 'case-decode-only.js',
    args: ['iconv-lite'],
    file: '1M',
    group: 'floor',
  },
  { name: 'decode only (fast)', script: 'case-decode-only.js', args: ['fast'], file: '1M', group: 'floor' },
  { name: 'naive split', script: 'case-naive-split.js', args: [], file: '1M', group: 'floor' },
  { name: 'naive split, fast decode', script: 'case-naive-split.js', args: ['fast'], file: '1M', group: 'floor' },
  { name: 'papaparse (step)', script: 'case-papaparse.js', args: ['step'], file: '1M', group: 'parser' },
  { name: 'papaparse (chunk)', script: 'case-papaparse.js', args: ['chunk'], file: '1M', group: 'parser' },
  { name: 'csv-parser', script: 'case-csv-parser.js', args: [], file: '1M', group: 'parser' },
  { name: 'csv-parse (arrays)', script: 'case-csv-parse.js', args: [], file: '1M', group: 'parser' },
  {
    name: 'papaparse (step), fast decode',
    script: 'case-papaparse.js',
    args: ['step', 'fast'],
    file: '1M',
    group: 'reference',
  },
  // ferry's own read + map with the example profile scripts/bench/profiles/reference-orders.yaml
  { name: 'ferry read + map', script: 'case-ferry-read-map.js', args: [], file: '1M', group: 'ferry' },
  { name: 'ferry read + map, no key check', script: 'case-ferry-read-map.js', args: ['reference-orders-nokey'], file: '1M', group: 'ferry' },
  // the reference file lists orders by number, so its key ascends; this key (SKU first) does not
  { name: 'ferry read + map, key out of order', script: 'case-ferry-read-map.js', args: ['reference-orders-unsorted-key'], file: '1M', group: 'ferry' },
  // issue 6: group-by (100k groups), three lookups, five computed fields; compared with read + map
  { name: 'ferry group + lookups + computed', script: 'case-ferry-grouped.js', args: [], file: '1M', group: 'mapping' },
  { name: 'read bytes only', script: 'case-read-bytes.js', args: [], file: '3M', group: 'floor' },
  { name: 'papaparse (step)', script: 'case-papaparse.js', args: ['step'], file: '3M', group: 'parser' },
  { name: 'ferry read + map', script: 'case-ferry-read-map.js', args: [], file: '3M', group: 'ferry' },
  { name: 'ferry read + map, no key check', script: 'case-ferry-read-map.js', args: ['reference-orders-nokey'], file: '3M', group: 'ferry' },
];
// ──────────────────────────────────────────────────────────────────────────────────────────────

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** Reads the file once, untimed, so that every measured run starts from a warm page cache. */
async function warmUp(path: string): Promise<void> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) void chunk;
}

async function runInput(
  repoRoot: string,
  key: InputKey,
  input: ReferenceCsv,
  cases: readonly BenchCase[],
  runs: number,
): Promise<InputResult> {
  const collected = new Map<BenchCase, { runs: RunResult[]; error?: string }>();
  const runnable = cases.filter((benchCase) => existsSync(join(BENCH_DIR, benchCase.script)));
  for (const benchCase of runnable) collected.set(benchCase, { runs: [] });
  await warmUp(input.path);
  // Round-robin rather than case after case, so slow drift on the machine hits every case alike.
  for (let round = 1; round <= runs; round++) {
    for (const benchCase of runnable) {
      const entry = collected.get(benchCase);
      if (!entry || entry.error !== undefined) continue;
      const label = `[${key} ${round}/${runs}] ${benchCase.name}`;
      try {
        const args = [input.path, ...benchCase.args];
        const run = await measureOnce(join(BENCH_DIR, benchCase.script), args);
        entry.runs.push(run);
        progress(`${label}: ${formatSeconds(run.elapsedMs)}, ${run.rows} rows`);
      } catch (error) {
        entry.error = (error as Error).message;
        progress(`${label}: FAILED ${entry.error}`);
      }
    }
  }
  const outcomes = cases.map((benchCase): CaseOutcome => {
    const base = { name: benchCase.name, group: benchCase.group, script: benchCase.script, args: benchCase.args };
    const entry = collected.get(benchCase);
    if (!entry) {
      const source = `scripts/bench/${benchCase.script.replace(/\.js$/, '.ts')}`;
      return { ...base, status: 'skipped', note: `not built yet (${source})`, runs: [] };
    }
    if (entry.error !== undefined) return { ...base, status: 'failed', note: entry.error, runs: entry.runs };
    try {
      return { ...base, status: 'ok', runs: entry.runs, summary: summarizeRuns(entry.runs) };
    } catch (error) {
      return { ...base, status: 'failed', note: (error as Error).message, runs: entry.runs };
    }
  });
  return { key, path: relative(repoRoot, input.path), rows: input.rows, bytes: input.bytes, outcomes };
}

/**
 * Runs the CSV suite and writes its report; returns the problems (failed cases, wrong row counts),
 * which should fail the run (target misses do not).
 */
export async function runCsvBench(options: CsvBenchOptions): Promise<readonly string[]> {
  const { machine, quick, only, outDir } = options;
  const runs = quick ? 1 : 3;
  const selected = CASES.filter(
    (benchCase) =>
      (!quick || benchCase.file === '1M') &&
      (only.length === 0 || only.some((name) => benchCase.name.toLowerCase().includes(name))),
  );
  if (selected.length === 0) {
    throw new Error(`no case matches; cases: ${[...new Set(CASES.map((c) => c.name))].join(', ')}`);
  }

  const inputs: InputResult[] = [];
  for (const key of Object.keys(INPUT_ROWS) as InputKey[]) {
    const cases = selected.filter((benchCase) => benchCase.file === key);
    if (cases.length === 0) continue;
    progress(`input ${key}: preparing ${INPUT_ROWS[key]} rows in ${outDir}`);
    const input = await ensureReferenceCsv(outDir, INPUT_ROWS[key]);
    progress(`input ${key}: ${input.generated ? 'generated' : 'reused'} ${input.path} (${input.bytes} bytes)`);
    inputs.push(await runInput(options.repoRoot, key, input, cases, runs));
  }

  const report = renderCsvReport({ machine, runs, quick, inputs, date: new Date().toISOString() });
  process.stdout.write(`${report.markdown}\n`);
  await writeFile(join(outDir, 'results-csv.md'), `${report.markdown}\n`);
  const raw: CsvResultsFile = { date: new Date().toISOString(), machine, runsPerCase: runs, quick, inputs, problems: report.problems };
  await writeFile(join(outDir, 'results-csv.json'), `${JSON.stringify(raw, null, 2)}\n`);
  progress(`wrote ${join(outDir, 'results-csv.md')} and results-csv.json`);
  return report.problems;
}
