/**
 * The soak test's memory figures: each life's peak RSS, and for the one long life of the calm phase
 * its early level against its level at the end. Levels are lower quartiles of a window: the files
 * in flight (a 1,500-row file parses in one go) lift the upper samples for seconds at a time, while
 * a leak lifts the floor, so the lower quartile is the steadier and the more telling of the two.
 */
import type { Life, RssSample } from './daemon-lives.js';

/** Memory figures of a soak run, in bytes. */
export interface MemoryFigures {
  /** the highest RSS any life reached */
  readonly peakOfLives: number;
  /** median of the lives' peaks (killed lives are short, so this is start-up plus some work) */
  readonly medianPeak: number;
  /**
   * The calm phase's life: the lower quartile of its RSS early in the phase (20–50 % of it) and
   * over its last 30 %, its peak, and the least-squares slope over the whole phase (bytes/min).
   */
  readonly calm: { readonly early: number; readonly end: number; readonly peak: number; readonly slopePerMin: number; readonly samples: number } | undefined;
  /** the calm life's V8 heap in use: the lowest value (after a GC) in the same two windows */
  readonly heapLows: { readonly early: number; readonly end: number; readonly samples: number } | undefined;
  /** the calm life's memory every ~10 s, for the record: [s into the phase, RSS, heap in use, external] in MiB */
  readonly trace: readonly (readonly [number, number, number, number])[];
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) * q)] ?? 0;
}

function within(samples: readonly RssSample[], from: number, to: number): number[] {
  return samples.filter((s) => s.at >= from && s.at <= to).map((s) => s.rssBytes);
}

function slopePerMin(samples: readonly RssSample[]): number {
  const n = samples.length;
  if (n < 2) return 0;
  const mx = samples.reduce((a, s) => a + s.at, 0) / n;
  const my = samples.reduce((a, s) => a + s.rssBytes, 0) / n;
  const sxy = samples.reduce((a, s) => a + (s.at - mx) * (s.rssBytes - my), 0);
  const sxx = samples.reduce((a, s) => a + (s.at - mx) ** 2, 0);
  return sxx === 0 ? 0 : (sxy / sxx) * 60_000;
}

const MIB = 1024 * 1024;
const round1 = (bytes: number): number => Math.round((bytes / MIB) * 10) / 10;

/** Summarises the samples; `calmStart`/`calmEnd` are in the lives' time base. */
export function summarizeMemory(lives: readonly Life[], calmLife: Life | undefined, calmStart: number, calmEnd: number): MemoryFigures {
  const peaks = lives.map((l) => Math.max(0, ...l.samples.map((s) => s.rssBytes)));
  let calm: MemoryFigures['calm'];
  let heapLows: MemoryFigures['heapLows'];
  const trace: [number, number, number, number][] = [];
  if (calmLife !== undefined) {
    const span = calmEnd - calmStart;
    const [earlyFrom, earlyTo, endFrom] = [calmStart + span * 0.2, calmStart + span * 0.5, calmEnd - span * 0.3];
    const inPhase = calmLife.samples.filter((s) => s.at >= calmStart && s.at <= calmEnd);
    const early = within(calmLife.samples, earlyFrom, earlyTo);
    const end = within(calmLife.samples, endFrom, calmEnd);
    if (early.length > 0 && end.length > 0) {
      calm = { early: quantile(early, 0.25), end: quantile(end, 0.25), peak: Math.max(...inPhase.map((s) => s.rssBytes)), slopePerMin: slopePerMin(inPhase), samples: inPhase.length };
    }
    const heapEarly = within(calmLife.heap, earlyFrom, earlyTo);
    const heapEnd = within(calmLife.heap, endFrom, calmEnd);
    if (heapEarly.length > 0 && heapEnd.length > 0) heapLows = { early: Math.min(...heapEarly), end: Math.min(...heapEnd), samples: calmLife.heap.length };
    for (let t = calmStart; t <= calmEnd; t += 10_000) {
      const rss = calmLife.samples.find((s) => s.at >= t);
      const heap = calmLife.heap.find((s) => s.at >= t);
      const external = calmLife.external.find((s) => s.at >= t);
      if (rss !== undefined) trace.push([Math.round((t - calmStart) / 1000), round1(rss.rssBytes), round1(heap?.rssBytes ?? 0), round1(external?.rssBytes ?? 0)]);
    }
  }
  return { peakOfLives: Math.max(0, ...peaks), medianPeak: quantile(peaks, 0.5), calm, heapLows, trace };
}
