/**
 * Issue 4's many-files case: small order files in one folder on the real OpenSSH server, taken by
 * one `ferry run` end to end (list, download, map, deliver to a discarding HTTP target, result file,
 * move to `processed/` on the server). The same files from a local folder, with the same profile
 * otherwise, show what the SFTP source adds. Every run checks that all batches completed and that
 * every file was moved, so a fast but wrong run is never reported.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { runMeasured, type ProcessRun } from './measured-process.js';
import { filesIn, giveToServerUser, resetFolder, type ServerFolder } from './server-folders.js';
import { writeSmallFiles } from './small-files.js';
import type { TargetProcess } from './target-process.js';

/** The profile id of every small-files workspace. */
export const SMALL_FILES_PROFILE_ID = 'bench-remote-small';

/** Issue 4: every run must finish within five minutes. */
export const REMOTE_RUN_TIMEOUT_MS = 5 * 60_000;

/** Where the small files come from. */
export type SmallFilesSource = 'sftp' | 'local';

/** The real SFTP server as the profile names it. */
export interface SmallFilesSftp {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly privateKeyPath: string;
  readonly hostKeyFingerprint: string;
  readonly folder: ServerFolder;
}

/** Shared by every run. */
export interface SmallFilesEnv {
  readonly ferryBin: string;
  readonly workDir: string;
  /** The bench profile (format, fields, lookups, key) the workspace profile builds on. */
  readonly baseProfile: string;
  readonly target: TargetProcess;
  readonly sftp: SmallFilesSftp;
  readonly maxConnections: number;
  readonly batchSize: number;
  readonly concurrency: number;
}

/** One measured run. */
export interface SmallFilesRun {
  readonly source: SmallFilesSource;
  readonly files: number;
  readonly records: number;
  readonly requests: number;
  readonly wallMs: number;
  readonly cpuMs: number | null;
  readonly maxRssBytes: number;
}

/** The environment variable the profile reads the private key from (`${…}`: never literal). */
const KEY_ENV = 'FERRY_BENCH_SFTP_KEY';

function sourceBlock(env: SmallFilesEnv, source: SmallFilesSource, inbox: string): string {
  if (source === 'local') {
    return `source:
  type: local
  dir: ${JSON.stringify(inbox)}
  include: ["*.csv"]
  stable: { minAge: 0s, checks: 1 }
  after: { success: move:processed, failure: move:failed }`;
  }
  const s = env.sftp;
  return `source:
  type: sftp
  connection:
    type: sftp
    host: ${s.host}
    port: ${s.port}
    user: ${s.user}
    privateKey: "\${${KEY_ENV}}"
    hostKey: "${s.hostKeyFingerprint}"
    maxConnections: ${env.maxConnections}
  dir: ${JSON.stringify(s.folder.remote)}
  include: ["*.csv"]
  stable: { minAge: 0s, checks: 1 }
  after: { success: move:processed, failure: move:failed }`;
}

/** The bench profile plus source, target and results blocks (the base profile has none of them). */
export function smallFilesProfileYaml(base: string, env: SmallFilesEnv, source: SmallFilesSource, dirs: { inbox: string; results: string }): string {
  return `${base.trimEnd()}
${sourceBlock(env, source, dirs.inbox)}
target:
  type: http
  url: ${JSON.stringify(`${env.target.url}/v1/orders`)}
  batchSize: ${env.batchSize}
  concurrency: ${env.concurrency}
  retry: { attempts: 3 }
results:
  to: { dir: ${JSON.stringify(dirs.results)} }
  name: "{stem}.result.csv"
`;
}

interface FerryRunJson {
  status: string;
  batches: { status: string; rows: { delivered: number }; error: unknown }[];
}

function describeFailure(run: ProcessRun): Error {
  const why = run.timedOut ? `timed out after ${REMOTE_RUN_TIMEOUT_MS / 1000} s` : `exited with ${run.code ?? run.signal ?? '?'}`;
  const lines = `${run.stderr}\n${run.stdout}`.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const message = lines.find((line) => /error|failed|E_[A-Z_]+/i.test(line) && !line.startsWith('at ')) ?? lines.at(-1) ?? '';
  return new Error(`ferry run ${why}: ${message.slice(0, 300)}`);
}

function parseRunJson(stdout: string): FerryRunJson {
  const start = stdout.indexOf('{');
  if (start < 0) throw new Error(`ferry run printed no JSON: ${stdout.slice(0, 200)}`);
  return JSON.parse(stdout.slice(start)) as FerryRunJson;
}

/** Puts the files where the source reads them; returns the local folder to check afterwards. */
async function dropFiles(env: SmallFilesEnv, source: SmallFilesSource, inbox: string, files: readonly Buffer[]): Promise<string> {
  if (source === 'local') {
    await writeSmallFiles(inbox, files);
    return inbox;
  }
  await resetFolder(env.sftp.folder);
  await writeSmallFiles(env.sftp.folder.local, files);
  await giveToServerUser(env.sftp.folder);
  return env.sftp.folder.local;
}

/** Checks the run's JSON, the moves and the target; returns the records delivered. */
async function checkRun(result: FerryRunJson, expectedFiles: number, rowsPerFile: number, folder: string, target: TargetProcess): Promise<{ records: number; requests: number }> {
  if (result.batches.length !== expectedFiles) throw new Error(`ferry ran ${result.batches.length} batches for ${expectedFiles} files`);
  const notCompleted = result.batches.filter((b) => b.status !== 'completed');
  if (notCompleted.length > 0) {
    const first = notCompleted[0];
    throw new Error(`${notCompleted.length} batches ended ${first?.status ?? '?'} (${JSON.stringify(first?.error ?? null)})`);
  }
  const records = result.batches.reduce((sum, b) => sum + b.rows.delivered, 0);
  if (records !== expectedFiles * rowsPerFile) throw new Error(`ferry delivered ${records} records, expected ${expectedFiles * rowsPerFile}`);
  const left = await filesIn(folder);
  if (left.length > 0) throw new Error(`${left.length} files were left in the source folder (e.g. ${left[0] ?? ''})`);
  const moved = await filesIn(join(folder, 'processed'));
  if (moved.length !== expectedFiles) throw new Error(`${moved.length} files in processed/, expected ${expectedFiles}`);
  const stats = await target.stats();
  if (stats.badBodies > 0 || stats.withoutKey > 0) throw new Error(`the target refused ${stats.badBodies} bodies, ${stats.withoutKey} without key`);
  return { records, requests: stats.requests };
}

/**
 * One `ferry run` over `files` (each `rowsPerFile` data rows) from `source`, in a fresh workspace;
 * extra `nodeFlags` go to the ferry process (e.g. `--cpu-prof`). An empty `files` measures the
 * fixed cost of a run (start-up, profile load, store open, one listing).
 */
export async function runSmallFilesOnce(
  env: SmallFilesEnv,
  source: SmallFilesSource,
  files: readonly Buffer[],
  rowsPerFile: number,
  nodeFlags: readonly string[] = [],
): Promise<SmallFilesRun> {
  await mkdir(env.workDir, { recursive: true });
  const root = await mkdtemp(join(env.workDir, 'small-ws-'));
  try {
    const dirs = { profiles: join(root, 'profiles'), inbox: join(root, 'inbox'), results: join(root, 'results'), data: join(root, 'data') };
    await Promise.all(Object.values(dirs).map((dir) => mkdir(dir, { recursive: true })));
    const base = await readFile(env.baseProfile, 'utf8');
    await writeFile(join(dirs.profiles, `${SMALL_FILES_PROFILE_ID}.yaml`), smallFilesProfileYaml(base, env, source, dirs));
    const folder = await dropFiles(env, source, dirs.inbox, files);
    await env.target.reset();
    const processEnv = {
      FERRY_PROFILES: dirs.profiles,
      FERRY_DATA: dirs.data,
      FERRY_LOG_LEVEL: 'warn',
      [KEY_ENV]: await readFile(env.sftp.privateKeyPath, 'utf8'),
    };
    const args = [...nodeFlags, env.ferryBin, 'run', SMALL_FILES_PROFILE_ID, '--json'];
    const run = await runMeasured(process.execPath, args, { env: processEnv, cwd: root, timeoutMs: REMOTE_RUN_TIMEOUT_MS });
    if (run.code !== 0 || run.timedOut) throw describeFailure(run);
    const checked = await checkRun(parseRunJson(run.stdout), files.length, rowsPerFile, folder, env.target);
    return { source, files: files.length, ...checked, wallMs: run.wallMs, cpuMs: run.cpuMs, maxRssBytes: run.maxRssBytes };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
