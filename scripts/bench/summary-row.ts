/**
 * One row of BENCHMARKS.md's summary as a suite's results fill it in (summary-reads.ts,
 * summary-pipeline.ts), and the small helpers those share.
 */
import { formatMegabytes } from './markdown-table.js';

/** One target checked on one figure. */
export interface Check {
  /** Which target: `ratio`, `peak RSS`, `flat`, … */
  readonly label: string;
  readonly passed: boolean;
}

/** A named benchmark's figures from this run. */
export interface Figures {
  /** ferry's own figure (rows/s, MB/s, files/s …). */
  readonly ferry: string;
  /** The floor or reference measured in the same run, named. */
  readonly floor: string;
  readonly ratio: string;
  /** ferry's peak RSS. */
  readonly rss: string;
  readonly checks: readonly Check[];
  readonly notes: string;
}

/** A named benchmark the run did not measure, and why. */
export interface Missing {
  readonly missing: string;
}

/** What a suite's results say about one named benchmark. */
export type Outcome = Figures | Missing;

/** The outcomes a suite's results file gives, by the ids of benchmark-inventory.ts. */
export type SuiteSummary = ReadonlyMap<string, Outcome>;

/** True when `outcome` carries figures. */
export function hasFigures(outcome: Outcome): outcome is Figures {
  return !('missing' in outcome);
}

/** `1.23×`, or `—` when either side is absent. */
export function ratioText(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '—' : `${value.toFixed(2)}×`;
}

/** Peak RSS text; `—` when it was not measured (0 or absent). */
export function rssText(bytes: number | undefined): string {
  return bytes === undefined || !Number.isFinite(bytes) || bytes <= 0 ? '—' : formatMegabytes(bytes);
}

/** `+12 %` for a 1.12 ratio of a larger run's peak RSS to a smaller one's. */
export function driftText(larger: number, smaller: number): string {
  const drift = larger / smaller - 1;
  return `${drift >= 0 ? '+' : ''}${(drift * 100).toFixed(0)} %`;
}

/** The reason a `--quick` run leaves out the larger inputs. */
export const QUICK_SKIPS_LARGE = 'not in a `--quick` run (it skips the 3M / 3× inputs)';
