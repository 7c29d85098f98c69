/**
 * Read-only views of a ferry ledger and helpers the fault-injection tests share: they look at the
 * ledger the way an operator would (sqlite3 on the file), next to the shared oracle in
 * `invariants.ts`, which they call too.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { REPO_ROOT, type CliResult } from './run-cli.js';

/** One batch as the ledger holds it (the columns the fault tests assert on). */
export interface LedgerBatch {
  readonly id: string;
  readonly file_name: string;
  readonly state: string;
  readonly status: string;
  readonly error_code: string | null;
  readonly rows_total: number;
  readonly rows_delivered: number;
  readonly created_at: number;
}

/** Every batch of the ledger at `path`, oldest first; none when the file does not exist yet. */
export function ledgerBatches(path: string): LedgerBatch[] {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch {
    return [];
  }
  try {
    return db.prepare('SELECT id, file_name, state, status, error_code, rows_total, rows_delivered, created_at FROM batches ORDER BY created_at, id').all() as LedgerBatch[];
  } finally {
    db.close();
  }
}

/**
 * Runs `ferry <args>` like `runCli`, under `ulimit -f <kib>`: no file the process writes can
 * grow beyond that many KiB, so writes fail with EFBIG as they would with ENOSPC on a full disk,
 * without root, tmpfs or an injected file system. Node ignores SIGXFSZ, so the write fails
 * instead of the process being killed.
 */
export function runCliWithFileLimit(args: readonly string[], kib: number, env: Record<string, string>, timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const script = `ulimit -f ${kib} && exec "$0" "$@"`;
    const child = spawn('bash', ['-c', script, process.execPath, join(REPO_ROOT, 'bin', 'ferry.js'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, FERRY_LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ferry ${args.join(' ')} did not finish in time; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, signal, stdout, stderr });
    });
  });
}
