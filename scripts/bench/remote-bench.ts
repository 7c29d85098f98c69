/**
 * Issue 4's benchmark (`npm run bench -- --suite remote`): the reference CSV downloaded from the
 * real OpenSSH and vsftpd by ferry and by OpenSSH's `sftp` and curl, round-robin in the same run;
 * then many small files over SFTP end to end, and a CPU profile of one such run.
 * Writes `.bench/results-remote.md` and `.bench/results-remote.json`. Needs root (the real servers).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';

import { ensureRealServers, type RealServers } from '../test-servers/real-servers.js';
import { acquireBenchLock } from './bench-lock.js';
import { snapshotBuild } from './build-snapshot.js';
import { summarizeCpuProfile, type FrameGroup } from './cpu-profile-summary.js';
import { ensureReferenceCsv, type ReferenceCsv } from './generate-csv.js';
import type { MachineInfo } from './machine-info.js';
import { formatSeconds } from './markdown-table.js';
import { rssMethod } from './measured-process.js';
import { toolVersion } from './remote-clients.js';
import { renderRemoteReport, type ProfiledSmallFiles, type Protocol, type RemoteResults, type SmallFilesCase } from './remote-report.js';
import { measureDownloads } from './remote-transfers.js';
import { runSmallFilesOnce, type SmallFilesEnv, type SmallFilesRun, type SmallFilesSource } from './remote-small-files.js';
import { placeFile, removeFolder, resetFolder, serverFolder, type ServerFolder } from './server-folders.js';
import { sliceReferenceCsv } from './small-files.js';
import { startTargetProcess, type TargetProcess } from './target-process.js';

const execFileAsync = promisify(execFile);

/** What run.ts hands over. */
export interface RemoteBenchOptions {
  readonly repoRoot: string;
  /** `.bench/` */
  readonly outDir: string;
  readonly machine: MachineInfo;
  /** One run per case. */
  readonly quick: boolean;
}

const SMALL_FILES = 1000;
const SMALL_ROWS = 10;
const MAX_CONNECTIONS = 4;
const BATCH_SIZE = 1000;
const CONCURRENCY = 4;

function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** Where everything of one benchmark run lives. */
interface Setup {
  readonly workDir: string;
  readonly benchDir: string;
  readonly ferryBin: string;
  readonly buildRoot: string;
  readonly servers: RealServers;
  readonly reference: ReferenceCsv;
  readonly folders: Record<Protocol, ServerFolder>;
  readonly smallFolder: ServerFolder;
}

/** The small-files cases round-robin: SFTP with files, SFTP empty, local with files, local empty. */
async function measureSmallFiles(env: SmallFilesEnv, slices: readonly Buffer[], rounds: number): Promise<SmallFilesCase[]> {
  const specs: { label: string; source: SmallFilesSource; files: readonly Buffer[] }[] = [
    { label: `SFTP (OpenSSH), ${SMALL_FILES} files`, source: 'sftp', files: slices },
    { label: 'SFTP (OpenSSH), empty folder', source: 'sftp', files: [] },
    { label: `local folder, ${SMALL_FILES} files (same profile, for comparison)`, source: 'local', files: slices },
    { label: 'local folder, empty', source: 'local', files: [] },
  ];
  const state = specs.map((spec) => ({ spec, runs: [] as SmallFilesRun[], error: undefined as string | undefined }));
  for (let round = 1; round <= rounds; round++) {
    for (const entry of state) {
      if (entry.error !== undefined) continue;
      const label = `[remote small files ${round}/${rounds}] ${entry.spec.label}`;
      try {
        const run = await runSmallFilesOnce(env, entry.spec.source, entry.spec.files, SMALL_ROWS);
        entry.runs.push(run);
        const rate = run.files === 0 ? '' : `, ${(run.files / (run.wallMs / 1000)).toFixed(1)} files/s`;
        progress(`${label}: ${formatSeconds(run.wallMs)}${rate}, peak RSS ${(run.maxRssBytes / 1e6).toFixed(0)} MB`);
      } catch (error) {
        entry.error = (error as Error).message;
        progress(`${label}: FAILED ${entry.error}`);
      }
    }
  }
  return state.map(({ spec, runs, error }) => ({
    label: spec.label, source: spec.source, files: spec.files.length,
    status: error === undefined ? 'ok' : 'failed', ...(error === undefined ? {} : { note: error }), runs,
  }));
}

const PROFILE_GROUPS: readonly FrameGroup[] = [
  { label: 'SFTP file system (src/remote/sftp/)', matches: (url) => url.includes('/src/remote/sftp/') },
  { label: 'ssh2 and ssh2-sftp-client', matches: (url) => url.includes('/node_modules/ssh2') },
  { label: 'listing the source (src/sources/)', matches: (url) => url.includes('/src/sources/') },
  { label: 'download into staging (downloadToStaging)', matches: (_url, name) => name === 'downloadToStaging' },
  { label: 'read + map into the spool (writeSpool)', matches: (_url, name) => name === 'writeSpool' },
  { label: 'deliver (deliverChunks, src/targets/)', matches: (url, name) => name === 'deliverChunks' || url.includes('/src/targets/') },
  { label: 'result file (writeResultFile)', matches: (_url, name) => name === 'writeResultFile' },
  { label: 'move on the server (settleSource)', matches: (_url, name) => name === 'settleSource' },
  { label: 'state store (sqlite-store, better-sqlite3)', matches: (url) => url.includes('/store/sqlite-store.js') || url.includes('better-sqlite3') },
];

/** One SFTP small-files run under `--cpu-prof`, summarised. */
async function profileSmallFiles(env: SmallFilesEnv, buildRoot: string, slices: readonly Buffer[]): Promise<ProfiledSmallFiles> {
  const dir = await mkdtemp(join(env.workDir, 'cpu-prof-'));
  try {
    const run = await runSmallFilesOnce(env, 'sftp', slices, SMALL_ROWS, ['--cpu-prof', '--cpu-prof-dir', dir]);
    const profile = (await readdir(dir)).find((name) => name.endsWith('.cpuprofile'));
    if (profile === undefined) throw new Error('node --cpu-prof wrote no profile');
    const summary = await summarizeCpuProfile(join(dir, profile), buildRoot, PROFILE_GROUPS);
    return { label: `SFTP, ${SMALL_FILES} files × ${SMALL_ROWS} rows`, wallMs: run.wallMs, summary };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function tools(): Promise<{ name: string; version: string }[]> {
  const dpkg = async (name: string): Promise<string> =>
    (await execFileAsync('dpkg-query', ['-W', '-f=${Version}', name]).then((r) => r.stdout.trim(), () => '')) || 'unknown';
  return [
    { name: 'OpenSSH client', version: await toolVersion('ssh', '-V') },
    { name: 'openssh-server', version: await dpkg('openssh-server') },
    { name: 'vsftpd', version: await dpkg('vsftpd') },
    { name: 'curl', version: (await toolVersion('curl', '--version')).split(' ').slice(0, 2).join(' ') },
  ];
}

async function prepare(options: RemoteBenchOptions, workDir: string): Promise<Setup> {
  const build = await snapshotBuild(options.repoRoot, import.meta.dirname, join(workDir, 'build'));
  progress('[remote] starting the real OpenSSH and vsftpd (installs them when missing)');
  const servers = await ensureRealServers();
  const reference = await ensureReferenceCsv(options.outDir, 1_000_000);
  const folders: Record<Protocol, ServerFolder> = {
    sftp: serverFolder(servers.sftp, 'bench-remote'),
    ftp: serverFolder(servers.ftp, 'bench-remote'),
    ftps: serverFolder(servers.ftps, 'bench-remote'),
  };
  return {
    workDir, benchDir: build.benchDir, ferryBin: build.ferryBin, buildRoot: join(workDir, 'build'),
    servers, reference, folders, smallFolder: serverFolder(servers.sftp, 'bench-small'),
  };
}

async function placeReference(setup: Setup): Promise<Record<Protocol, string>> {
  const place = async (protocol: Protocol): Promise<string> => {
    await resetFolder(setup.folders[protocol]);
    return placeFile(setup.folders[protocol], setup.reference.path, basename(setup.reference.path));
  };
  const remote = { sftp: await place('sftp'), ftp: await place('ftp'), ftps: await place('ftps') };
  // Written back now, so that no run pays for the copies' dirty pages.
  await execFileAsync('sync');
  return remote;
}

async function measureAll(options: RemoteBenchOptions, setup: Setup, target: TargetProcess): Promise<readonly string[]> {
  const rounds = options.quick ? 1 : 3;
  const remote = await placeReference(setup);
  const transfers = await measureDownloads(setup, remote, rounds);
  const env: SmallFilesEnv = {
    ferryBin: setup.ferryBin, workDir: setup.workDir, baseProfile: join(options.repoRoot, 'scripts', 'bench', 'profiles', 'reference-orders.yaml'), target,
    sftp: { ...setup.servers.sftp, folder: setup.smallFolder }, maxConnections: MAX_CONNECTIONS, batchSize: BATCH_SIZE, concurrency: CONCURRENCY,
  };
  const slices = await sliceReferenceCsv(setup.reference.path, SMALL_FILES, SMALL_ROWS);
  const smallCases = await measureSmallFiles(env, slices, rounds);
  const partial: RemoteResults = {
    date: new Date().toISOString(), machine: options.machine, loadAverageAtEnd: loadavg()[0] ?? 0, quick: options.quick, runsPerCase: rounds,
    file: { name: basename(setup.reference.path), bytes: setup.reference.bytes }, tools: await tools(), rssMethod: rssMethod(), transfers,
    smallFiles: { files: SMALL_FILES, rowsPerFile: SMALL_ROWS, maxConnections: MAX_CONNECTIONS, cases: smallCases },
  };
  // Always profiled, not only on a miss: on a shared two-core machine the rate sits close to the
  // target and crosses it with the load, and the report should say where the time goes either way.
  progress('[remote] profiling one small-files run over SFTP');
  let results: RemoteResults;
  try {
    results = { ...partial, profile: await profileSmallFiles(env, setup.buildRoot, slices), loadAverageAtEnd: loadavg()[0] ?? 0 };
  } catch (error) {
    results = { ...partial, profileNote: `the profiled run failed: ${(error as Error).message}` };
  }
  const report = renderRemoteReport(results);
  process.stdout.write(`${report.markdown}\n`);
  await writeFile(join(options.outDir, 'results-remote.md'), `${report.markdown}\n`);
  await writeFile(join(options.outDir, 'results-remote.json'), `${JSON.stringify({ ...results, problems: report.problems }, null, 2)}\n`);
  progress(`wrote ${join(options.outDir, 'results-remote.md')} and results-remote.json`);
  return report.problems;
}

/**
 * Runs issue 4's benchmark and writes its report; returns the problems (failed cases). Refuses to
 * start while another one runs on this checkout; removes its files from the servers afterwards.
 */
export async function runRemoteBench(options: RemoteBenchOptions): Promise<readonly string[]> {
  await mkdir(options.outDir, { recursive: true });
  const release = await acquireBenchLock(join(options.outDir, 'remote-bench.lock'), 'remote benchmark');
  const workDir = await mkdtemp(join(options.outDir, 'remote-work-'));
  let setup: Setup | undefined;
  let target: TargetProcess | undefined;
  try {
    setup = await prepare(options, workDir);
    target = await startTargetProcess('discard', setup.benchDir);
    return await measureAll(options, setup, target);
  } finally {
    await target?.stop();
    if (setup !== undefined) {
      for (const folder of [...Object.values(setup.folders), setup.smallFolder]) await removeFolder(folder);
    }
    await rm(workDir, { recursive: true, force: true });
    await release();
  }
}
