/**
 * The Markdown report of issue 4's benchmark (remote-bench.ts): ferry's downloads from the real
 * OpenSSH and vsftpd against OpenSSH's `sftp` and curl, and many small files over SFTP end to end,
 * with issue 4's targets marked as met or missed.
 */
import type { ProfileEntry, ProfileSummary } from './cpu-profile-summary.js';
import { formatMachine, type MachineInfo } from './machine-info.js';
import { formatCount, formatMegabytes, formatSeconds, markdownTable } from './markdown-table.js';
import { median } from './measure.js';
import type { SmallFilesRun, SmallFilesSource } from './remote-small-files.js';

/** Which server a download came from. */
export type Protocol = 'sftp' | 'ftp' | 'ftps';

/** What a client is in the comparison (see {@link TransferCase}). */
export type TransferRole = 'ferry' | 'reference' | 'floor';

/** One download, or one connect-only run, of one client. */
export interface TransferRun {
  /** ferry: the case's own time in its child (Node start-up excluded); the others: process wall time. */
  readonly ms: number;
  readonly cpuMs: number | null;
  readonly maxRssBytes: number;
  /** Bytes written locally (connect-only runs: the size the server reported). */
  readonly bytes: number;
}

/** All runs of one client on one server. */
export interface TransferCase {
  readonly protocol: Protocol;
  readonly client: string;
  /**
   * `ferry`: ferry's file system; `reference`: the client ferry is held against on this server
   * (OpenSSH's `sftp`, curl); `floor`: ferry's client library on its own, for context.
   */
  readonly role: TransferRole;
  readonly command: string;
  readonly status: 'ok' | 'failed';
  readonly note?: string;
  readonly get: readonly TransferRun[];
  readonly connect: readonly TransferRun[];
}

/** All runs of one small-files case. */
export interface SmallFilesCase {
  readonly label: string;
  readonly source: SmallFilesSource;
  readonly files: number;
  readonly status: 'ok' | 'failed';
  readonly note?: string;
  readonly runs: readonly SmallFilesRun[];
}

/** A profiled small-files run. */
export interface ProfiledSmallFiles {
  readonly label: string;
  readonly wallMs: number;
  readonly summary: ProfileSummary;
}

/** Everything the report shows. */
export interface RemoteResults {
  readonly date: string;
  readonly machine: MachineInfo;
  readonly loadAverageAtEnd: number;
  readonly quick: boolean;
  readonly runsPerCase: number;
  readonly file: { readonly name: string; readonly bytes: number };
  readonly tools: readonly { readonly name: string; readonly version: string }[];
  readonly rssMethod: string;
  readonly transfers: readonly TransferCase[];
  readonly smallFiles: {
    readonly files: number;
    readonly rowsPerFile: number;
    readonly maxConnections: number;
    readonly cases: readonly SmallFilesCase[];
  };
  readonly profile?: ProfiledSmallFiles;
  readonly profileNote?: string;
}

/** Issue 4: ≥ 0.7 × the reference client's MB/s; ≥ 50 files/s for the small files over SFTP. */
export const TARGET_TRANSFER_RATIO = 0.7;
export const TARGET_FILES_PER_SECOND = 50;

const PROTOCOL_TITLE: Record<Protocol, string> = { sftp: 'SFTP (OpenSSH sshd)', ftp: 'FTP (vsftpd, plain)', ftps: 'explicit FTPS (vsftpd, require_ssl_reuse)' };

/** Medians of one transfer case: the whole get, the connect-only run, and the difference. */
export interface TransferFigures {
  readonly getMs: number;
  readonly connectMs: number;
  readonly transferMs: number;
  readonly cpuMs: number | null;
  readonly maxRssBytes: number;
  /** Peak RSS of the connect-only run: the process without the transfer. */
  readonly connectRssBytes: number;
}

/** The medians of a case that ran; undefined when it failed or has no runs of either kind. */
export function transferFigures(c: TransferCase): TransferFigures | undefined {
  if (c.status !== 'ok' || c.get.length === 0 || c.connect.length === 0) return undefined;
  const getMs = median(c.get.map((r) => r.ms));
  const connectMs = median(c.connect.map((r) => r.ms));
  const cpu = c.get.map((r) => r.cpuMs);
  return {
    getMs,
    connectMs,
    // A connect that happened to be slower than a whole get must not make the transfer free.
    transferMs: Math.max(getMs - connectMs, 1),
    cpuMs: cpu.every((ms): ms is number => ms !== null) ? median(cpu) : null,
    maxRssBytes: median(c.get.map((r) => r.maxRssBytes)),
    connectRssBytes: median(c.connect.map((r) => r.maxRssBytes)),
  };
}

function mbPerSecond(bytes: number, ms: number): number {
  return bytes / 1e6 / (ms / 1000);
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

function check(passed: boolean, text: string): string {
  return `- ${passed ? 'PASS' : 'MISS'}: ${text}`;
}

interface Ratio {
  readonly protocol: Protocol;
  readonly reference: string;
  readonly transfer: number;
  readonly total: number;
  readonly referenceTransferMs: number;
  readonly referenceGetMs: number;
}

function ratios(results: RemoteResults): Ratio[] {
  const out: Ratio[] = [];
  for (const protocol of ['sftp', 'ftp', 'ftps'] as const) {
    const ferry = results.transfers.find((c) => c.protocol === protocol && c.role === 'ferry');
    const reference = results.transfers.find((c) => c.protocol === protocol && c.role === 'reference');
    const f = ferry === undefined ? undefined : transferFigures(ferry);
    const r = reference === undefined ? undefined : transferFigures(reference);
    if (f === undefined || r === undefined || reference === undefined) continue;
    out.push({ protocol, reference: reference.client, transfer: r.transferMs / f.transferMs, total: r.getMs / f.getMs, referenceTransferMs: r.transferMs, referenceGetMs: r.getMs });
  }
  return out;
}

function transferSection(results: RemoteResults, protocol: Protocol): string[] {
  const cases = results.transfers.filter((c) => c.protocol === protocol);
  const ratio = ratios(results).find((r) => r.protocol === protocol);
  const headers = ['client', 'get', 'connect only', 'transfer', 'MB/s (transfer)', 'MB/s (get)', 'peak RSS', 'peak RSS (connect only)', 'CPU (get)', '× reference (transfer)', '× reference (get)'];
  const rows = cases.map((c): string[] => {
    const f = transferFigures(c);
    if (f === undefined) return [c.client, `${c.status}: ${(c.note ?? 'no runs').replaceAll('|', '\\|')}`, ...headers.slice(2).map(() => '')];
    const r = ratio === undefined || c.role === 'reference' ? undefined : ratio.referenceTransferMs;
    const rTotal = ratio === undefined || c.role === 'reference' ? undefined : ratio.referenceGetMs;
    return [
      c.client, formatSeconds(f.getMs), formatSeconds(f.connectMs), formatSeconds(f.transferMs),
      mbPerSecond(results.file.bytes, f.transferMs).toFixed(1), mbPerSecond(results.file.bytes, f.getMs).toFixed(1),
      formatMegabytes(f.maxRssBytes), formatMegabytes(f.connectRssBytes), f.cpuMs === null ? '—' : formatSeconds(f.cpuMs),
      c.role === 'reference' ? '1.00×' : r === undefined ? '—' : `${(r / f.transferMs).toFixed(2)}×`,
      c.role === 'reference' ? '1.00×' : rTotal === undefined ? '—' : `${(rTotal / f.getMs).toFixed(2)}×`,
    ];
  });
  const commands = cases.map((c) => `- ${c.client}: \`${c.command}\``);
  return [`### ${PROTOCOL_TITLE[protocol]}`, '', markdownTable(headers, rows, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), '', ...commands, ''];
}

function smallFigures(c: SmallFilesCase): { wallMs: number; cpuMs: number | null; maxRssBytes: number; records: number; requests: number } | undefined {
  if (c.status !== 'ok' || c.runs.length === 0) return undefined;
  const cpu = c.runs.map((r) => r.cpuMs);
  return {
    wallMs: median(c.runs.map((r) => r.wallMs)),
    cpuMs: cpu.every((ms): ms is number => ms !== null) ? median(cpu) : null,
    maxRssBytes: median(c.runs.map((r) => r.maxRssBytes)),
    records: c.runs[0]?.records ?? 0,
    requests: c.runs[0]?.requests ?? 0,
  };
}

/** files/s, wall per file and marginal per file (over the empty run of the same source) of a case with files. */
export function smallFilesRates(results: RemoteResults, c: SmallFilesCase): { filesPerSecond: number; perFileMs: number; marginalMs: number | undefined } | undefined {
  const f = smallFigures(c);
  if (f === undefined || c.files === 0) return undefined;
  const empty = results.smallFiles.cases.find((e) => e.source === c.source && e.files === 0);
  const e = empty === undefined ? undefined : smallFigures(empty);
  return {
    filesPerSecond: c.files / (f.wallMs / 1000),
    perFileMs: f.wallMs / c.files,
    marginalMs: e === undefined ? undefined : (f.wallMs - e.wallMs) / c.files,
  };
}

function smallFilesSection(results: RemoteResults): string[] {
  const { files, rowsPerFile, maxConnections } = results.smallFiles;
  const headers = ['case', 'files', 'records', 'requests', 'wall', 'files/s', 'wall / file', 'marginal / file', 'peak RSS', 'CPU'];
  const rows = results.smallFiles.cases.map((c): string[] => {
    const f = smallFigures(c);
    if (f === undefined) return [c.label, `${c.status}: ${(c.note ?? 'no runs').replaceAll('|', '\\|')}`, ...headers.slice(2).map(() => '')];
    const rate = smallFilesRates(results, c);
    return [
      c.label, formatCount(c.files), formatCount(f.records), formatCount(f.requests), formatSeconds(f.wallMs),
      rate === undefined ? '—' : rate.filesPerSecond.toFixed(1),
      rate === undefined ? '—' : `${rate.perFileMs.toFixed(1)} ms`,
      rate?.marginalMs === undefined ? '—' : `${rate.marginalMs.toFixed(1)} ms`,
      formatMegabytes(f.maxRssBytes), f.cpuMs === null ? '—' : formatSeconds(f.cpuMs),
    ];
  });
  return [
    `### ${formatCount(files)} small files (${rowsPerFile} rows each) in one folder, one \`ferry run\``, '',
    `maxConnections ${maxConnections} on the SFTP connection; discarding HTTP target; \`stable: { minAge: 0s, checks: 1 }\`; \`after.success: move:processed\` checked on the server after every run.`, '',
    markdownTable(headers, rows, [1, 2, 3, 4, 5, 6, 7, 8, 9]), '',
    'wall / file is the wall time over the files (Node start-up included); marginal / file subtracts a run on an empty folder of the same source (start-up, profile load, store open, one listing).', '',
    ...sftpOverLocal(results),
  ];
}

/** What the SFTP source adds per file over a local folder with the same profile. */
function sftpOverLocal(results: RemoteResults): string[] {
  const withFiles = (source: SmallFilesSource): SmallFilesCase | undefined => results.smallFiles.cases.find((c) => c.source === source && c.files > 0);
  const sftp = withFiles('sftp');
  const local = withFiles('local');
  const s = sftp === undefined ? undefined : smallFilesRates(results, sftp);
  const l = local === undefined ? undefined : smallFilesRates(results, local);
  if (s?.marginalMs === undefined || l?.marginalMs === undefined || sftp === undefined || local === undefined) return [];
  const cpu = (c: SmallFilesCase): number | null => smallFigures(c)?.cpuMs ?? null;
  const sCpu = cpu(sftp);
  const lCpu = cpu(local);
  const cpuText = sCpu === null || lCpu === null ? '' : `; CPU per file ${(sCpu / sftp.files).toFixed(1)} ms over SFTP, ${(lCpu / local.files).toFixed(1)} ms from the local folder`;
  return [`The SFTP source adds ${(s.marginalMs - l.marginalMs).toFixed(1)} ms per file over the local folder (marginal ${s.marginalMs.toFixed(1)} vs ${l.marginalMs.toFixed(1)} ms)${cpuText}.`, ''];
}

function profileSection(profile: ProfiledSmallFiles): string[] {
  const { summary, wallMs, label } = profile;
  const entries = (list: readonly ProfileEntry[]): string[][] =>
    list.map((e) => [e.name.replaceAll('|', '\\|'), `${e.ms.toFixed(0)} ms`, percent(e.share)]);
  return [
    `### Where the time goes: one ferry run under \`node --cpu-prof\` (${label}, ${formatSeconds(wallMs)} wall)`, '',
    `Profiled ${formatSeconds(summary.totalMs)}; the main thread was idle (waiting for the server, the target or the disk) ${formatSeconds(summary.idleMs)} of it (${percent(summary.idleMs / summary.totalMs)}).`, '',
    'Top self time:', '', markdownTable(['function', 'self', 'share'], entries(summary.topFunctions), [1, 2]), '',
    'Self time charged to the innermost ferry function on the stack:', '', markdownTable(['ferry function', 'time', 'share'], entries(summary.topFerryCallers), [1, 2]), '',
    'Samples with the code on the stack (a lower bound: work resumed from a callback after an `await` does not show its caller):', '',
    markdownTable(['code', 'time', 'share'], entries(summary.inclusive), [1, 2]), '',
  ];
}

function targetLines(results: RemoteResults): string[] {
  const lines = ratios(results).map((r) =>
    check(
      r.transfer >= TARGET_TRANSFER_RATIO,
      `${PROTOCOL_TITLE[r.protocol]}: ferry ${r.transfer.toFixed(2)}× ${r.reference}'s MB/s on the transfer (connect subtracted), ${r.total.toFixed(2)}× on the whole get (target ≥ ${TARGET_TRANSFER_RATIO}×)`,
    ),
  );
  for (const c of results.smallFiles.cases) {
    if (c.source !== 'sftp') continue;
    const rate = smallFilesRates(results, c);
    if (rate === undefined) continue;
    lines.push(check(rate.filesPerSecond >= TARGET_FILES_PER_SECOND, `${c.label}: ${rate.filesPerSecond.toFixed(1)} files/s end to end (target ≥ ${TARGET_FILES_PER_SECOND} files/s)`));
  }
  return lines.length > 0 ? lines : ['- not evaluated: no ferry case and reference ran.'];
}

/** The failed cases, which should fail `npm run bench` (target misses do not). */
export function remoteProblems(results: RemoteResults): string[] {
  return [
    ...results.transfers.filter((c) => c.status === 'failed').map((c) => `${c.protocol} ${c.client}: ${c.note ?? 'failed'}`),
    ...results.smallFiles.cases.filter((c) => c.status === 'failed').map((c) => `${c.label}: ${c.note ?? 'failed'}`),
  ];
}

function notes(rssMethod: string): string[] {
  return [
    'Notes: every download writes the whole file to a local file on the same disk and is checked against the',
    "reference's size and SHA-256. ferry is `createSftpFs`/`createFtpFs` (one connection) with `fs.read()` piped",
    "to a file, as the pipeline's download does, in its own Node process; its times are the case's own work (Node",
    "start-up and module loading excluded), its CPU the whole process's over that span, its peak RSS the process's",
    "`maxRSS`, which includes Node and the loaded client library (see the connect-only column). OpenSSH's `sftp`",
    `(\`sftp -b <batch> -i <key>\`) and curl are timed as processes (exec included), CPU and peak RSS from ${rssMethod}.`,
    '"connect only" is connect + log in + stat the file: an empty `sftp` batch, `curl --head` (SIZE, MDTM),',
    "ferry's `fs.stat()`; transfer = get − connect only. The target is checked on the transfer figure; the",
    'whole-get ratio is shown as well. On plain FTP the transfer is a small difference of two larger times, so',
    'its ratio swings most from run to run; "basic-ftp alone" is the library ferry uses for FTP, downloading',
    "with `Client.downloadTo` into a file without ferry's file system around it (a floor, not a target).",
    "Servers and clients share the machine's two cores with each other (sshd's encryption, vsftpd's TLS) and",
    'with whatever else runs: compare ratios from one run, not absolute figures across runs. 1 MB = 10^6 bytes.',
  ];
}

/** Renders the report; `problems` are failed cases. */
export function renderRemoteReport(results: RemoteResults): { markdown: string; problems: string[] } {
  const problems = remoteProblems(results);
  const mode = results.quick ? 'quick (1 run per case)' : `median of ${results.runsPerCase} runs per case`;
  const tools = results.tools.map((t) => `${t.name}: ${t.version}`).join('; ');
  const sections = [
    '## Remote download benchmark (issue 4)', '',
    `Machine: ${formatMachine(results.machine)}, load ${results.loadAverageAtEnd.toFixed(2)} at the end.`,
    `Date: ${results.date}; ${mode}; peak RSS of processes from ${results.rssMethod}.`,
    `Tools: ${tools}.`, '',
    `## ${results.file.name} (${formatMegabytes(results.file.bytes)}) downloaded from the real servers on 127.0.0.1`, '',
    ...(['sftp', 'ftp', 'ftps'] as const).flatMap((p) => transferSection(results, p)),
    ...smallFilesSection(results),
    '### Targets (issue 4)', '', ...targetLines(results), '',
    ...(results.profile === undefined ? (results.profileNote === undefined ? [] : [`CPU profile: ${results.profileNote}`, '']) : profileSection(results.profile)),
    ...(problems.length > 0 ? ['### Problems', '', ...problems.map((p) => `- ${p}`), ''] : []),
    ...notes(results.rssMethod),
  ];
  return { markdown: sections.join('\n'), problems };
}
