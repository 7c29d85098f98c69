/**
 * What a benchmark ran on, printed with every result: absolute figures mean nothing without it.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';

/** The machine and runtime behind a set of results. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly node: string;
  readonly platform: string;
  /** 1-minute load average when the run started; a busy machine explains noisy figures. */
  readonly loadAverage1m: number;
}

async function cpuModelFromProc(): Promise<string | undefined> {
  try {
    const cpuinfo = await readFile('/proc/cpuinfo', 'utf8');
    return /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim();
  } catch {
    return undefined;
  }
}

/** Describes the current machine (CPU model from /proc/cpuinfo where there is one). */
export async function describeMachine(): Promise<MachineInfo> {
  return {
    cpuModel: (await cpuModelFromProc()) ?? os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadAverage1m: os.loadavg()[0] ?? 0,
  };
}

/** The machine and runtime of {@link MachineInfo} without the load: CPU, cores, RAM, Node, OS. */
export function formatHardware(machine: MachineInfo): string {
  const memoryGb = (machine.memoryBytes / 1e9).toFixed(1);
  return `${machine.cpuModel}, ${machine.cores} cores, ${memoryGb} GB RAM, Node ${machine.node}, ${machine.platform}`;
}

/** One Markdown line summarising {@link MachineInfo}. */
export function formatMachine(machine: MachineInfo): string {
  return `${formatHardware(machine)}, load ${machine.loadAverage1m.toFixed(2)} at start`;
}
