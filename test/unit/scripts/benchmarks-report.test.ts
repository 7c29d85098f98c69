import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { BENCHMARKS, SUITES, type Suite } from '../../../scripts/bench/benchmark-inventory.js';
import { writeBenchmarksReport, type BenchmarksRun, type SuiteRun } from '../../../scripts/bench/benchmarks-report.js';
import { describeMachine } from '../../../scripts/bench/machine-info.js';
import type { RunSummary } from '../../../scripts/bench/measure.js';
import type { XlsxResultsFile } from '../../../scripts/bench/xlsx-bench.js';

function summary(rows: number, elapsedMs: number, maxRssBytes: number): RunSummary {
  return { rows, elapsedMs, cpuMs: elapsedMs, wallMs: elapsedMs + 100, maxRssBytes, sampledPeakRssBytes: maxRssBytes };
}

async function baseRun(dir: string, suites: readonly SuiteRun[]): Promise<BenchmarksRun> {
  const outDir = join(dir, '.bench');
  return {
    repoRoot: dir, outDir, command: 'npm run bench', quick: false, only: [], machine: await describeMachine(),
    loadAtStart: [1, 1, 1], loadAtEnd: [2, 2, 2], startedMs: Date.now() - 1000, endedMs: Date.now(), suites,
  };
}

const notSelected = (suite: Suite): SuiteRun => ({ suite, status: 'not selected', problems: [], startedMs: 0, endedMs: 0 });

/** The summary table's row of a benchmark, by the start of its description. */
function rowOf(markdown: string, what: string): string {
  const row = markdown.split('\n').find((line) => line.startsWith('| ') && line.includes(what));
  assert.ok(row !== undefined, `no row for ${what}`);
  return row;
}

test('a missed target shows as a miss, a stale results file and a failed suite as not run, and a partial run stays out of BENCHMARKS.md', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-benchmarks-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const run = await baseRun(dir, []);
  await mkdir(run.outDir, { recursive: true });
  // an XML results file from an earlier run: older than the suite's start below
  await writeFile(join(run.outDir, 'results-xml.json'), '{}');
  const xlsxStarted = Date.now() - 10;
  const xlsx: XlsxResultsFile = {
    date: new Date().toISOString(), machine: run.machine, quick: false, runsPerCase: 3,
    input: { path: 'x.xlsx', rows: 100_000, bytes: 8e6 }, problems: [],
    results: [
      { name: 'exceljs streaming WorkbookReader', role: 'baseline', runs: [], summary: summary(100_000, 2000, 200e6) },
      { name: 'ferry read + map', role: 'ferry', runs: [], summary: summary(100_000, 4000, 120e6) },
    ],
  };
  await writeFile(join(run.outDir, 'results-xlsx.json'), JSON.stringify(xlsx));
  const suites = SUITES.map((suite): SuiteRun => {
    if (suite === 'xlsx') return { suite, status: 'ran', problems: [], startedMs: xlsxStarted, endedMs: Date.now() };
    if (suite === 'xml') return { suite, status: 'ran', problems: [], startedMs: Date.now() + 60_000, endedMs: Date.now() + 60_000 };
    if (suite === 'remote') return { suite, status: 'failed', reason: 'not root', problems: [], startedMs: 0, endedMs: 0 };
    return notSelected(suite);
  });

  const path = await writeBenchmarksReport({ ...run, suites });

  assert.equal(path, join(run.outDir, 'BENCHMARKS.partial.md'));
  const markdown = await readFile(path, 'utf8');
  assert.match(markdown, /\*\*This is not a complete run\.\*\*/);
  const xlsxRow = rowOf(markdown, 'XLSX read + map');
  assert.match(xlsxRow, /0\.50×/);
  assert.match(xlsxRow, /\*\*MISS\*\* \(ratio\)/);
  assert.match(xlsxRow, /120\.0 MB \(≤ 300\.0 MB\)/);
  assert.match(rowOf(markdown, 'XML read + map, 500,000'), /not run .*not rewritten by this run/);
  assert.match(rowOf(markdown, 'over SFTP (OpenSSH)'), /not run .*not root \(needs root/);
  assert.match(rowOf(markdown, 'CSV read + map, 1M'), /not run .*not selected/);
});

test('a run of every suite writes BENCHMARKS.md at the root with one row per named benchmark', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-benchmarks-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const failed = SUITES.map((suite): SuiteRun => ({ suite, status: 'failed', reason: 'no server', problems: [], startedMs: 0, endedMs: 0 }));
  const run = await baseRun(dir, failed);
  await mkdir(run.outDir, { recursive: true });

  const path = await writeBenchmarksReport(run);

  assert.equal(path, join(dir, 'BENCHMARKS.md'));
  const markdown = await readFile(path, 'utf8');
  for (const benchmark of BENCHMARKS) assert.match(rowOf(markdown, benchmark.what), /\| not run \|/);
  assert.match(markdown, new RegExp(`0 pass, 0 miss, 0 not measured, ${BENCHMARKS.length} not run`));
  assert.doesNotMatch(markdown, /not a complete run/);
});
