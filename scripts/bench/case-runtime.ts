/**
 * The child-process side of the benchmark harness. Every case script calls {@link runCase} once;
 * it times the work, tracks memory and prints the one JSON line that `measure.ts` parses.
 */

/** What a case script reports on stdout, as a single JSON line. */
export interface CaseReport {
  /** Data rows (or records) the case counted; the harness checks that cases agree. */
  readonly rows: number;
  /** Time spent in the case's work function, excluding Node start-up and module loading. */
  readonly elapsedMs: number;
  /**
   * User + system CPU time of the whole process over the same span, GC threads included. Steadier
   * than `elapsedMs` when other work competes for the cores. Always set by {@link runCase};
   * optional so that reports built elsewhere stay valid.
   */
  readonly cpuMs?: number;
  /** `process.resourceUsage().maxRSS` at exit, in KiB: the kernel's peak resident set size. */
  readonly maxRssKb: number;
  /** Highest `process.memoryUsage().rss` seen by a 50 ms sampler, in bytes (a cross-check). */
  readonly sampledPeakRssBytes: number;
  /** Highest `heapUsed` seen by the sampler, in bytes. */
  readonly sampledPeakHeapBytes: number;
}

/** The work a case performs: given the input path and any extra arguments, return the count. */
export type CaseWork = (file: string, args: readonly string[]) => Promise<number>;

const SAMPLE_INTERVAL_MS = 50;

/**
 * Runs one benchmark case inside the current (child) process and prints its {@link CaseReport}.
 * Reads the input path from `argv[2]` and passes the remaining arguments through. Exits with code
 * 1 and a message on stderr if the work throws, so the parent never mistakes a failure for a run.
 */
export function runCase(work: CaseWork): void {
  const [file, ...args] = process.argv.slice(2);
  if (file === undefined) {
    process.stderr.write('usage: node <case>.js <input-file> [args...]\n');
    process.exit(2);
  }
  let peakRss = 0;
  let peakHeap = 0;
  const sample = (): void => {
    const usage = process.memoryUsage();
    if (usage.rss > peakRss) peakRss = usage.rss;
    if (usage.heapUsed > peakHeap) peakHeap = usage.heapUsed;
  };
  // unref: the sampler must never keep a finished case alive.
  const sampler = setInterval(sample, SAMPLE_INTERVAL_MS).unref();
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  work(file, args).then(
    (rows) => {
      const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
      const cpu = process.cpuUsage(cpuBefore);
      clearInterval(sampler);
      sample();
      const report: CaseReport = {
        rows,
        elapsedMs,
        cpuMs: (cpu.user + cpu.system) / 1000,
        maxRssKb: process.resourceUsage().maxRSS,
        sampledPeakRssBytes: peakRss,
        sampledPeakHeapBytes: peakHeap,
      };
      process.stdout.write(`${JSON.stringify(report)}\n`);
    },
    (error: unknown) => {
      clearInterval(sampler);
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`case failed: ${message}\n`);
      process.exitCode = 1;
    },
  );
}
