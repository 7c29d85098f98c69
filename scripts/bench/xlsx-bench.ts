/**
 * Issue 5's XLSX benchmark: the 100,000-row × 10-column reference workbook (generate-xlsx.ts, written
 * by exceljs's streaming writer), read by exceljs's streaming WorkbookReader alone (the baseline)
 * and read + mapped by ferry, each case in its own child process, round-robin. Targets: ferry's
 * read + map at ≥ 0.85× exceljs's rows/s, peak RSS ≤ 300 MB. Called by run.ts; writes
 * `.bench/results-xlsx.md` and `.bench/results-xlsx.json`.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ensureReferenceXlsx } from './generate-xlsx.js';
import { formatMachine, type MachineInfo } from './machine-info.js';
import { formatCount, formatMegabytes, formatRate, formatSeconds, markdownTable } from './markdown-table.js';
import { measureOnce, summarizeRuns, type RunResult, type RunSummary } from './measure.js';

/** What run.ts hands over. */
export interface XlsxBenchOptions {
  readonly repoRoot: string;
  /** `.bench/` */
  readonly outDir: string;
  readonly machine: MachineInfo;
  /** one run per case instead of three */
  readonly quick: boolean;
}

const ROWS = 100_000;
/** Issue 5: read + map ≥ 0.85× exceljs's streaming reader; peak RSS ≤ 300 MB. */
export const TARGET_RATIO = 0.85;
export const TARGET_RSS = 300e6;
const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

interface XlsxCase {
  readonly name: string;
  readonly script: string;
  readonly args: readonly string[];
  readonly role: 'baseline' | 'ferry' | 'reference';
}

// ─── Register cases here ──────────────────────────────────────────────────────────────────────
const CASES: readonly XlsxCase[] = [
  { name: 'exceljs streaming WorkbookReader', script: 'case-xlsx-exceljs.js', args: [], role: 'baseline' },
  { name: 'ferry read only', script: 'case-ferry-xlsx.js', args: ['read-only'], role: 'reference' },
  { name: 'ferry read + map', script: 'case-ferry-xlsx.js', args: [], role: 'ferry' },
];
// ──────────────────────────────────────────────────────────────────────────────────────────────

/** Every run of one case and their medians (absent when it failed: see `error`). */
export interface CaseResult {
  readonly name: string;
  readonly role: XlsxCase['role'];
  readonly runs: readonly RunResult[];
  readonly summary?: RunSummary;
  readonly error?: string;
}

/** What `.bench/results-xlsx.json` holds. */
export interface XlsxResultsFile {
  readonly date: string;
  readonly machine: MachineInfo;
  readonly quick: boolean;
  readonly runsPerCase: number;
  readonly input: { readonly path: string; readonly rows: number; readonly bytes: number };
  readonly results: readonly CaseResult[];
  readonly problems: readonly string[];
}

function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** Runs the suite and returns the targets it missed (empty when all are met). */
export async function runXlsxBench(options: XlsxBenchOptions): Promise<string[]> {
  const runs = options.quick ? 1 : 3;
  progress(`xlsx: preparing the ${formatCount(ROWS)}-row workbook in ${options.outDir}`);
  const input = await ensureReferenceXlsx(options.outDir, ROWS);
  progress(`xlsx: ${input.generated ? 'generated' : 'reused'} ${input.path} (${input.bytes} bytes)`);
  const runnable = CASES.filter((c) => existsSync(join(BENCH_DIR, c.script)));
  const collected = new Map<XlsxCase, { runs: RunResult[]; error?: string }>(runnable.map((c) => [c, { runs: [] }]));
  for (let round = 1; round <= runs; round++) {
    for (const benchCase of runnable) {
      const entry = collected.get(benchCase);
      if (entry === undefined || entry.error !== undefined) continue;
      try {
        const run = await measureOnce(join(BENCH_DIR, benchCase.script), [input.path, ...benchCase.args]);
        entry.runs.push(run);
        progress(`[xlsx ${round}/${runs}] ${benchCase.name}: ${formatSeconds(run.elapsedMs)}, ${run.rows} rows, peak RSS ${formatMegabytes(run.maxRssKb * 1024)}`);
      } catch (error) {
        entry.error = (error as Error).message;
        progress(`[xlsx ${round}/${runs}] ${benchCase.name}: FAILED ${entry.error}`);
      }
    }
  }
  const results = CASES.map((c): CaseResult => {
    const entry = collected.get(c);
    if (entry === undefined) return { name: c.name, role: c.role, runs: [], error: `not built (scripts/bench/${c.script.replace(/\.js$/, '.ts')})` };
    if (entry.error !== undefined || entry.runs.length === 0) return { name: c.name, role: c.role, runs: entry.runs, error: entry.error ?? 'no runs' };
    return { name: c.name, role: c.role, runs: entry.runs, summary: summarizeRuns(entry.runs) };
  });
  const { markdown, problems } = renderXlsxReport(results, { ...options, runs, input: relative(options.repoRoot, input.path), bytes: input.bytes });
  process.stdout.write(`${markdown}\n`);
  await writeFile(join(options.outDir, 'results-xlsx.md'), `${markdown}\n`);
  const raw: XlsxResultsFile = { date: new Date().toISOString(), machine: options.machine, quick: options.quick, runsPerCase: runs, input: { path: input.path, rows: ROWS, bytes: input.bytes }, results, problems };
  await writeFile(join(options.outDir, 'results-xlsx.json'), `${JSON.stringify(raw, null, 2)}\n`);
  progress(`wrote ${join(options.outDir, 'results-xlsx.md')} and results-xlsx.json`);
  return problems;
}

function renderXlsxReport(results: readonly CaseResult[], context: XlsxBenchOptions & { runs: number; input: string; bytes: number }): { markdown: string; problems: string[] } {
  const rate = (s: RunSummary): number => s.rows / (s.elapsedMs / 1000);
  const baseline = results.find((r) => r.role === 'baseline')?.summary;
  const problems: string[] = [];
  const rows = results.map((r) => {
    const s = r.summary;
    if (s === undefined) return [r.name, '—', '—', '—', '—', '—', r.error ?? ''];
    const ratio = baseline === undefined ? undefined : rate(s) / rate(baseline);
    let verdict = '';
    if (r.role === 'ferry') {
      const misses: string[] = [];
      if (ratio === undefined || ratio < TARGET_RATIO) misses.push(`rows/s ${ratio === undefined ? 'without a baseline' : `${ratio.toFixed(2)}×`} < ${TARGET_RATIO}× exceljs`);
      if (s.maxRssBytes > TARGET_RSS) misses.push(`peak RSS ${formatMegabytes(s.maxRssBytes)} > ${formatMegabytes(TARGET_RSS)}`);
      problems.push(...misses.map((m) => `${r.name}: ${m}`));
      verdict = misses.length === 0 ? 'meets the targets' : misses.join('; ');
    }
    return [r.name, formatSeconds(s.elapsedMs), s.cpuMs === undefined ? '—' : formatSeconds(s.cpuMs), formatRate(rate(s)), ratio === undefined ? '—' : `${ratio.toFixed(2)}×`, formatMegabytes(s.maxRssBytes), verdict];
  });
  const markdown = [
    '## XLSX read (issue 5)',
    '',
    `Input: \`${context.input}\`, ${formatCount(ROWS)} rows × 10 columns, ${formatMegabytes(context.bytes)} (exceljs streaming writer, shared strings, date styles).`,
    `Machine: ${formatMachine(context.machine)}. Median of ${context.runs} run${context.runs === 1 ? '' : 's'} per case, each in a fresh process.`,
    `Targets: ferry read + map ≥ ${TARGET_RATIO}× the rows/s of exceljs's streaming reader; peak RSS ≤ ${formatMegabytes(TARGET_RSS)}.`,
    '',
    markdownTable(['case', 'time', 'CPU', 'rows/s', '× exceljs', 'peak RSS', 'verdict'], rows, [1, 2, 3, 4, 5]),
  ].join('\n');
  return { markdown, problems };
}
