/**
 * Issue 10's benchmark (`npm run bench -- --suite instances`): 1,000 small CSV files in one local
 * folder, taken by 1, 2 and 3 `ferry start` processes sharing one PostgreSQL store, delivering to an
 * HTTP target that answers each request after 20 ms. Reports files/s for each count and the store's
 * share of the CPU time (PostgreSQL's server processes against the ferry processes, read from
 * /proc), to `.bench/results-instances.md` and `.json`. Needs PostgreSQL at FERRY_BENCH_PG_URL
 * (default postgres://postgres@127.0.0.1:5432/test).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import pg from 'pg';

import type { MachineInfo } from './machine-info.js';
import { formatMachine } from './machine-info.js';
import { formatMegabytes, formatSeconds, markdownTable } from './markdown-table.js';
import { readVmHwmBytes } from './measured-process.js';

/** What run.ts hands over. */
export interface InstancesBenchOptions {
  readonly repoRoot: string;
  readonly outDir: string;
  readonly machine: MachineInfo;
  readonly quick: boolean;
}

/** One measured run with a given number of instances. */
export interface InstancesRun {
  readonly instances: number;
  readonly files: number;
  readonly seconds: number;
  readonly filesPerSecond: number;
  readonly ferryCpuSeconds: number;
  readonly storeCpuSeconds: number;
  readonly storeShare: number;
  /** The highest peak RSS (`VmHWM`) of the instances, read just before they are stopped. */
  readonly maxRssBytes: number;
}

/** What `.bench/results-instances.json` holds. */
export interface InstancesResultsFile {
  readonly date: string;
  readonly machine: MachineInfo;
  readonly quick: boolean;
  readonly latencyMs: number;
  readonly runs: readonly InstancesRun[];
}

const PG_URL = process.env.FERRY_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const LATENCY_MS = 20;
const ROWS_PER_FILE = 5;

function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** CPU seconds (user + system) one process has used, from /proc; 0 once it is gone. */
async function cpuOf(pid: string): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds of every PostgreSQL server process on the machine. */
async function postgresCpu(): Promise<number> {
  let total = 0;
  for (const pid of (await readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    if (comm.startsWith('postgres')) total += await cpuOf(pid);
  }
  return total;
}

function profileYaml(inbox: string, results: string, target: string): string {
  return `version: 1
source: { type: local, dir: ${inbox}, include: ["*.csv"], stable: { minAge: 0s, checks: 1 } }
trigger: { watch: false, every: 200ms, maxRuns: 1 }
format: { type: csv, delimiter: ";" }
fields:
  id:  { from: "Id", required: true }
  qty: { from: "Qty", type: integer }
key: [id]
target: { type: http, url: ${target}/v1/items, batchSize: 100, retry: { attempts: 3, baseDelay: 20ms } }
results: { to: { dir: ${results} }, name: "{stem}.result.csv" }
`;
}

async function oneRun(o: InstancesBenchOptions, instances: number, files: number, target: string): Promise<InstancesRun> {
  const work = await mkdtemp(join(o.outDir, 'instances-'));
  const schema = `bench_i${instances}_${Date.now().toString(36)}`;
  const store = `${PG_URL}?schema=${schema}`;
  const inbox = join(work, 'inbox');
  await mkdir(join(work, 'profiles'), { recursive: true });
  await mkdir(inbox, { recursive: true });
  await writeFile(join(work, 'profiles', 'items.yaml'), profileYaml(inbox, join(work, 'results'), target));
  const db = new pg.Client({ connectionString: PG_URL });
  await db.connect();
  const children: ChildProcess[] = [];
  try {
    for (let i = 0; i < instances; i++) {
      const child = spawn(process.execPath, [join(o.repoRoot, 'bin', 'ferry.js'), 'start'], {
        cwd: work, stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, FERRY_PROFILES: join(work, 'profiles'), FERRY_DATA: join(work, `data-${i}`), FERRY_STORE: store, FERRY_LISTEN: '127.0.0.1:0', FERRY_LOG_LEVEL: 'warn' },
      });
      children.push(child);
    }
    // the ledger's tables exist once an instance has started
    for (let i = 0; ; i++) {
      const ok = await db.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = '${schema}' AND table_name = 'batches'`);
      if (ok.rowCount === 1) break;
      if (i > 600) throw new Error('no instance started');
      await delay(50);
    }
    await delay(1500);
    for (let f = 0; f < files; f++) {
      const rows = Array.from({ length: ROWS_PER_FILE }, (_, r) => `F${f}-${r};${r + 1}`);
      await writeFile(join(inbox, `.f${f}.tmp`), `Id;Qty\r\n${rows.join('\r\n')}\r\n`);
    }
    const ferryCpu = async (): Promise<number> => (await Promise.all(children.map((c) => cpuOf(String(c.pid))))).reduce((a, b) => a + b, 0);
    const ferry0 = await ferryCpu();
    const pg0 = await postgresCpu();
    const started = performance.now();
    // the files appear at once: renamed from their temporary names
    await Promise.all(Array.from({ length: files }, (_, f) => rename(join(inbox, `.f${f}.tmp`), join(inbox, `f${f}.csv`))));
    for (;;) {
      const done = Number((await db.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${schema}.batches WHERE state = 'done'`)).rows[0]?.n ?? 0);
      if (done >= files) break;
      if (performance.now() - started > 600_000) throw new Error(`only ${done} of ${files} files settled in 10 minutes`);
      await delay(100);
    }
    const seconds = (performance.now() - started) / 1000;
    const ferryCpuSeconds = (await ferryCpu()) - ferry0;
    const storeCpuSeconds = (await postgresCpu()) - pg0;
    // read while the instances still live: the kernel forgets the high-water mark with the process
    const peaks = await Promise.all(children.map(async (c) => (c.pid === undefined ? 0 : ((await readVmHwmBytes(c.pid)) ?? 0))));
    return { instances, files, seconds, filesPerSecond: files / seconds, ferryCpuSeconds, storeCpuSeconds, storeShare: storeCpuSeconds / (storeCpuSeconds + ferryCpuSeconds), maxRssBytes: Math.max(0, ...peaks) };
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((resolve) => (c.exitCode === null ? c.once('exit', resolve) : resolve(null)))));
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await db.end();
    await rm(work, { recursive: true, force: true });
  }
}

/** Runs the benchmark; returns problems (none when it ran). */
export async function runInstancesBench(o: InstancesBenchOptions): Promise<string[]> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":true}'), LATENCY_MS));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const files = o.quick ? 300 : 1000;
  const runs: InstancesRun[] = [];
  try {
    for (const n of [1, 2, 3]) {
      progress(`instances: ${files} files with ${n} instance(s)`);
      runs.push(await oneRun(o, n, files, target));
    }
  } finally {
    server.close();
  }
  const rows = runs.map((r) => [String(r.instances), String(r.files), formatSeconds(r.seconds * 1000), r.filesPerSecond.toFixed(1), `${(r.filesPerSecond / (runs[0]?.filesPerSecond ?? 1)).toFixed(2)}×`, `${r.ferryCpuSeconds.toFixed(1)} s`, `${r.storeCpuSeconds.toFixed(1)} s`, `${(r.storeShare * 100).toFixed(0)} %`, formatMegabytes(r.maxRssBytes)]);
  const md = [
    '## Several instances on one PostgreSQL store (issue 10)', '',
    `Machine: ${formatMachine(o.machine)}. ${files} CSV files of ${ROWS_PER_FILE} rows in one local folder, taken by 1, 2 and 3 \`ferry start\` processes on one PostgreSQL store (${PG_URL.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')}); the target answers every request after ${LATENCY_MS} ms. Time from the files' appearance until every batch settled. CPU from /proc: the ferry processes, and every PostgreSQL server process (the store's share = PostgreSQL / (PostgreSQL + ferry)).`, '',
    markdownTable(['instances', 'files', 'time', 'files/s', 'vs 1', 'ferry CPU', 'PostgreSQL CPU', 'store share', 'peak RSS (largest instance)'], rows, [0, 1, 2, 3, 4, 5, 6, 7, 8]), '',
  ].join('\n');
  await writeFile(join(o.outDir, 'results-instances.md'), md);
  const raw: InstancesResultsFile = { date: new Date().toISOString(), machine: o.machine, quick: o.quick, latencyMs: LATENCY_MS, runs };
  await writeFile(join(o.outDir, 'results-instances.json'), JSON.stringify(raw, null, 2));
  process.stdout.write(`${md}\n`);
  return [];
}
