/**
 * Runs a whole program (not a harness case script) as a child process and measures it from the
 * outside: wall time and the kernel's peak resident set size. Used for `node bin/ferry.js run`,
 * which cannot report on itself.
 *
 * The peak RSS comes from GNU time (`/usr/bin/time -v`, "Maximum resident set size") when it is
 * installed, else from polling `VmHWM` in `/proc/<pid>/status`, which is the kernel's own high-water
 * mark, so a poll that misses the peak still reads it later.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One finished run of a program. */
export interface ProcessRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** From spawn to exit as seen by the parent, process start-up included. */
  readonly wallMs: number;
  /** Peak RSS of the measured program, in bytes; 0 when it could not be read. */
  readonly maxRssBytes: number;
  /**
   * User + system CPU of the program (all its threads), from GNU time; null without it. Steadier
   * than wall time when other work shares the cores.
   */
  readonly cpuMs: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** How to run it. */
export interface ProcessOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Kill the whole process group after this long. */
  readonly timeoutMs: number;
}

const GNU_TIME = '/usr/bin/time';
const POLL_MS = 50;

/** How {@link runMeasured} reads peak RSS on this machine, for the report. */
export function rssMethod(): string {
  return existsSync(GNU_TIME) ? '`/usr/bin/time -v` (maximum resident set size)' : '`VmHWM` polled from /proc';
}

/** The kernel's peak RSS (`VmHWM`) of a live process, in bytes; undefined once it is gone. */
export async function readVmHwmBytes(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmHWM:\s*(\d+)\s*kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

function parseGnuTimeRss(text: string): number {
  const kb = /Maximum resident set size \(kbytes\):\s*(\d+)/.exec(text)?.[1];
  return kb === undefined ? 0 : Number(kb) * 1024;
}

function parseGnuTimeCpuMs(text: string): number | null {
  const user = /User time \(seconds\):\s*([\d.]+)/.exec(text)?.[1];
  const system = /System time \(seconds\):\s*([\d.]+)/.exec(text)?.[1];
  return user === undefined || system === undefined ? null : (Number(user) + Number(system)) * 1000;
}

/**
 * Runs `command args…` to completion and measures it. Never rejects for a non-zero exit or a
 * timeout (the caller decides what those mean); rejects only when the program cannot be started.
 * The child gets its own process group, so a timeout kills it and anything it started.
 */
export async function runMeasured(command: string, args: readonly string[], options: ProcessOptions): Promise<ProcessRun> {
  const useTime = existsSync(GNU_TIME);
  const scratch = useTime ? await mkdtemp(join(tmpdir(), 'ferry-bench-time-')) : undefined;
  const timeFile = scratch === undefined ? undefined : join(scratch, 'time.txt');
  const argv = timeFile === undefined ? [command, ...args] : [GNU_TIME, '-v', '-o', timeFile, command, ...args];
  const [file, ...rest] = argv;
  if (file === undefined) throw new Error('no command');
  const started = process.hrtime.bigint();
  const child = spawn(file, rest, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  let polledPeak = 0;
  const poller = useTime
    ? undefined
    : setInterval(() => {
        const pid = child.pid;
        if (pid === undefined) return;
        void readVmHwmBytes(pid).then((bytes) => {
          if (bytes !== undefined && bytes > polledPeak) polledPeak = bytes;
        });
      }, POLL_MS);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    const pid = child.pid;
    if (pid !== undefined) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }
  }, options.timeoutMs);
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
    });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const timeText = timeFile === undefined ? '' : await readFile(timeFile, 'utf8').catch(() => '');
    // GNU time exits with the program's code; "Command exited with non-zero status" goes to its file.
    const maxRssBytes = useTime ? parseGnuTimeRss(timeText) : polledPeak;
    const cpuMs = useTime ? parseGnuTimeCpuMs(timeText) : null;
    return { code, signal, wallMs, maxRssBytes, cpuMs, stdout, stderr, timedOut };
  } finally {
    clearTimeout(timer);
    if (poller !== undefined) clearInterval(poller);
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  }
}
