/**
 * BENCHMARKS.md: after the suites of one `npm run bench`, reads the results files they wrote in
 * this run (`.bench/results-<suite>.json`), fills in one summary row per benchmark the issues name
 * (benchmark-inventory.ts), and appends each suite's own report. A complete run (every suite, no
 * `--quick`, no `--only`) writes `BENCHMARKS.md` at the repository root, the file that is
 * committed; any other run writes `.bench/BENCHMARKS.partial.md`, so a quick or partial run can
 * never replace the committed figures.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

import type { AmqpResultsFile } from './amqp-bench.js';
import { BENCHMARKS, SUITES, SUITE_NEEDS, type NamedBenchmark, type Suite } from './benchmark-inventory.js';
import { describeCheckout } from './build-snapshot.js';
import type { CsvResultsFile } from './csv-report.js';
import type { DeliveryResults } from './delivery-report.js';
import type { InstancesResultsFile } from './instances-bench.js';
import { formatHardware, type MachineInfo } from './machine-info.js';
import { markdownTable } from './markdown-table.js';
import type { RemoteResults } from './remote-report.js';
import { summarizeAmqp, summarizeDelivery, summarizeInstances, summarizeRemote } from './summary-pipeline.js';
import { summarizeCsv, summarizeXlsx, summarizeXml } from './summary-reads.js';
import { hasFigures, type Outcome, type SuiteSummary } from './summary-row.js';
import type { XlsxResultsFile } from './xlsx-bench.js';
import type { XmlResultsFile } from './xml-bench.js';

/** How one suite fared in this run. */
export interface SuiteRun {
  readonly suite: Suite;
  /** `ran`: it finished and wrote its results; `failed`: it threw; `not selected`: `--suite` left it out. */
  readonly status: 'ran' | 'failed' | 'not selected';
  /** Why it failed. */
  readonly reason?: string;
  /** Failed cases the suite reported (target misses are not problems). */
  readonly problems: readonly string[];
  readonly startedMs: number;
  readonly endedMs: number;
}

/** Everything about the run that the header shows. */
export interface BenchmarksRun {
  readonly repoRoot: string;
  /** `.bench/` */
  readonly outDir: string;
  /** The exact command line, e.g. `npm run bench -- --quick`. */
  readonly command: string;
  readonly quick: boolean;
  readonly only: readonly string[];
  /** The machine as described when the run started. */
  readonly machine: MachineInfo;
  /** 1, 5 and 15-minute load averages at the start and the end. */
  readonly loadAtStart: readonly number[];
  readonly loadAtEnd: readonly number[];
  readonly startedMs: number;
  readonly endedMs: number;
  readonly suites: readonly SuiteRun[];
}

/** Reads a suite's results file and turns it into its summary rows. */
function summarize(suite: Suite, text: string): SuiteSummary {
  // Each file was written by the same run from the type named here (see the suite's module).
  const parsed: unknown = JSON.parse(text);
  switch (suite) {
    case 'csv': return summarizeCsv(parsed as CsvResultsFile);
    case 'delivery': return summarizeDelivery(parsed as DeliveryResults);
    case 'remote': return summarizeRemote(parsed as RemoteResults);
    case 'xlsx': return summarizeXlsx(parsed as XlsxResultsFile);
    case 'xml': return summarizeXml(parsed as XmlResultsFile);
    case 'instances': return summarizeInstances(parsed as InstancesResultsFile);
    case 'amqp': return summarizeAmqp(parsed as AmqpResultsFile);
  }
}

/** This run's results of a suite that ran; a reason instead when there are none. */
async function readSuite(outDir: string, run: SuiteRun): Promise<SuiteSummary | string> {
  const path = join(outDir, `results-${run.suite}.json`);
  try {
    // a file older than the suite's start is an earlier run's: never mix runs in one report
    if ((await stat(path)).mtimeMs < run.startedMs) return `${path} was not rewritten by this run`;
    return summarize(run.suite, await readFile(path, 'utf8'));
  } catch (error) {
    return `cannot read ${path}: ${(error as Error).message}`;
  }
}

/** One line, no pipes: safe inside a table cell. */
const cell = (text: string): string => text.replace(/\s+/g, ' ').replaceAll('|', '\\|').trim();

function resultText(outcome: Outcome): string {
  if (!hasFigures(outcome)) return 'not measured';
  const missed = outcome.checks.filter((c) => !c.passed).map((c) => c.label);
  if (outcome.checks.length === 0) return 'shown';
  return missed.length === 0 ? 'pass' : `**MISS** (${missed.join(', ')})`;
}

function summaryRow(benchmark: NamedBenchmark, run: SuiteRun | undefined, summary: SuiteSummary | string | undefined): string[] {
  const head = [String(benchmark.issue), benchmark.what];
  const rssTarget = benchmark.rssTarget === '—' ? '' : ` (${benchmark.rssTarget})`;
  const notRun = (why: string): string[] => [...head, '', '', '', benchmark.target, 'not run', `—${rssTarget}`, why];
  if (run === undefined || run.status === 'not selected') return notRun('suite not selected (`--suite`)');
  if (run.status === 'failed') return notRun(`suite \`${run.suite}\` failed: ${run.reason ?? ''}${SUITE_NEEDS[run.suite] === undefined ? '' : ` (needs ${SUITE_NEEDS[run.suite] ?? ''})`}`);
  if (typeof summary === 'string' || summary === undefined) return notRun(summary ?? 'no results');
  const outcome = summary.get(benchmark.id) ?? { missing: 'the suite reported nothing for it' };
  if (!hasFigures(outcome)) return [...head, '', '', '', benchmark.target, resultText(outcome), `—${rssTarget}`, outcome.missing];
  return [...head, outcome.ferry, outcome.floor, outcome.ratio, benchmark.target, resultText(outcome), `${outcome.rss}${rssTarget}`, outcome.notes];
}

const duration = (ms: number): string => `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
const loads = (values: readonly number[]): string => values.map((v) => v.toFixed(2)).join(' / ');

function modeText(run: BenchmarksRun, complete: boolean): string {
  if (complete) return 'complete: every suite at its full sizes and number of runs (see each suite\'s report)';
  const parts = [
    ...(run.quick ? ['**`--quick`**: one run per case and only the smaller inputs (each suite\'s report says which): figures that show the report renders, not figures to quote'] : []),
    ...(run.only.length > 0 ? [`\`--only ${run.only.join(' ')}\` (CSV cases)`] : []),
    ...(run.suites.some((s) => s.status === 'not selected') ? ['not every suite selected'] : []),
  ];
  return `partial: ${parts.join('; ')}`;
}

const NOTES = [
  '- **ratio** is ferry against the floor or reference named beside it, measured in the same run on the same file: throughput ÷ throughput (higher is better), except delivery, which is time ÷ time (lower is better) as issue 3 states it.',
  '- **peak RSS** is the kernel\'s high-water mark of ferry\'s process (of the largest instance for issue 10); a dash means the suite does not measure it for that row or the issue sets no target.',
  '- **MISS** names the target that was missed; **not run** is a suite that did not run (with the reason); **not measured** is a benchmark its suite did not produce in this run.',
  '- The machine has 2 cores shared by ferry, the floors, the targets and the servers: absolute figures move ±15–20 % between runs; compare the ratios of one run. Each suite\'s report below has the CPU-time ratios, which a loaded machine disturbs less.',
];

function suitesTable(run: BenchmarksRun): string {
  const rows = SUITES.map((suite) => {
    const s = run.suites.find((r) => r.suite === suite);
    if (s === undefined || s.status === 'not selected') return [suite, 'not selected', '—', '', SUITE_NEEDS[suite] ?? '—'];
    const problems = s.problems.length === 0 ? '' : cell(s.problems.join('; ')).slice(0, 300);
    return [suite, s.status === 'ran' ? 'ran' : `**failed**: ${cell(s.reason ?? '')}`, duration(s.endedMs - s.startedMs), problems, SUITE_NEEDS[suite] ?? '—'];
  });
  return markdownTable(['suite', 'status', 'duration', 'problems reported', 'needs'], rows, [2]);
}

async function details(run: BenchmarksRun): Promise<string[]> {
  const sections: string[] = [];
  for (const s of run.suites) {
    if (s.status !== 'ran') continue;
    const path = join(run.outDir, `results-${s.suite}.md`);
    const text = await readFile(path, 'utf8').catch(() => `_${relative(run.repoRoot, path)} is missing._`);
    // one heading level down, so that each suite's sections sit under "Details"
    sections.push(text.trim().replace(/^#/gm, '##'), '');
  }
  return sections;
}

/** Renders the report of this run and writes it; returns the path written. */
export async function writeBenchmarksReport(run: BenchmarksRun): Promise<string> {
  const complete = !run.quick && run.only.length === 0 && run.suites.every((s) => s.status !== 'not selected');
  const summaries = new Map<Suite, SuiteSummary | string>();
  for (const s of run.suites) if (s.status === 'ran') summaries.set(s.suite, await readSuite(run.outDir, s));
  const rows = BENCHMARKS.map((b) => summaryRow(b, run.suites.find((s) => s.suite === b.suite), summaries.get(b.suite)).map(cell));
  const results = rows.map((r) => r[6] ?? '');
  const count = (test: (text: string) => boolean): number => results.filter(test).length;
  const inventory = BENCHMARKS.map((b) => [String(b.issue), b.what, `\`${b.suite}\``, b.cases].map(cell));
  const markdown = [
    '# Benchmarks', '',
    `Generated by \`npm run bench\` (scripts/bench/run.ts, benchmarks-report.ts); do not edit by hand. ${complete ? '' : '**This is not a complete run.**'}`, '',
    `- Command: \`${run.command}\``,
    `- Mode: ${modeText(run, complete)}`,
    `- Date: ${new Date(run.startedMs).toISOString()} → ${new Date(run.endedMs).toISOString()} (${duration(run.endedMs - run.startedMs)})`,
    `- Checkout: ${await describeCheckout(run.repoRoot, ['src', 'scripts'])}`,
    `- Machine: ${formatHardware(run.machine)}`,
    `- Load average (1 / 5 / 15 min): ${loads(run.loadAtStart)} at the start, ${loads(run.loadAtEnd)} at the end`, '',
    '## Summary', '',
    `${count((r) => r === 'pass')} pass, ${count((r) => r.startsWith('**MISS'))} miss, ${count((r) => r === 'not measured')} not measured, ${count((r) => r === 'not run')} not run, of ${rows.length} benchmarks named in issues 2–12.`, '',
    markdownTable(['issue', 'benchmark', 'ferry', 'floor / reference (same run)', 'ratio', 'target', 'result', 'peak RSS (target)', 'notes'], rows),
    '', ...NOTES, '',
    '## What measures what', '',
    markdownTable(['issue', 'benchmark', 'suite', 'cases'], inventory), '',
    '## Suites of this run', '',
    suitesTable(run), '',
    '## Details', '',
    'Each suite\'s own report, as it wrote it to `.bench/results-<suite>.md` in this run.', '',
    ...(await details(run)),
  ].join('\n');
  const path = complete ? join(run.repoRoot, 'BENCHMARKS.md') : join(run.outDir, 'BENCHMARKS.partial.md');
  await writeFile(path, `${markdown.trimEnd()}\n`);
  return path;
}
