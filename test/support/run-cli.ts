import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The repository root (tests run from dist/test/…). */
export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

/** What a CLI run printed and returned. */
export interface CliResult {
  /** the exit code, or -1 when the process was killed by a signal */
  readonly code: number;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** How to run the CLI. */
export interface CliOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string | undefined>;
  readonly timeoutMs?: number;
  /**
   * Runs under `ulimit -f <KiB>`: no file the process writes can grow beyond that, so writes fail
   * with EFBIG as they would with ENOSPC on a full disk, without root, tmpfs or an injected file
   * system (Node ignores SIGXFSZ, so the write fails instead of the process being killed).
   */
  readonly fileLimitKiB?: number;
}

/** Runs `ferry <args>` as a user would, as a child process, from the repository root by default. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const ferry = [join(REPO_ROOT, 'bin', 'ferry.js'), ...args];
  const [command, argv] = options.fileLimitKiB === undefined
    ? [process.execPath, ferry]
    : ['bash', ['-c', `ulimit -f ${options.fileLimitKiB} && exec "$0" "$@"`, process.execPath, ...ferry]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, FERRY_LOG_LEVEL: 'silent', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ferry ${args.join(' ')} did not finish in time; stderr: ${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, signal, stdout, stderr });
    });
  });
}
