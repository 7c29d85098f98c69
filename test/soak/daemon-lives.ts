/**
 * The soak test's daemon: one `ferry start` at a time on the same workspace, killed (SIGKILL) and
 * started again at random moments, with each life's resident memory sampled from /proc.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

import { DaemonProcess } from '../support/daemon-process.js';
import { parsePrometheusText } from '../support/prometheus-text.js';
import type { Workspace } from '../support/workspace.js';

/** One process's memory sample. */
export interface RssSample {
  /** ms since the soak started */
  readonly at: number;
  readonly rssBytes: number;
}

/** One `ferry start` process from spawn to exit. */
export interface Life {
  readonly index: number;
  readonly daemon: DaemonProcess;
  readonly startedAt: number;
  readonly samples: RssSample[];
  /** V8 heap in use (`ferry_nodejs_heap_size_used_bytes` from /metrics), sampled while {@link DaemonLives.watchHeap} runs */
  readonly heap: RssSample[];
  /** memory of ArrayBuffers and Buffers outside the V8 heap (`ferry_nodejs_external_memory_bytes`), same times */
  readonly external: RssSample[];
  /** how it ended: `killed` by the soak, `stopped` by SIGTERM, or the unexpected code/signal */
  end: string | undefined;
}

/** VmRSS of a process in bytes, or undefined when it is gone. */
export function rssOf(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? undefined : Number(m[1]) * 1024;
  } catch {
    return undefined;
  }
}

/** Runs the daemon lives; see the module comment. */
export class DaemonLives {
  readonly lives: Life[] = [];
  private readonly t0 = Date.now();
  private sampler: NodeJS.Timeout | undefined;
  private killing = false;
  private killLoop: Promise<void> | undefined;

  constructor(private readonly ws: Workspace, private readonly env: Readonly<Record<string, string>>, private readonly random: () => number) {}

  /** ms since the soak started. */
  now(): number {
    return Date.now() - this.t0;
  }

  /** The life running now. */
  get current(): Life | undefined {
    return this.lives.at(-1);
  }

  /** Every life's log, in order. */
  logs(): string[] {
    return this.lives.map((l) => l.daemon.log);
  }

  /** Lives that ended in a way the soak did not cause (a crash, an exit on its own). */
  unexpectedEnds(): Life[] {
    return this.lives.filter((l) => l.end !== undefined && l.end !== 'killed' && l.end !== 'stopped');
  }

  /** Starts a new life (the previous one must have ended). */
  spawn(): Life {
    const daemon = new DaemonProcess(this.ws, this.env);
    const life: Life = { index: this.lives.length, daemon, startedAt: this.now(), samples: [], heap: [], external: [], end: undefined };
    daemon.proc.once('exit', (code, signal) => {
      life.end ??= signal === null ? `exit ${String(code)}` : `signal ${signal}`;
    });
    this.lives.push(life);
    this.sampler ??= setInterval(() => this.sample(), 250);
    return life;
  }

  private sample(): void {
    const life = this.current;
    const pid = life?.daemon.proc.pid;
    if (life === undefined || pid === undefined || life.end !== undefined) return;
    const rss = rssOf(pid);
    if (rss !== undefined) life.samples.push({ at: this.now(), rssBytes: rss });
  }

  /** SIGKILLs the current life every `minMs`–`maxMs` and starts the next one at once, until {@link stopKilling}. */
  startKilling(minMs: number, maxMs: number): void {
    this.killing = true;
    this.killLoop = (async () => {
      while (this.killing) {
        await delay(minMs + Math.floor(this.random() * (maxMs - minMs)));
        if (!this.killing) break;
        await this.killCurrent();
        this.spawn();
      }
    })();
  }

  /** Ends the kill loop; the current life keeps running. */
  async stopKilling(): Promise<void> {
    this.killing = false;
    await this.killLoop;
  }

  private async killCurrent(): Promise<void> {
    const life = this.current;
    if (life === undefined) return;
    const proc = life.daemon.proc;
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    life.end = 'killed';
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  }

  /** Samples the current life's V8 heap from its admin server every `everyMs` until it ends or `until()` says stop. */
  async watchHeap(everyMs: number, until: () => boolean): Promise<void> {
    const life = this.current;
    if (life === undefined) return;
    const base = await life.daemon.ready();
    while (!until() && life.end === undefined) {
      try {
        const text = await (await fetch(`${base}/metrics`)).text();
        const scrape = parsePrometheusText(text);
        const used = scrape.value('ferry_nodejs_heap_size_used_bytes');
        const external = scrape.value('ferry_nodejs_external_memory_bytes');
        if (used !== undefined) life.heap.push({ at: this.now(), rssBytes: used });
        if (external !== undefined) life.external.push({ at: this.now(), rssBytes: external });
      } catch {
        // the daemon is busy or going; the next sample will do
      }
      await delay(everyMs);
    }
  }

  /** SIGTERM to the current life, waiting for its exit; stops sampling. */
  async stop(): Promise<void> {
    const life = this.current;
    if (life !== undefined && life.end === undefined) {
      life.end = 'stopped';
      await life.daemon.stop();
      const code = life.daemon.proc.exitCode;
      if (code !== 0) life.end = `stopped, then exit ${String(code)} / ${String(life.daemon.proc.signalCode)}`;
    }
    clearInterval(this.sampler);
  }

  /** SIGKILL whatever still runs (clean-up after a failure). */
  abort(): void {
    this.killing = false;
    clearInterval(this.sampler);
    for (const l of this.lives) l.daemon.kill();
  }
}
