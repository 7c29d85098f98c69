/**
 * Turns the delivery benchmark's measurements into `.bench/results-delivery.md` and checks
 * issue 3's targets, in the style of the CSV report (csv-report.ts).
 */
import type { ProfileEntry, ProfileSummary } from './cpu-profile-summary.js';
import type { DeliveryCaseKind, DeliveryRun } from './delivery-cases.js';
import { formatMachine, type MachineInfo } from './machine-info.js';
import { formatCount, formatMegabytes, formatRate, formatSeconds, markdownTable } from './markdown-table.js';
import { median } from './measure.js';
import type { StorePlan } from './store-share.js';
import type { TargetMode } from './target-process.js';

/** Every run of one case. */
export interface DeliveryCaseResult {
  readonly kind: DeliveryCaseKind;
  readonly target: TargetMode;
  readonly input: string;
  readonly status: 'ok' | 'failed';
  readonly note?: string;
  readonly runs: readonly DeliveryRun[];
}

/** The replayed store calls of one kind of run, against ferry's median wall time for it. */
export interface StoreShare {
  readonly label: string;
  readonly plan: StorePlan;
  readonly calls: number;
  readonly totalMs: number;
  readonly ferryWallMs: number | null;
  readonly share: number | null;
  /** The same time against ferry's CPU time, which a loaded machine inflates less than wall time. */
  readonly ferryCpuMs: number | null;
  readonly cpuShare: number | null;
}

/** Everything the report is made of (also written as JSON). */
export interface DeliveryResults {
  readonly date: string;
  readonly machine: MachineInfo;
  readonly quick: boolean;
  readonly runsPerCase: number;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly rssMethod: string;
  /** The checkout the measured build was compiled from (build-snapshot.ts). */
  readonly build: string;
  readonly cases: readonly DeliveryCaseResult[];
  readonly store: readonly StoreShare[];
  /** CPU profiles of single ferry runs; the first is the 1M run the store share is read from. */
  readonly profiles: readonly ProfiledRun[];
}

/** One ferry run under `node --cpu-prof`. */
export interface ProfiledRun {
  readonly label: string;
  readonly wallMs: number;
  readonly summary: ProfileSummary;
}

/** Issue 3: ≤ 1.5× the floor; peak RSS ≤ 250 MB, flat 1M → 3M; store < 10 %; ≥ 100 files/s. */
export const TARGET_FLOOR_RATIO = 1.5;
export const TARGET_RSS_BYTES = 250e6;
export const TARGET_RSS_DRIFT = 0.2;
export const TARGET_STORE_SHARE = 0.1;
export const TARGET_FILES_PER_SECOND = 100;

/** The medians over the runs of one delivery case. */
export interface Medians {
  readonly wallMs: number;
  readonly cpuMs: number | null;
  readonly maxRssBytes: number;
  readonly records: number;
  readonly files: number;
  readonly requests: number;
  readonly bodyBytes: number;
  readonly targetCpuMs: number;
}

/** The medians of a case that ran; undefined when it failed or has no runs. */
export function mediansOf(result: DeliveryCaseResult): Medians | undefined {
  const { runs } = result;
  if (result.status !== 'ok' || runs.length === 0) return undefined;
  const m = (pick: (run: DeliveryRun) => number): number => median(runs.map(pick));
  return {
    wallMs: m((r) => r.wallMs), cpuMs: runs.every((r) => r.cpuMs !== null) ? m((r) => r.cpuMs ?? 0) : null, maxRssBytes: m((r) => r.maxRssBytes), records: m((r) => r.records), files: m((r) => r.files),
    requests: m((r) => r.requests), bodyBytes: m((r) => r.bodyBytes), targetCpuMs: m((r) => r.targetCpuMs),
  };
}

/** The medians of the case of this kind, input and target; undefined when it did not run. */
export function findMedians(results: DeliveryResults, kind: DeliveryCaseKind, input: string, target: TargetMode): Medians | undefined {
  const found = results.cases.find((c) => c.kind === kind && c.input === input && c.target === target);
  return found === undefined ? undefined : mediansOf(found);
}

/** A failure note as one table cell: one line, no pipes. */
const cellNote = (note: string | undefined): string => (note ?? 'no runs').replace(/\s+/g, ' ').replaceAll('|', '\\|').slice(0, 200);
const percent = (share: number): string => `${(share * 100).toFixed(1)} %`;
const check = (passed: boolean, text: string): string => `- ${passed ? 'MET' : 'MISSED'}: ${text}`;

const cpuText = (ms: number | null): string => (ms === null ? '—' : formatSeconds(ms));
const ratioText = (a: number | null, b: number | null | undefined): string => (a === null || b === null || b === undefined ? '—' : `${(a / b).toFixed(2)}×`);

function bigFileSection(results: DeliveryResults, input: string): string[] {
  const cases = results.cases.filter((c) => c.input === input);
  if (cases.length === 0) return [];
  const headers = ['case', 'target', 'records', 'requests', 'body MB', 'wall', 'rows/s', 'peak RSS', 'CPU', 'target CPU', '× floor (wall)', '× floor (CPU)'];
  const rows = cases.map((c) => {
    const m = mediansOf(c);
    if (m === undefined) return [c.kind, c.target, `${c.status}: ${cellNote(c.note)}`, ...headers.slice(3).map(() => '')];
    const floor = findMedians(results, 'floor', input, c.target);
    return [
      c.kind, c.target, formatCount(m.records), formatCount(m.requests), (m.bodyBytes / 1e6).toFixed(1), formatSeconds(m.wallMs),
      formatRate(m.records / (m.wallMs / 1000)), formatMegabytes(m.maxRssBytes), cpuText(m.cpuMs), formatSeconds(m.targetCpuMs),
      floor === undefined ? '—' : ratioText(m.wallMs, floor.wallMs), ratioText(m.cpuMs, floor?.cpuMs),
    ];
  });
  const runs = Math.max(...cases.map((c) => c.runs.length));
  return [
    `### ${input} rows, one file (${runs === 0 ? 'no successful run' : `median of ${runs} run${runs === 1 ? '' : 's'}`})`, '',
    markdownTable(headers, rows, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), '',
  ];
}

function smallFilesSection(results: DeliveryResults): string[] {
  const cases = results.cases.filter((c) => c.kind === 'ferry small files' || c.kind === 'ferry, no files');
  if (cases.length === 0) return [];
  const empty = cases.find((c) => c.kind === 'ferry, no files');
  const emptyMs = empty === undefined ? undefined : mediansOf(empty)?.wallMs;
  const headers = ['case', 'target', 'files', 'records', 'wall', 'files/s', 'wall / file', 'marginal / file', 'peak RSS', 'CPU', 'target CPU'];
  const rows = cases.map((c) => {
    const m = mediansOf(c);
    if (m === undefined) return [c.kind, c.target, `${c.status}: ${cellNote(c.note)}`, ...headers.slice(3).map(() => '')];
    const perFile = m.files === 0 ? '—' : `${(m.wallMs / m.files).toFixed(1)} ms`;
    const marginal = m.files === 0 || emptyMs === undefined ? '—' : `${((m.wallMs - emptyMs) / m.files).toFixed(1)} ms`;
    return [
      c.kind, c.target, formatCount(m.files), formatCount(m.records), formatSeconds(m.wallMs),
      m.files === 0 ? '—' : (m.files / (m.wallMs / 1000)).toFixed(0), perFile, marginal, formatMegabytes(m.maxRssBytes), cpuText(m.cpuMs), formatSeconds(m.targetCpuMs),
    ];
  });
  return [
    '### Many small files, one `ferry run`', '', markdownTable(headers, rows, [2, 3, 4, 5, 6, 7, 8, 9, 10]), '',
    'wall / file is the wall time over the files (start-up included); marginal / file subtracts a run on an empty inbox (start-up, profile load, store open).', '',
  ];
}

function storeSection(results: DeliveryResults): string[] {
  const headers = ['replayed run', 'store calls', 'store time', 'ferry wall (parse target)', 'share of wall', 'ferry CPU', 'share of CPU'];
  const rows = results.store.map((s) => [
    s.label, formatCount(s.calls), `${s.totalMs.toFixed(0)} ms`,
    s.ferryWallMs === null ? '—' : formatSeconds(s.ferryWallMs), s.share === null ? '—' : percent(s.share),
    cpuText(s.ferryCpuMs), s.cpuShare === null ? '—' : percent(s.cpuShare),
  ]);
  const lines = [
    '### State store share (estimate)', '',
    'An **estimate**: ferry cannot time its own store calls without changes to src/, so the calls a run makes',
    '(run-profile.ts, process-batch.ts, deliver-chunks.ts) are replayed against a fresh SqliteStore in the',
    'bench process (store open + close included) and set against ferry\'s median wall time for that run.', '',
    markdownTable(headers, rows, [1, 2, 3, 4, 5, 6]), '',
  ];
  for (const profiled of results.profiles) {
    const inStore = profiled.summary.inclusive[0];
    if (inStore === undefined) continue;
    const busyMs = profiled.summary.totalMs - profiled.summary.idleMs;
    lines.push(
      `Measured in the profiled run below (${profiled.label}): ${inStore.ms.toFixed(0)} ms of samples inside the store, ` +
        `${percent(inStore.ms / profiled.wallMs)} of that run's ${formatSeconds(profiled.wallMs)} wall time and ` +
        `${percent(inStore.ms / busyMs)} of the main thread's ${formatSeconds(busyMs)} busy time.`,
      '',
    );
  }
  return lines;
}

function profileSection(profiled: ProfiledRun): string[] {
  const { summary, wallMs, label } = profiled;
  const entries = (list: readonly ProfileEntry[]): string[][] =>
    list.map((e) => [e.name.replaceAll('|', '\\|'), `${e.ms.toFixed(0)} ms`, percent(e.share)]);
  return [
    `### CPU profile of one ferry run (${label}; \`node --cpu-prof\`, ${formatSeconds(wallMs)} wall)`, '',
    `Profiled ${formatSeconds(summary.totalMs)}; the main thread was idle (waiting for the target or the disk) ${formatSeconds(summary.idleMs)} of it.`, '',
    'Top self time:', '', markdownTable(['function', 'self', 'share'], entries(summary.topFunctions), [1, 2]), '',
    'Self time charged to the innermost ferry function on the stack (Node internals and builtins count for',
    'the ferry code that called them):', '', markdownTable(['ferry function', 'time', 'share'], entries(summary.topFerryCallers), [1, 2]), '',
    'Self time by file:', '', markdownTable(['file', 'self', 'share'], entries(summary.topFiles), [1, 2]), '',
    'Samples with the phase\'s function on the stack (a lower bound: work resumed from a stream or a timer',
    'after an `await` does not show its caller):', '', markdownTable(['code', 'time', 'share'], entries(summary.inclusive), [1, 2]), '',
  ];
}

function targetLines(results: DeliveryResults): string[] {
  const lines: string[] = [];
  for (const input of ['1M', '3M']) {
    for (const target of ['parse', 'discard'] as const) {
      const ferry = findMedians(results, 'ferry', input, target);
      const floor = findMedians(results, 'floor', input, target);
      if (ferry === undefined || floor === undefined) continue;
      const ratio = ferry.wallMs / floor.wallMs;
      const what = target === 'parse' ? 'parsing target (issue 3\'s set-up)' : 'discarding target (ferry\'s own speed)';
      const cpu = ferry.cpuMs === null || floor.cpuMs === null ? '' : `; CPU ${(ferry.cpuMs / floor.cpuMs).toFixed(2)}×`;
      lines.push(check(ratio <= TARGET_FLOOR_RATIO, `${input}, ${what}: end to end ${ratio.toFixed(2)}× the floor's wall time${cpu} (target ≤ ${TARGET_FLOOR_RATIO}×)`));
      const streamed = findMedians(results, 'ferry, streamed', input, target);
      if (streamed !== undefined) {
        const cpuStreamed = streamed.cpuMs === null || floor.cpuMs === null ? '' : `; CPU ${(streamed.cpuMs / floor.cpuMs).toFixed(2)}×`;
        lines.push(check(streamed.wallMs / floor.wallMs <= TARGET_FLOOR_RATIO, `${input}, ${what}, streamed (target.stream: true, opt-in): ${(streamed.wallMs / floor.wallMs).toFixed(2)}× the floor's wall time${cpuStreamed}`));
      }
    }
  }
  const rss = new Map<string, number>();
  for (const input of ['1M', '3M']) {
    const peaks = (['parse', 'discard'] as const).map((t) => findMedians(results, 'ferry', input, t)?.maxRssBytes).filter((v): v is number => v !== undefined);
    if (peaks.length === 0) continue;
    const peak = Math.max(...peaks);
    rss.set(input, peak);
    lines.push(check(peak <= TARGET_RSS_BYTES, `${input}: ferry's peak RSS ${formatMegabytes(peak)} (highest over both targets; target ≤ ${formatMegabytes(TARGET_RSS_BYTES)})`));
  }
  const small = rss.get('1M');
  const large = rss.get('3M');
  if (small !== undefined && large !== undefined) {
    const drift = large / small - 1;
    lines.push(check(Math.abs(drift) <= TARGET_RSS_DRIFT, `peak RSS 3M vs 1M ${drift >= 0 ? '+' : ''}${(drift * 100).toFixed(0)} % (flat: within ±${TARGET_RSS_DRIFT * 100} %)`));
  }
  for (const replay of results.store) {
    // Judged on the larger of the two shares, so that a loaded machine cannot flatter the store.
    const shares = [replay.share, replay.cpuShare].filter((v): v is number => v !== null);
    if (shares.length === 0) continue;
    const worst = Math.max(...shares);
    const cpu = replay.cpuShare === null ? '' : ` (${percent(replay.cpuShare)} of its CPU time)`;
    lines.push(check(worst < TARGET_STORE_SHARE, `state store ${percent(replay.share ?? worst)} of the wall time${cpu}, ${replay.label} (estimate by replay; target < 10 %)`));
  }
  for (const profiled of results.profiles) {
    const inStore = profiled.summary.inclusive[0];
    if (inStore === undefined) continue;
    const share = inStore.ms / (profiled.summary.totalMs - profiled.summary.idleMs);
    lines.push(check(share < TARGET_STORE_SHARE, `state store ${percent(share)} of the main thread's busy time, profiled run (${profiled.label}; target < 10 %)`));
  }
  for (const target of ['parse', 'discard'] as const) {
    const m = findMedians(results, 'ferry small files', '1000×10', target);
    if (m === undefined) continue;
    const rate = m.files / (m.wallMs / 1000);
    lines.push(check(rate >= TARGET_FILES_PER_SECOND, `${m.files} small files, ${target} target: ${rate.toFixed(0)} files/s, ${(m.wallMs / m.files).toFixed(1)} ms per file (target ≥ ${TARGET_FILES_PER_SECOND} files/s)`));
  }
  return lines;
}

const NOTES = [
  'Notes: every case is a fresh child process measured from outside: wall time from spawn to exit (Node',
  'start-up, profile load and store open included) and the kernel\'s peak RSS of that process. ferry runs',
  '`node bin/ferry.js run <profile> --json` in a fresh workspace (FERRY_LOG_LEVEL=warn): it copies and hashes',
  'the file into staging, maps it into the spool, sends the chunks with an Idempotency-Key, commits each',
  'chunk\'s outcome, writes the result file and moves the source to processed/. The floor',
  '(case-delivery-floor.ts) decodes with the fast decoder, splits naively, builds the same records,',
  '`JSON.stringify`s 1,000 at a time and POSTs them with node:http keep-alive, 4 in flight: no checks, no',
  'staging, no spool, no state, no result file. The target is a separate Node process on the same 2 cores:',
  '`parse` runs `JSON.parse` on every body and counts the records (the counts above are its own), `discard`',
  'only counts bytes. CPU is the sender\'s user + system time (all threads, GC included) from GNU time;',
  'target CPU is the target process\'s CPU time during the run, which competes with the sender for the two',
  'cores. On a loaded machine CPU ratios are steadier than wall ratios. 1 MB = 10^6 bytes. Noise on a',
  'shared 2-core machine is ±15–20 % or worse under load: compare ratios from one run, not absolute times',
  'across runs. The runs use a copy of the build taken at the start (build-snapshot.ts), so a rebuild of',
  'dist/ by someone else during the benchmark changes nothing.',
];

/** Renders the report and lists the problems that should fail the bench (not target misses). */
export function renderDeliveryReport(results: DeliveryResults): { markdown: string; problems: string[] } {
  const problems = results.cases.filter((c) => c.status === 'failed').map((c) => `${c.input} ${c.kind} (${c.target}): ${(c.note ?? 'failed').replace(/\s+/g, ' ')}`);
  const mode = results.quick ? 'quick (1 run per case)' : `median of ${results.runsPerCase} runs per case (3M: 1 run)`;
  const sections = [
    '## Delivery benchmark (issue 3)', '',
    `Machine: ${formatMachine(results.machine)}.`,
    `Build: ${results.build} (compiled dist/ at the start of the run).`,
    `Date: ${results.date}; ${mode}; batchSize ${results.batchSize}, concurrency ${results.concurrency}; peak RSS from ${results.rssMethod}.`, '',
    ...bigFileSection(results, '1M'),
    ...bigFileSection(results, '3M'),
    ...smallFilesSection(results),
    ...storeSection(results),
    ...(results.profiles.length > 0 ? results.profiles.flatMap(profileSection) : ['### CPU profile', '', 'Not available: the profiled runs failed.', '']),
    '### Targets (issue 3)', '',
    ...targetLines(results), '',
    ...(problems.length > 0 ? ['### Problems', '', ...problems.map((p) => `- ${p}`), ''] : []),
    ...NOTES,
  ];
  return { markdown: sections.join('\n'), problems };
}
