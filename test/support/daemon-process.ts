import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { REPO_ROOT } from './run-cli.js';
import type { Workspace } from './workspace.js';

/** Polls `check` every 50 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(50);
  }
}

/** A `ferry start` child process on a workspace, with its log (stderr) collected. */
export class DaemonProcess {
  private stderr = '';
  readonly proc: ChildProcess;

  constructor(ws: Workspace, env: Readonly<Record<string, string>> = {}) {
    this.proc = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'ferry.js'), 'start'], {
      cwd: ws.root,
      env: { ...process.env, ...ws.env, FERRY_LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.proc.stderr?.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
  }

  /** Everything the daemon logged so far. */
  get log(): string {
    return this.stderr;
  }

  /** Resolves once every source is watched; returns the admin server's base URL. */
  async ready(): Promise<string> {
    await until('the daemon to watch its sources', () => /watching sources/.test(this.stderr) && /"listen":"[^"]+"/.test(this.stderr));
    return `http://${/"listen":"([^"]+)"/.exec(this.stderr)?.[1] ?? ''}`;
  }

  /** SIGTERM, and waits for the exit. */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise((resolve) => this.proc.once('exit', resolve));
    this.proc.kill('SIGTERM');
    await exited;
  }

  /** SIGKILL, for clean-up after a failed test. */
  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }
}
