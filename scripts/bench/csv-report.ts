/**
 * Turns the CSV benchmark's measurements into the Markdown report, checks that every case counted
 * the same rows, and evaluates issue 2's targets for ferry's read + map case.
 */
import type { MachineInfo } from './machine-info.js';
import { formatMachine } from './machine-info.js';
import {
  formatCount,
  formatMegabytes,
  formatRate,
  formatSeconds,
  markdownTable,
} from './markdown-table.js';
import type { RunResult, RunSummary } from './measure.js';

/**
 * How a case is read in the report: the fastest `parser` case is the baseline for ratios and
 * targets; `floor` and `reference` cases are context; `ferry` cases are checked against targets;
 * `mapping` cases (issue 6) are checked against the plain `ferry read + map` case of the same run.
 */
export type CaseGroup = 'floor' | 'parser' | 'reference' | 'ferry' | 'mapping';

/** Everything measured for one case on one input file. */
export interface CaseOutcome {
  readonly name: string;
  readonly group: CaseGroup;
  readonly script: string;
  readonly args: readonly string[];
  readonly status: 'ok' | 'skipped' | 'failed';
  readonly note?: string;
  readonly runs: readonly RunResult[];
  readonly summary?: RunSummary;
}

/** The cases run against one input file. */
export interface InputResult {
  readonly key: string;
  readonly path: string;
  readonly rows: number;
  readonly bytes: number;
  readonly outcomes: readonly CaseOutcome[];
}

/** What {@link renderCsvReport} needs. */
export interface CsvReportInput {
  readonly machine: MachineInfo;
  readonly runs: number;
  readonly quick: boolean;
  readonly date: string;
  readonly inputs: readonly InputResult[];
}

/** What `.bench/results-csv.json` holds. */
export interface CsvResultsFile {
  readonly date: string;
  readonly machine: MachineInfo;
  readonly runsPerCase: number;
  readonly quick: boolean;
  readonly inputs: readonly InputResult[];
  readonly problems: readonly string[];
}

/** The rendered report and the problems that should fail the run (not target misses). */
export interface CsvReport {
  readonly markdown: string;
  readonly problems: readonly string[];
}

/** Issue 2: read + map ≥ 0.8 × the fastest raw parser; peak RSS ≤ 150 MB, flat from 1M to 3M. */
export const TARGET_RATIO = 0.8;
export const TARGET_RSS_BYTES = 150e6;
export const TARGET_RSS_DRIFT = 0.2;

/** Issue 6: group-by + lookups + computed fields ≥ 0.6 × plain read + map; peak RSS ≤ 300 MB. */
export const MAPPING_RATIO = 0.6;
export const MAPPING_RSS_BYTES = 300e6;
export const PLAIN_READ_MAP = 'ferry read + map';

/** Issue 6's targets for every `mapping` case that ran. */
function renderMappingTargets(inputs: readonly InputResult[]): string[] {
  const lines: string[] = [];
  for (const input of inputs) {
    const plain = input.outcomes.find((o) => o.name === PLAIN_READ_MAP && o.summary !== undefined);
    for (const outcome of input.outcomes) {
      if (outcome.group !== 'mapping' || !outcome.summary) continue;
      const label = `${input.key} ${outcome.name}`;
      if (plain?.summary) {
        const ratio = rowsPerSecond(outcome.summary) / rowsPerSecond(plain.summary);
        lines.push(check(ratio >= MAPPING_RATIO, `${label}: ${ratio.toFixed(2)}× ${PLAIN_READ_MAP} (target ≥ ${MAPPING_RATIO}×)`));
      }
      lines.push(check(outcome.summary.maxRssBytes <= MAPPING_RSS_BYTES, `${label}: peak RSS ${formatMegabytes(outcome.summary.maxRssBytes)} (target ≤ ${formatMegabytes(MAPPING_RSS_BYTES)})`));
    }
  }
  return lines;
}

/** rows/s over the case's own time. */
export function rowsPerSecond(summary: RunSummary): number {
  return summary.rows / (summary.elapsedMs / 1000);
}

/** The fastest `parser` case on this input, the baseline of the ratio column. */
export function fastestParser(input: InputResult): CaseOutcome | undefined {
  let best: CaseOutcome | undefined;
  for (const outcome of input.outcomes) {
    if (outcome.group !== 'parser' || !outcome.summary) continue;
    if (!best?.summary || outcome.summary.elapsedMs < best.summary.elapsedMs) best = outcome;
  }
  return best;
}

const HEADERS = [
  'case', 'group', 'rows', 'time', 'CPU', 'rows/s', 'MB/s', 'peak RSS', 'sampled RSS',
  '× fastest parser',
];
const NUMERIC_COLUMNS = [2, 3, 4, 5, 6, 7, 8, 9];

function renderRow(outcome: CaseOutcome, input: InputResult, bestRate: number | undefined): string[] {
  const { summary } = outcome;
  if (!summary) {
    const blanks = HEADERS.slice(3).map(() => '');
    return [outcome.name, outcome.group, `${outcome.status}: ${outcome.note ?? ''}`, ...blanks];
  }
  const rate = rowsPerSecond(summary);
  const countCell =
    summary.rows === input.rows
      ? formatCount(summary.rows)
      : `**${formatCount(summary.rows)} ≠ ${formatCount(input.rows)}**`;
  return [
    outcome.name,
    outcome.group,
    countCell,
    formatSeconds(summary.elapsedMs),
    summary.cpuMs === undefined ? '—' : formatSeconds(summary.cpuMs),
    formatRate(rate),
    (input.bytes / 1e6 / (summary.elapsedMs / 1000)).toFixed(1),
    formatMegabytes(summary.maxRssBytes),
    formatMegabytes(summary.sampledPeakRssBytes),
    bestRate === undefined ? '—' : `${(rate / bestRate).toFixed(2)}×`,
  ];
}

function renderInput(input: InputResult): string {
  const best = fastestParser(input);
  const bestRate = best?.summary ? rowsPerSecond(best.summary) : undefined;
  const rows = input.outcomes.map((outcome) => renderRow(outcome, input, bestRate));
  const size = `${formatCount(input.rows)} rows, ${formatMegabytes(input.bytes)}`;
  const baseline = best
    ? `Fastest real parser on this file: **${best.name}**.`
    : 'No real parser ran on this file.';
  return [
    `### ${input.path}: ${size}`,
    '',
    markdownTable(HEADERS, rows, NUMERIC_COLUMNS),
    '',
    baseline,
  ].join('\n');
}

function findProblems(inputs: readonly InputResult[]): string[] {
  const problems: string[] = [];
  for (const input of inputs) {
    for (const outcome of input.outcomes) {
      const label = `${input.key} ${outcome.name}`;
      if (outcome.status === 'failed') problems.push(`${label}: failed: ${outcome.note ?? ''}`);
      if (outcome.summary && outcome.summary.rows !== input.rows) {
        problems.push(`${label}: counted ${outcome.summary.rows} rows, the file has ${input.rows}`);
      }
    }
  }
  return problems;
}

function check(passed: boolean, text: string): string {
  return `- ${passed ? 'PASS' : 'MISS'}: ${text}`;
}

/** Issue 2's targets for every `ferry` case that ran; empty when none did. */
function renderTargets(inputs: readonly InputResult[]): string[] {
  const lines: string[] = [];
  const rssByName = new Map<string, Map<string, number>>();
  for (const input of inputs) {
    const best = fastestParser(input);
    for (const outcome of input.outcomes) {
      if (outcome.group !== 'ferry' || !outcome.summary) continue;
      const { summary } = outcome;
      const label = `${input.key} ${outcome.name}`;
      if (best?.summary) {
        const ratio = rowsPerSecond(summary) / rowsPerSecond(best.summary);
        const text = `${label}: ${ratio.toFixed(2)}× ${best.name} (target ≥ ${TARGET_RATIO}×)`;
        lines.push(check(ratio >= TARGET_RATIO, text));
      }
      const rss = formatMegabytes(summary.maxRssBytes);
      const limit = formatMegabytes(TARGET_RSS_BYTES);
      lines.push(
        check(summary.maxRssBytes <= TARGET_RSS_BYTES, `${label}: peak RSS ${rss} (target ≤ ${limit})`),
      );
      const byInput = rssByName.get(outcome.name) ?? new Map<string, number>();
      byInput.set(input.key, summary.maxRssBytes);
      rssByName.set(outcome.name, byInput);
    }
  }
  for (const [name, byInput] of rssByName) {
    const small = byInput.get('1M');
    const large = byInput.get('3M');
    if (small === undefined || large === undefined) continue;
    const drift = large / small - 1;
    const percent = `${drift >= 0 ? '+' : ''}${(drift * 100).toFixed(0)} %`;
    const text = `${name}: peak RSS 3M vs 1M ${percent} (target within ±${TARGET_RSS_DRIFT * 100} %)`;
    lines.push(check(Math.abs(drift) <= TARGET_RSS_DRIFT, text));
  }
  return lines;
}

const NOTES = [
  "Notes: time is the case's own work inside its child process (Node start-up and module loading",
  "excluded; the raw JSON also has the wall time); rows/s and MB/s use it. CPU is the child's user",
  '+ system time over the same span (GC threads included): steadier than time when other work',
  "shares the cores. Peak RSS is the child's `maxRSS` from `process.resourceUsage()`; sampled RSS",
  'is the highest `memoryUsage().rss` seen every 50 ms. 1 MB = 10^6 bytes. Run-to-run noise on',
  'shared 2-core machines is ±15–20 % or worse under load: compare ratios from one run, not',
  'absolute times across runs. `parser` cases decode with iconv-lite, as issue 2 asks; iconv-lite',
  'yields two-byte strings, which alone makes splitting ~2–3× slower than on the one-byte strings',
  'of the `fast` decoder (latin1 plus a fix-up of the lines with 0x80–0x9F bytes; see',
  'scripts/bench/open-win1252.ts). The reference file has no quotes, so papaparse takes its',
  'split-based fast path on every chunk.',
];

/** Renders the whole CSV benchmark report as Markdown. */
export function renderCsvReport(report: CsvReportInput): CsvReport {
  const problems = findProblems(report.inputs);
  const targets = renderTargets(report.inputs);
  const mappingTargets = renderMappingTargets(report.inputs);
  const mode = report.quick ? 'quick (1 run per case)' : `median of ${report.runs} runs per case`;
  const problemLines =
    problems.length > 0 ? ['### Problems', '', ...problems.map((problem) => `- ${problem}`), ''] : [];
  const sections = [
    '## CSV read benchmark',
    '',
    `Machine: ${formatMachine(report.machine)}.`,
    `Date: ${report.date}; ${mode}.`,
    '',
    ...report.inputs.map((input) => `${renderInput(input)}\n`),
    '### Targets (issue 2)',
    '',
    ...(targets.length > 0 ? targets : ['- not evaluated: no `ferry` case ran.']),
    '',
    ...(mappingTargets.length > 0 ? ['### Targets (issue 6: group-by, lookups, computed fields)', '', ...mappingTargets, ''] : []),
    ...problemLines,
    ...NOTES,
  ];
  return { markdown: sections.join('\n'), problems };
}
