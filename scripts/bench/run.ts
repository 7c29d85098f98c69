/**
 * `npm run bench`: every benchmark suite, then BENCHMARKS.md (benchmarks-report.ts). The suites, in
 * this order: `csv` (issue 2's CSV read + map and issue 6's grouped case, csv-bench.ts), `delivery`
 * (issue 3), `remote` (issue 4, needs root for the real OpenSSH and vsftpd), `xlsx` and `xml`
 * (issue 5), `instances` (issue 10, needs PostgreSQL), `amqp` (issue 12, needs RabbitMQ). Each writes
 * `.bench/results-<suite>.md` and `.json`; the reference inputs are generated once under `.bench/`.
 * A suite that throws (a server missing, say) is reported as not run and the others still run.
 *
 * Options: `--quick` (one run per case, the smaller inputs only), `--only <name>` (CSV cases whose
 * name contains it; repeatable), `--suite <name>` (only that suite; repeatable; default all). Only a
 * complete run (no option) writes BENCHMARKS.md at the root; any other writes
 * `.bench/BENCHMARKS.partial.md`.
 */
import { mkdir } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runAmqpBench } from './amqp-bench.js';
import { SUITES, SUITE_NEEDS, type Suite } from './benchmark-inventory.js';
import { writeBenchmarksReport, type SuiteRun } from './benchmarks-report.js';
import { runCsvBench } from './csv-bench.js';
import { runDeliveryBench } from './delivery-bench.js';
import { runInstancesBench } from './instances-bench.js';
import { describeMachine, formatMachine, type MachineInfo } from './machine-info.js';
import { runRemoteBench } from './remote-bench.js';
import { runXlsxBench } from './xlsx-bench.js';
import { runXmlBench } from './xml-bench.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
// Compiled to <outDir>/scripts/bench/, so the repository is three levels up (dist/ or .build-*/).
const REPO_ROOT = resolve(BENCH_DIR, '../../..');
const OUT_DIR = join(REPO_ROOT, '.bench');

function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** What every suite is handed. */
interface SuiteContext {
  readonly repoRoot: string;
  readonly outDir: string;
  readonly machine: MachineInfo;
  readonly quick: boolean;
  readonly only: readonly string[];
}

/** Each suite's entry point; each returns the problems it found (failed cases; xlsx and xml also list missed targets). */
const RUNNERS: Readonly<Record<Suite, (context: SuiteContext) => Promise<readonly string[]>>> = {
  csv: runCsvBench,
  delivery: runDeliveryBench,
  remote: async (context) => {
    // without root the real servers cannot be installed or started: say so rather than fail in apt
    if (process.getuid?.() !== 0) throw new Error('not root');
    return runRemoteBench(context);
  },
  xlsx: runXlsxBench,
  xml: runXmlBench,
  instances: runInstancesBench,
  amqp: runAmqpBench,
};

function parseSuites(names: readonly string[]): readonly Suite[] {
  if (names.length === 0) return SUITES;
  return names.map((name) => {
    const suite = SUITES.find((known) => known === name);
    if (suite === undefined) throw new Error(`unknown suite ${name}; suites: ${SUITES.join(', ')}`);
    return suite;
  });
}

/** Runs one suite; a suite that throws is recorded as failed and the run goes on. */
async function runSuite(suite: Suite, context: Omit<SuiteContext, 'machine'>): Promise<SuiteRun> {
  const startedMs = Date.now();
  // Described again for every suite: the load after the previous suite is what this one starts under.
  const machine = await describeMachine();
  progress(`${suite} benchmark; machine: ${formatMachine(machine)}`);
  try {
    const problems = await RUNNERS[suite]({ ...context, machine });
    return { suite, status: 'ran', problems, startedMs, endedMs: Date.now() };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] ?? error.message : String(error);
    progress(`${suite} benchmark did not run: ${reason}${SUITE_NEEDS[suite] === undefined ? '' : ` (needs ${SUITE_NEEDS[suite] ?? ''})`}`);
    if (error instanceof Error && error.stack !== undefined) progress(error.stack);
    return { suite, status: 'failed', reason, problems: [], startedMs, endedMs: Date.now() };
  }
}

/** The command line as the user typed it, for the report's header. */
function commandLine(args: readonly string[]): string {
  const base = process.env.npm_lifecycle_event === 'bench' ? 'npm run bench' : `node ${join('dist', 'scripts', 'bench', 'run.js')}`;
  if (args.length === 0) return base;
  return base.startsWith('npm') ? `${base} -- ${args.join(' ')}` : `${base} ${args.join(' ')}`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const { values } = parseArgs({
    args,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      suite: { type: 'string', multiple: true },
    },
  });
  const quick = values.quick === true;
  const only = (values.only ?? []).map((name) => name.toLowerCase());
  const selected = parseSuites(values.suite ?? []);
  await mkdir(OUT_DIR, { recursive: true });
  const startedMs = Date.now();
  const loadAtStart = loadavg();
  const machine = await describeMachine();
  const suites: SuiteRun[] = [];
  for (const suite of SUITES) {
    if (!selected.includes(suite)) {
      suites.push({ suite, status: 'not selected', problems: [], startedMs, endedMs: startedMs });
      continue;
    }
    const run = await runSuite(suite, { repoRoot: REPO_ROOT, outDir: OUT_DIR, quick, only });
    suites.push(run);
    if (run.status !== 'ran' || run.problems.length > 0) process.exitCode = 1;
  }
  const path = await writeBenchmarksReport({
    repoRoot: REPO_ROOT, outDir: OUT_DIR, command: commandLine(args), quick, only, machine,
    loadAtStart, loadAtEnd: loadavg(), startedMs, endedMs: Date.now(), suites,
  });
  progress(`wrote ${path} (${Math.round((Date.now() - startedMs) / 1000)} s in all)`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
