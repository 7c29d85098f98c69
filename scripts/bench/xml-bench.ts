/**
 * Issue 5's XML benchmark: the 500,000-record (~110 MB) reference document (generate-xml.ts) and
 * one 3× its size, each read by a bare saxes parse (the baseline), by ferry's reader alone, and
 * read + mapped by ferry, each case in its own child process, round-robin. Targets: ferry's read +
 * map at ≥ 0.7× the bare parse's records/s; peak RSS ≤ 150 MB, and flat when the file is 3×
 * larger. Called by run.ts; writes `.bench/results-xml.md` and `.bench/results-xml.json`.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ensureReferenceXml } from './generate-xml.js';
import { formatMachine, type MachineInfo } from './machine-info.js';
import { formatCount, formatMegabytes, formatRate, formatSeconds, markdownTable } from './markdown-table.js';
import { measureOnce, summarizeRuns, type RunResult, type RunSummary } from './measure.js';

/** What run.ts hands over. */
export interface XmlBenchOptions {
  readonly repoRoot: string;
  /** `.bench/` */
  readonly outDir: string;
  readonly machine: MachineInfo;
  /** the 1× file only, one run per case */
  readonly quick: boolean;
}

const RECORDS = 500_000;
/** Issue 5: read + map ≥ 0.7× a bare saxes parse; peak RSS ≤ 150 MB, flat at 3× the file. */
export const TARGET_RATIO = 0.7;
export const TARGET_RSS = 150e6;
/** "flat": the 3× file may cost this much more peak RSS than the 1× file */
export const FLAT_SLACK = 1.15;
const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

interface XmlCase {
  readonly name: string;
  readonly script: string;
  readonly args: readonly string[];
  readonly role: 'baseline' | 'ferry' | 'reference';
}

// ─── Register cases here ──────────────────────────────────────────────────────────────────────
const CASES: readonly XmlCase[] = [
  { name: 'saxes, bare parse', script: 'case-sax-raw.js', args: [], role: 'baseline' },
  { name: 'ferry read only', script: 'case-ferry-xml.js', args: ['read-only'], role: 'reference' },
  { name: 'ferry read + map', script: 'case-ferry-xml.js', args: [], role: 'ferry' },
  // the key check keeps every key of the file: this case shows what the reader and mapping alone hold
  { name: 'ferry read + map, no key check', script: 'case-ferry-xml.js', args: ['reference-orders-xml-nokey'], role: 'reference' },
];
// ──────────────────────────────────────────────────────────────────────────────────────────────

/** Every run of one case and their medians (absent when it failed: see `error`). */
export interface CaseResult {
  readonly name: string;
  readonly role: XmlCase['role'];
  readonly runs: readonly RunResult[];
  readonly summary?: RunSummary;
  readonly error?: string;
}

/** The cases run on one input file (`1×` or `3×`). */
export interface InputResult {
  readonly label: string;
  readonly path: string;
  readonly records: number;
  readonly bytes: number;
  readonly results: readonly CaseResult[];
}

/** What `.bench/results-xml.json` holds. */
export interface XmlResultsFile {
  readonly date: string;
  readonly machine: MachineInfo;
  readonly quick: boolean;
  readonly runsPerCase: number;
  readonly inputs: readonly InputResult[];
  readonly problems: readonly string[];
}

function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function runInput(label: string, records: number, options: XmlBenchOptions, runs: number): Promise<InputResult> {
  progress(`xml ${label}: preparing ${formatCount(records)} records in ${options.outDir}`);
  const input = await ensureReferenceXml(options.outDir, records);
  progress(`xml ${label}: ${input.generated ? 'generated' : 'reused'} ${input.path} (${input.bytes} bytes)`);
  const runnable = CASES.filter((c) => existsSync(join(BENCH_DIR, c.script)));
  const collected = new Map<XmlCase, { runs: RunResult[]; error?: string }>(runnable.map((c) => [c, { runs: [] }]));
  for (let round = 1; round <= runs; round++) {
    for (const benchCase of runnable) {
      const entry = collected.get(benchCase);
      if (entry === undefined || entry.error !== undefined) continue;
      try {
        const run = await measureOnce(join(BENCH_DIR, benchCase.script), [input.path, ...benchCase.args]);
        if (run.rows !== records) throw new Error(`counted ${run.rows} records, the file has ${records}`);
        entry.runs.push(run);
        progress(`[xml ${label} ${round}/${runs}] ${benchCase.name}: ${formatSeconds(run.elapsedMs)}, ${run.rows} records, peak RSS ${formatMegabytes(run.maxRssKb * 1024)}`);
      } catch (error) {
        entry.error = (error as Error).message;
        progress(`[xml ${label} ${round}/${runs}] ${benchCase.name}: FAILED ${entry.error}`);
      }
    }
  }
  const results = CASES.map((c): CaseResult => {
    const entry = collected.get(c);
    if (entry === undefined) return { name: c.name, role: c.role, runs: [], error: `not built (scripts/bench/${c.script.replace(/\.js$/, '.ts')})` };
    if (entry.error !== undefined || entry.runs.length === 0) return { name: c.name, role: c.role, runs: entry.runs, error: entry.error ?? 'no runs' };
    return { name: c.name, role: c.role, runs: entry.runs, summary: summarizeRuns(entry.runs) };
  });
  return { label, path: relative(options.repoRoot, input.path), records, bytes: input.bytes, results };
}

/** Runs the suite and returns the targets it missed (empty when all are met). */
export async function runXmlBench(options: XmlBenchOptions): Promise<string[]> {
  const runs = options.quick ? 1 : 3;
  const inputs = [await runInput('1×', RECORDS, options, runs)];
  if (!options.quick) inputs.push(await runInput('3×', RECORDS * 3, options, runs));
  const { markdown, problems } = renderXmlReport(inputs, options.machine, runs);
  process.stdout.write(`${markdown}\n`);
  await writeFile(join(options.outDir, 'results-xml.md'), `${markdown}\n`);
  const raw: XmlResultsFile = { date: new Date().toISOString(), machine: options.machine, quick: options.quick, runsPerCase: runs, inputs, problems };
  await writeFile(join(options.outDir, 'results-xml.json'), `${JSON.stringify(raw, null, 2)}\n`);
  progress(`wrote ${join(options.outDir, 'results-xml.md')} and results-xml.json`);
  return problems;
}

function renderXmlReport(inputs: readonly InputResult[], machine: MachineInfo, runs: number): { markdown: string; problems: string[] } {
  const rate = (s: RunSummary): number => s.rows / (s.elapsedMs / 1000);
  const problems: string[] = [];
  const sections = inputs.map((input) => {
    const baseline = input.results.find((r) => r.role === 'baseline')?.summary;
    const rows = input.results.map((r) => {
      const s = r.summary;
      if (s === undefined) return [r.name, '—', '—', '—', '—', '—', '—', r.error ?? ''];
      const ratio = baseline === undefined ? undefined : rate(s) / rate(baseline);
      const cpuRatio = baseline?.cpuMs === undefined || s.cpuMs === undefined ? undefined : baseline.cpuMs / s.cpuMs;
      let verdict = '';
      if (r.role === 'ferry') {
        const misses: string[] = [];
        if (input.label === '1×' && (ratio === undefined || ratio < TARGET_RATIO)) misses.push(`records/s ${ratio === undefined ? 'without a baseline' : `${ratio.toFixed(2)}×`} < ${TARGET_RATIO}× saxes`);
        if (s.maxRssBytes > TARGET_RSS) misses.push(`peak RSS ${formatMegabytes(s.maxRssBytes)} > ${formatMegabytes(TARGET_RSS)}`);
        problems.push(...misses.map((m) => `${input.label} ${r.name}: ${m}`));
        verdict = misses.length === 0 ? 'meets the targets' : misses.join('; ');
      }
      return [r.name, formatSeconds(s.elapsedMs), s.cpuMs === undefined ? '—' : formatSeconds(s.cpuMs), formatRate(rate(s)), ratio === undefined ? '—' : `${ratio.toFixed(2)}×`, cpuRatio === undefined ? '—' : `${cpuRatio.toFixed(2)}×`, formatMegabytes(s.maxRssBytes), verdict];
    });
    return [
      `### \`${input.path}\`: ${formatCount(input.records)} records, ${formatMegabytes(input.bytes)} (${input.label})`,
      '',
      markdownTable(['case', 'time', 'CPU', 'records/s', '× saxes', '× saxes (CPU)', 'peak RSS', 'verdict'], rows, [1, 2, 3, 4, 5, 6]),
    ].join('\n');
  });
  // flat: peak RSS at 3× against 1×, for every case; only ferry read + map counts for the target
  const flatness = CASES.map((c) => {
    const [one, three] = inputs.map((i) => i.results.find((r) => r.name === c.name)?.summary?.maxRssBytes);
    return { c, ratio: one === undefined || three === undefined ? undefined : three / one, one, three };
  });
  for (const f of flatness) {
    if (f.c.role === 'ferry' && f.ratio !== undefined && f.ratio > FLAT_SLACK) {
      problems.push(`${f.c.name}: peak RSS ${formatMegabytes(f.three ?? 0)} at 3× against ${formatMegabytes(f.one ?? 0)} at 1× (${f.ratio.toFixed(2)}×; flat means ≤ ${FLAT_SLACK}×)`);
    }
  }
  const measured = flatness.filter((f) => f.ratio !== undefined);
  const flatLine = measured.length === 0
    ? 'Flatness: not measured (needs both files).'
    : `Flatness (peak RSS at 3× ÷ at 1×): ${measured.map((f) => `${f.c.name} ${f.ratio?.toFixed(2)}×`).join('; ')}.`;
  const markdown = [
    '## XML read (issue 5)',
    '',
    `Machine: ${formatMachine(machine)}. Median of ${runs} run${runs === 1 ? '' : 's'} per case, each in a fresh process.`,
    `Targets: ferry read + map ≥ ${TARGET_RATIO}× the records/s of a bare saxes parse of the same file; peak RSS ≤ ${formatMegabytes(TARGET_RSS)}, and flat when the file is 3× larger.`,
    '',
    ...sections.flatMap((s) => [s, '']),
    flatLine,
  ].join('\n');
  return { markdown, problems };
}
