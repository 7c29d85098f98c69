/**
 * The soak test's memory figures: each life's peak RSS, and for the one long life of the calm phase
 * its early level against its level at the end.
 */
import type { Life, RssSample } from './daemon-lives.js';

/** Memory figures of a soak run, in bytes. */
export interface MemoryFigures {
  /** the highest RSS any life reached */
  readonly peakOfLives: number;
  /** median of the lives' peaks (killed lives are short, so this is start-up plus some work) */
  readonly medianPeak: number;
  /** the calm phase's life: median RSS early in the phase (20–40 % of it) and over its last 20 % */
  readonly calm: { readonly early: number; readonly end: number; readonly peak: number; readonly samples: number } | undefined;
  /** the calm life's V8 heap in use: the lowest value (after a GC) early in the phase and at its end */
  readonly heapLows: { readonly early: number; readonly end: number; readonly samples: number } | undefined;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function within(samples: readonly RssSample[], from: number, to: number): number[] {
  return samples.filter((s) => s.at >= from && s.at <= to).map((s) => s.rssBytes);
}

/** Summarises the samples; `calmStart`/`calmEnd` are in the lives' time base. */
export function summarizeMemory(lives: readonly Life[], calmLife: Life | undefined, calmStart: number, calmEnd: number): MemoryFigures {
  const peaks = lives.map((l) => Math.max(0, ...l.samples.map((s) => s.rssBytes)));
  let calm: MemoryFigures['calm'];
  if (calmLife !== undefined) {
    const span = calmEnd - calmStart;
    const early = within(calmLife.samples, calmStart + span * 0.2, calmStart + span * 0.4);
    const end = within(calmLife.samples, calmEnd - span * 0.2, calmEnd);
    const all = within(calmLife.samples, calmStart, calmEnd);
    if (early.length > 0 && end.length > 0) calm = { early: median(early), end: median(end), peak: Math.max(...all), samples: all.length };
  }
  let heapLows: MemoryFigures['heapLows'];
  if (calmLife !== undefined) {
    const span = calmEnd - calmStart;
    const early = within(calmLife.heap, calmStart + span * 0.2, calmStart + span * 0.4);
    const end = within(calmLife.heap, calmEnd - span * 0.2, calmEnd);
    if (early.length > 0 && end.length > 0) heapLows = { early: Math.min(...early), end: Math.min(...end), samples: calmLife.heap.length };
  }
  return { peakOfLives: Math.max(0, ...peaks), medianPeak: median(peaks), calm, heapLows };
}
