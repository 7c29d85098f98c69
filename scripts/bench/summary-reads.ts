/**
 * BENCHMARKS.md's summary rows for the read suites: CSV (issues 2 and 6), XLSX and XML (issue 5),
 * computed from each suite's results file with the suite's own baselines and targets.
 */
import * as csv from './csv-report.js';
import type { CsvResultsFile, InputResult as CsvInput } from './csv-report.js';
import { formatRate } from './markdown-table.js';
import type { RunSummary } from './measure.js';
import { QUICK_SKIPS_LARGE, driftText, ratioText, rssText, hasFigures, type Check, type Outcome, type SuiteSummary } from './summary-row.js';
import * as xlsx from './xlsx-bench.js';
import type { XlsxResultsFile } from './xlsx-bench.js';
import * as xml from './xml-bench.js';
import type { XmlResultsFile } from './xml-bench.js';

/** rows/s over a harness case's own time (Node start-up excluded). */
const rate = (s: RunSummary): number => s.rows / (s.elapsedMs / 1000);

/** The CPU-time ratio (baseline CPU ÷ ferry CPU), steadier than wall time on a loaded machine. */
function cpuNote(ferry: RunSummary, baseline: RunSummary): string {
  if (ferry.cpuMs === undefined || baseline.cpuMs === undefined) return '';
  return `by CPU time ${ratioText(baseline.cpuMs / ferry.cpuMs)}`;
}

function caseSummary(input: CsvInput, name: string): RunSummary | string {
  const outcome = input.outcomes.find((o) => o.name === name);
  if (outcome === undefined) return `\`${name}\` is not registered on the ${input.key} file`;
  return outcome.summary ?? `\`${name}\` ${outcome.status}: ${outcome.note ?? ''}`;
}

/** Issue 2 on one input: ferry read + map against the fastest real parser on the same file. */
function csvReadMap(input: CsvInput | undefined, oneM: CsvInput | undefined): Outcome {
  if (input === undefined) return { missing: 'the input was not part of this run' };
  const ferry = caseSummary(input, csv.PLAIN_READ_MAP);
  if (typeof ferry === 'string') return { missing: ferry };
  const best = csv.fastestParser(input);
  if (best?.summary === undefined) return { missing: `no real parser ran on the ${input.key} file` };
  const ratio = rate(ferry) / rate(best.summary);
  const checks: Check[] = [
    { label: 'ratio', passed: ratio >= csv.TARGET_RATIO },
    { label: 'peak RSS', passed: ferry.maxRssBytes <= csv.TARGET_RSS_BYTES },
  ];
  const notes = [cpuNote(ferry, best.summary)];
  const small = oneM === undefined || oneM === input ? undefined : caseSummary(oneM, csv.PLAIN_READ_MAP);
  if (small !== undefined && typeof small !== 'string') {
    const drift = ferry.maxRssBytes / small.maxRssBytes - 1;
    checks.push({ label: 'flat', passed: Math.abs(drift) <= csv.TARGET_RSS_DRIFT });
    notes.push(`peak RSS ${driftText(ferry.maxRssBytes, small.maxRssBytes)} vs 1M`);
  }
  return {
    ferry: `${formatRate(rate(ferry))} rows/s, ${(input.bytes / 1e6 / (ferry.elapsedMs / 1000)).toFixed(1)} MB/s`,
    floor: `${best.name}: ${formatRate(rate(best.summary))} rows/s`,
    ratio: ratioText(ratio),
    rss: rssText(ferry.maxRssBytes),
    checks,
    notes: notes.filter((n) => n !== '').join('; '),
  };
}

/** Issue 6: the grouped case against plain read + map on the 1M file. */
function grouped(input: CsvInput | undefined): Outcome {
  if (input === undefined) return { missing: 'the 1M input was not part of this run' };
  const plain = caseSummary(input, csv.PLAIN_READ_MAP);
  const cases = input.outcomes.filter((o) => o.group === 'mapping');
  const group = cases[0];
  if (group === undefined) return { missing: 'no `mapping` case ran (see `--only`)' };
  if (group.summary === undefined) return { missing: `\`${group.name}\` ${group.status}: ${group.note ?? ''}` };
  if (typeof plain === 'string') return { missing: plain };
  const ratio = rate(group.summary) / rate(plain);
  return {
    ferry: `${formatRate(rate(group.summary))} rows/s`,
    floor: `${csv.PLAIN_READ_MAP}: ${formatRate(rate(plain))} rows/s`,
    ratio: ratioText(ratio),
    rss: rssText(group.summary.maxRssBytes),
    checks: [
      { label: 'ratio', passed: ratio >= csv.MAPPING_RATIO },
      { label: 'peak RSS', passed: group.summary.maxRssBytes <= csv.MAPPING_RSS_BYTES },
    ],
    notes: cpuNote(group.summary, plain),
  };
}

/** The CSV suite's rows: issue 2 at 1M and 3M, issue 6. */
export function summarizeCsv(file: CsvResultsFile): SuiteSummary {
  const oneM = file.inputs.find((i) => i.key === '1M');
  const threeM = file.inputs.find((i) => i.key === '3M');
  return new Map<string, Outcome>([
    ['csv-1m', csvReadMap(oneM, undefined)],
    ['csv-3m', threeM === undefined && file.quick ? { missing: QUICK_SKIPS_LARGE } : csvReadMap(threeM, oneM)],
    ['grouped', grouped(oneM)],
  ]);
}

/** The shape the XLSX and XML suites share for one case. */
interface ReadCase {
  readonly name: string;
  readonly role: 'baseline' | 'ferry' | 'reference';
  readonly summary?: RunSummary;
  readonly error?: string;
}

interface ReadTargets {
  readonly ratio: number;
  readonly rssBytes: number;
  readonly unit: string;
}

/** ferry read + map against the suite's baseline case on one input. */
function readAgainstBaseline(cases: readonly ReadCase[], targets: ReadTargets, extra: readonly Check[] = [], extraNote = ''): Outcome {
  const ferry = cases.find((c) => c.role === 'ferry');
  const baseline = cases.find((c) => c.role === 'baseline');
  if (ferry?.summary === undefined) return { missing: `ferry read + map: ${ferry?.error ?? 'no case'}` };
  if (baseline?.summary === undefined) return { missing: `the baseline did not run: ${baseline?.error ?? 'no case'}` };
  const ratio = rate(ferry.summary) / rate(baseline.summary);
  return {
    ferry: `${formatRate(rate(ferry.summary))} ${targets.unit}/s`,
    floor: `${baseline.name}: ${formatRate(rate(baseline.summary))} ${targets.unit}/s`,
    ratio: ratioText(ratio),
    rss: rssText(ferry.summary.maxRssBytes),
    checks: [
      { label: 'ratio', passed: ratio >= targets.ratio },
      { label: 'peak RSS', passed: ferry.summary.maxRssBytes <= targets.rssBytes },
      ...extra,
    ],
    notes: [cpuNote(ferry.summary, baseline.summary), extraNote].filter((n) => n !== '').join('; '),
  };
}

/** Issue 5, XLSX. */
export function summarizeXlsx(file: XlsxResultsFile): SuiteSummary {
  const targets = { ratio: xlsx.TARGET_RATIO, rssBytes: xlsx.TARGET_RSS, unit: 'rows' };
  return new Map([['xlsx', readAgainstBaseline(file.results, targets)]]);
}

/** Issue 5, XML at 1× and 3×. */
export function summarizeXml(file: XmlResultsFile): SuiteSummary {
  const targets = { ratio: xml.TARGET_RATIO, rssBytes: xml.TARGET_RSS, unit: 'records' };
  const one = file.inputs.find((i) => i.label === '1×');
  const three = file.inputs.find((i) => i.label === '3×');
  const peak = (input: typeof one): number | undefined => input?.results.find((c) => c.role === 'ferry')?.summary?.maxRssBytes;
  let threeOutcome: Outcome;
  if (three === undefined) {
    threeOutcome = { missing: file.quick ? QUICK_SKIPS_LARGE : 'the 3× input was not part of this run' };
  } else {
    const small = peak(one);
    const large = peak(three);
    const flat = small === undefined || large === undefined ? [] : [{ label: 'flat', passed: large / small <= xml.FLAT_SLACK }];
    const note = small === undefined || large === undefined ? '' : `peak RSS ${driftText(large, small)} vs 1×`;
    const measured = readAgainstBaseline(three.results, targets, flat, note);
    // issue 5 sets the speed target on the 500,000-record file; at 3× the ratio is context only
    threeOutcome = hasFigures(measured) ? { ...measured, checks: measured.checks.filter((c) => c.label !== 'ratio') } : measured;
  }
  return new Map<string, Outcome>([
    ['xml-1x', one === undefined ? { missing: 'the 1× input was not part of this run' } : readAgainstBaseline(one.results, targets)],
    ['xml-3x', threeOutcome],
  ]);
}
