/**
 * Reads a V8 `.cpuprofile` (as `node --cpu-prof` writes it) into the few numbers the delivery
 * report prints: the functions with the most self time, self time by source file, and the share
 * of samples that were inside a given piece of code (anywhere on the stack).
 */
import { readFile } from 'node:fs/promises';

/** The parts of V8's CPU profile format used here. */
interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly CpuProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

/** Time attributed to one function or file. */
export interface ProfileEntry {
  readonly name: string;
  readonly ms: number;
  /** Of the profile's whole duration, idle included. */
  readonly share: number;
}

/** What {@link summarizeCpuProfile} returns. */
export interface ProfileSummary {
  readonly totalMs: number;
  /** Time the main thread waited with nothing to do (network, disk). */
  readonly idleMs: number;
  readonly topFunctions: readonly ProfileEntry[];
  readonly topFiles: readonly ProfileEntry[];
  /**
   * Self time charged to the innermost ferry function (a frame from `dist/src/`) on the stack, so
   * that Node internals and builtins count for the ferry code that called them. Samples with no
   * ferry frame keep their own name (garbage collector, stream callbacks resumed from the loop).
   */
  readonly topFerryCallers: readonly ProfileEntry[];
  /** Per asked-for label: samples with a matching frame anywhere on their stack. */
  readonly inclusive: readonly ProfileEntry[];
}

/** A piece of code to measure inclusively, matched on each frame's URL and function name. */
export interface FrameGroup {
  readonly label: string;
  readonly matches: (url: string, functionName: string) => boolean;
}

function isCpuProfile(value: unknown): value is CpuProfile {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return Array.isArray(record.nodes) && Array.isArray(record.samples) && Array.isArray(record.timeDeltas);
}

/** `file:///work/main/dist/src/x.js` → `src/x.js`; node internals keep their `node:` name. */
function shortUrl(url: string, repoRoot: string): string {
  if (url === '') return '(native or V8)';
  const path = url.replace(/^file:\/\//, '');
  const inRepo = path.startsWith(`${repoRoot}/`) ? path.slice(repoRoot.length + 1) : path;
  return inRepo.replace(/^dist\//, '');
}

/** A frame without a script, such as a C++ builtin, is named after its caller to be recognisable. */
function nativeName(functionName: string, caller: CpuProfileNode | undefined, repoRoot: string): string {
  if (functionName !== '') return functionName;
  if (caller === undefined || caller.callFrame.url === '') return '(native)';
  const { functionName: callerName, url, lineNumber } = caller.callFrame;
  return `(native) called by ${callerName || '(anonymous)'} (${shortUrl(url, repoRoot)}:${lineNumber + 1})`;
}

function top(totals: Map<string, number>, totalMs: number, count: number): ProfileEntry[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => ({ name, ms, share: ms / totalMs }));
}

/** Summarises the profile at `path`; `repoRoot` shortens file names in the output. */
export async function summarizeCpuProfile(path: string, repoRoot: string, groups: readonly FrameGroup[], count = 5): Promise<ProfileSummary> {
  const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
  if (!isCpuProfile(parsed)) throw new Error(`${path} is not a V8 CPU profile`);
  const byId = new Map(parsed.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of parsed.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

  // Sample i lasts until sample i + 1, so its time is the next delta (the last one gets none).
  const selfMs = new Map<number, number>();
  parsed.samples.forEach((id, i) => {
    selfMs.set(id, (selfMs.get(id) ?? 0) + (parsed.timeDeltas[i + 1] ?? 0) / 1000);
  });
  const totalMs = (parsed.endTime - parsed.startTime) / 1000;

  const functions = new Map<string, number>();
  const ferryCallers = new Map<string, number>();
  const callerMemo = new Map<number, string | undefined>();
  const ferryCaller = (id: number): string | undefined => {
    if (callerMemo.has(id)) return callerMemo.get(id);
    const node = byId.get(id);
    const parent = parentOf.get(id);
    let name: string | undefined;
    if (node !== undefined && node.callFrame.url.startsWith(`file://${repoRoot}/dist/src/`)) {
      const { functionName, url, lineNumber } = node.callFrame;
      name = `${functionName || '(anonymous)'} (${shortUrl(url, repoRoot)}:${lineNumber + 1})`;
    } else if (parent !== undefined) {
      name = ferryCaller(parent);
    }
    callerMemo.set(id, name);
    return name;
  };
  const files = new Map<string, number>();
  const inGroup = groups.map(() => 0);
  let idleMs = 0;
  const memo = new Map<number, readonly boolean[]>();
  const groupsOnStack = (id: number): readonly boolean[] => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id);
    const parent = parentOf.get(id);
    const above = parent === undefined ? groups.map(() => false) : groupsOnStack(parent);
    const here = node === undefined ? above : groups.map((g, i) => (above[i] ?? false) || g.matches(node.callFrame.url, node.callFrame.functionName));
    memo.set(id, here);
    return here;
  };
  for (const [id, ms] of selfMs) {
    const node = byId.get(id);
    if (node === undefined) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      // Waiting is not a cost of any function; it is reported on its own.
      idleMs += ms;
      continue;
    }
    const file = shortUrl(url, repoRoot);
    const name = url === '' ? nativeName(functionName, byId.get(parentOf.get(id) ?? -1), repoRoot) : `${functionName || '(anonymous)'} (${file}:${lineNumber + 1})`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
    const caller = ferryCaller(id) ?? (url === '' ? name : `${shortUrl(url, repoRoot)} (no ferry caller)`);
    ferryCallers.set(caller, (ferryCallers.get(caller) ?? 0) + ms);
    if (url !== '') files.set(file, (files.get(file) ?? 0) + ms);
    groupsOnStack(id).forEach((on, i) => {
      if (on) inGroup[i] = (inGroup[i] ?? 0) + ms;
    });
  }
  return {
    totalMs,
    idleMs,
    topFunctions: top(functions, totalMs, count),
    topFiles: top(files, totalMs, count + 3),
    topFerryCallers: top(ferryCallers, totalMs, count + 5),
    inclusive: groups.map((g, i) => ({ name: g.label, ms: inGroup[i] ?? 0, share: (inGroup[i] ?? 0) / totalMs })),
  };
}
