/**
 * The parent side of delivery-target.ts: starts the target in its own Node process, reads and
 * resets its counters between runs, and stops it.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import type { TargetMode, TargetStats } from './delivery-target.js';

export type { TargetMode, TargetStats } from './delivery-target.js';

/** A running target process. */
export interface TargetProcess {
  readonly mode: TargetMode;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  stats(): Promise<TargetStats>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

function call(url: string, method: 'GET' | 'POST'): Promise<string> {
  return new Promise((resolve, reject) => {
    // agent: false, so the control calls never share a connection with the measured traffic.
    const req = request(url, { method, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (part: string) => {
        text += part;
      });
      res.on('end', () => {
        if (res.statusCode === 200) resolve(text);
        else reject(new Error(`${method} ${url}: ${res.statusCode ?? '?'} ${text}`));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function isStats(value: unknown): value is TargetStats {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.requests === 'number' && typeof record.bytes === 'number' && typeof record.cpuMs === 'number';
}

/**
 * Starts `delivery-target.js <mode>` from `benchDir` (default: the folder this file was compiled
 * into) and waits for its port.
 */
export async function startTargetProcess(mode: TargetMode, benchDir = import.meta.dirname): Promise<TargetProcess> {
  const script = join(benchDir, 'delivery-target.js');
  const child = spawn(process.execPath, [script, mode], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the ${mode} target did not start`)), START_TIMEOUT_MS);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the ${mode} target exited with ${code ?? '?'}`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      const parsed = JSON.parse(line) as { port?: unknown };
      if (typeof parsed.port === 'number' && parsed.port > 0) resolve(parsed.port);
      else reject(new Error(`the ${mode} target printed ${line}`));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    mode,
    url,
    async stats() {
      const parsed: unknown = JSON.parse(await call(`${url}/__stats`, 'GET'));
      if (!isStats(parsed)) throw new Error(`the ${mode} target's stats are malformed`);
      return parsed;
    },
    async reset() {
      await call(`${url}/__reset`, 'POST');
    },
    stop() {
      if (child.exitCode !== null) return Promise.resolve();
      return new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
        // A target that ignores the closed stdin is killed by its own pid after a grace period.
        setTimeout(() => child.kill('SIGKILL'), 2000).unref();
      });
    },
  };
}
