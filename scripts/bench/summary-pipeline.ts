/**
 * BENCHMARKS.md's summary rows for the end-to-end suites: delivery (issue 3), remote downloads
 * (issue 4), several instances (issue 10) and AMQP (issue 12), computed from each suite's results
 * file with the suite's own figures and targets.
 */
import type { AmqpResultsFile } from './amqp-bench.js';
import * as amqp from './amqp-bench.js';
import * as delivery from './delivery-report.js';
import type { DeliveryResults } from './delivery-report.js';
import type { InstancesResultsFile } from './instances-bench.js';
import { formatCount, formatRate, formatSeconds } from './markdown-table.js';
import { median } from './measure.js';
import * as remote from './remote-report.js';
import type { Protocol, RemoteResults } from './remote-report.js';
import { QUICK_SKIPS_LARGE, driftText, ratioText, rssText, type Check, type Outcome, type SuiteSummary } from './summary-row.js';

const percent = (share: number): string => `${(share * 100).toFixed(1)} %`;
/** The small-files input of the delivery suite (delivery-bench.ts: 1,000 files × 10 rows). */
const SMALL_INPUT = '1000×10';

/** Why a delivery case has no medians: its failure note, or that it was not in the run. */
function deliveryMissing(results: DeliveryResults, kind: string, input: string): Outcome {
  const found = results.cases.find((c) => c.kind === kind && c.input === input && c.target === 'parse');
  if (found === undefined) return { missing: results.quick && input === '3M' ? QUICK_SKIPS_LARGE : `no \`${kind}\` case on ${input}` };
  return { missing: `\`${kind}\` ${found.status}: ${(found.note ?? 'no runs').slice(0, 200)}` };
}

/** ferry's highest peak RSS over both targets on one input, as the suite judges it. */
function deliveryPeak(results: DeliveryResults, input: string): number | undefined {
  const peaks = (['parse', 'discard'] as const).flatMap((t) => delivery.findMedians(results, 'ferry', input, t)?.maxRssBytes ?? []);
  return peaks.length === 0 ? undefined : Math.max(...peaks);
}

function endToEnd(results: DeliveryResults, input: '1M' | '3M'): Outcome {
  const ferry = delivery.findMedians(results, 'ferry', input, 'parse');
  const floor = delivery.findMedians(results, 'floor', input, 'parse');
  if (ferry === undefined) return deliveryMissing(results, 'ferry', input);
  if (floor === undefined) return deliveryMissing(results, 'floor', input);
  const ratio = ferry.wallMs / floor.wallMs;
  const peak = deliveryPeak(results, input) ?? ferry.maxRssBytes;
  const checks: Check[] = [
    { label: 'ratio', passed: ratio <= delivery.TARGET_FLOOR_RATIO },
    { label: 'peak RSS', passed: peak <= delivery.TARGET_RSS_BYTES },
  ];
  const notes: string[] = [];
  if (ferry.cpuMs !== null && floor.cpuMs !== null) notes.push(`by CPU time ${ratioText(ferry.cpuMs / floor.cpuMs)}`);
  // judged on the default (whole file read first); the opt-in streamed mode is shown beside it
  const streamed = delivery.findMedians(results, 'ferry, streamed', input, 'parse');
  if (streamed !== undefined) notes.push(`streamed (target.stream: true) ${ratioText(streamed.wallMs / floor.wallMs)}`);
  const discardFerry = delivery.findMedians(results, 'ferry', input, 'discard');
  const discardFloor = delivery.findMedians(results, 'floor', input, 'discard');
  if (discardFerry !== undefined && discardFloor !== undefined) notes.push(`discarding target ${ratioText(discardFerry.wallMs / discardFloor.wallMs)}`);
  const small = input === '3M' ? deliveryPeak(results, '1M') : undefined;
  if (small !== undefined) {
    checks.push({ label: 'flat', passed: Math.abs(peak / small - 1) <= delivery.TARGET_RSS_DRIFT });
    notes.push(`peak RSS ${driftText(peak, small)} vs 1M`);
  }
  return {
    ferry: `${formatRate(ferry.records / (ferry.wallMs / 1000))} rows/s (${formatSeconds(ferry.wallMs)})`,
    floor: `floor (parse + JSON + POST): ${formatRate(floor.records / (floor.wallMs / 1000))} rows/s (${formatSeconds(floor.wallMs)})`,
    ratio: `${ratioText(ratio)} the floor's time`,
    rss: rssText(peak),
    checks,
    notes: notes.join('; '),
  };
}

function storeShare(results: DeliveryResults): Outcome {
  const checks: Check[] = [];
  const parts: string[] = [];
  for (const replay of results.store) {
    // judged on the larger of wall and CPU share, as the suite does
    const shares = [replay.share, replay.cpuShare].filter((v): v is number => v !== null);
    if (shares.length === 0) continue;
    checks.push({ label: replay.label, passed: Math.max(...shares) < delivery.TARGET_STORE_SHARE });
    parts.push(`${replay.label}: ${percent(Math.max(...shares))}`);
  }
  for (const profiled of results.profiles) {
    const inStore = profiled.summary.inclusive[0];
    if (inStore === undefined) continue;
    const share = inStore.ms / (profiled.summary.totalMs - profiled.summary.idleMs);
    checks.push({ label: `profiled ${profiled.label}`, passed: share < delivery.TARGET_STORE_SHARE });
    parts.push(`profiled (${profiled.label}): ${percent(share)} of busy time`);
  }
  if (checks.length === 0) return { missing: 'no ferry run to set the store calls against' };
  return { ferry: parts.join('; '), floor: '—', ratio: '—', rss: '—', checks, notes: 'replay = the run\'s store calls against a fresh SqliteStore (an estimate), judged on the larger of wall and CPU share' };
}

function smallFiles(results: DeliveryResults): Outcome {
  const m = delivery.findMedians(results, 'ferry small files', SMALL_INPUT, 'parse');
  if (m === undefined || m.files === 0) return deliveryMissing(results, 'ferry small files', SMALL_INPUT);
  const empty = delivery.findMedians(results, 'ferry, no files', 'empty inbox', 'parse');
  const perSecond = m.files / (m.wallMs / 1000);
  const marginal = empty === undefined ? undefined : (m.wallMs - empty.wallMs) / m.files;
  return {
    ferry: `${perSecond.toFixed(0)} files/s, ${(m.wallMs / m.files).toFixed(1)} ms per file`,
    floor: empty === undefined ? '—' : `\`ferry run\` on an empty inbox: ${formatSeconds(empty.wallMs)} (start-up)`,
    ratio: '—',
    rss: rssText(m.maxRssBytes),
    checks: [{ label: 'files/s', passed: perSecond >= delivery.TARGET_FILES_PER_SECOND }],
    notes: marginal === undefined ? '' : `per-file overhead ${marginal.toFixed(1)} ms (start-up subtracted)`,
  };
}

/** Issue 3. */
export function summarizeDelivery(results: DeliveryResults): SuiteSummary {
  return new Map<string, Outcome>([
    ['delivery-1m', endToEnd(results, '1M')],
    ['delivery-3m', endToEnd(results, '3M')],
    ['store-share', storeShare(results)],
    ['delivery-small', smallFiles(results)],
  ]);
}

function download(results: RemoteResults, protocol: Protocol): Outcome {
  const ferryCase = results.transfers.find((c) => c.protocol === protocol && c.role === 'ferry');
  const referenceCase = results.transfers.find((c) => c.protocol === protocol && c.role === 'reference');
  const ferry = ferryCase === undefined ? undefined : remote.transferFigures(ferryCase);
  const reference = referenceCase === undefined ? undefined : remote.transferFigures(referenceCase);
  if (ferry === undefined) return { missing: `ferry's download ${ferryCase?.status ?? 'did not run'}: ${ferryCase?.note ?? ''}` };
  if (reference === undefined || referenceCase === undefined) return { missing: `the reference client ${referenceCase?.status ?? 'did not run'}: ${referenceCase?.note ?? ''}` };
  const mbps = (ms: number): string => (results.file.bytes / 1e6 / (ms / 1000)).toFixed(1);
  const ratio = reference.transferMs / ferry.transferMs;
  return {
    ferry: `${mbps(ferry.transferMs)} MB/s`,
    floor: `${referenceCase.client}: ${mbps(reference.transferMs)} MB/s`,
    ratio: ratioText(ratio),
    rss: rssText(ferry.maxRssBytes),
    checks: [{ label: 'ratio', passed: ratio >= remote.TARGET_TRANSFER_RATIO }],
    notes: `whole get incl. connect ${ratioText(reference.getMs / ferry.getMs)}`,
  };
}

function sftpSmallFiles(results: RemoteResults): Outcome {
  const sftp = results.smallFiles.cases.find((c) => c.source === 'sftp' && c.files > 0);
  const local = results.smallFiles.cases.find((c) => c.source === 'local' && c.files > 0);
  const rate = sftp === undefined ? undefined : remote.smallFilesRates(results, sftp);
  if (sftp === undefined || rate === undefined) return { missing: `the SFTP small-files case ${sftp?.status ?? 'did not run'}: ${sftp?.note ?? ''}` };
  const localRate = local === undefined ? undefined : remote.smallFilesRates(results, local);
  const peak = sftp.runs.length === 0 ? undefined : median(sftp.runs.map((r) => r.maxRssBytes));
  return {
    ferry: `${rate.filesPerSecond.toFixed(1)} files/s`,
    floor: localRate === undefined ? '—' : `same profile on a local folder: ${localRate.filesPerSecond.toFixed(1)} files/s`,
    ratio: localRate === undefined ? '—' : ratioText(rate.filesPerSecond / localRate.filesPerSecond),
    rss: rssText(peak),
    checks: [{ label: 'files/s', passed: rate.filesPerSecond >= remote.TARGET_FILES_PER_SECOND }],
    notes: `maxConnections ${results.smallFiles.maxConnections}${rate.marginalMs === undefined ? '' : `; ${rate.marginalMs.toFixed(1)} ms per file over an empty-folder run`}`,
  };
}

/** Issue 4. */
export function summarizeRemote(results: RemoteResults): SuiteSummary {
  return new Map<string, Outcome>([
    ['sftp-get', download(results, 'sftp')],
    ['ftp-get', download(results, 'ftp')],
    ['ftps-get', download(results, 'ftps')],
    ['sftp-small', sftpSmallFiles(results)],
  ]);
}

/** Issue 10: files/s must grow with every instance added. */
export function summarizeInstances(file: InstancesResultsFile): SuiteSummary {
  const [one] = file.runs;
  if (one === undefined) return new Map([['instances', { missing: 'no run finished' }]]);
  const checks: Check[] = file.runs.slice(1).map((run, index) => ({
    label: `${run.instances} > ${run.instances - 1}`,
    passed: run.filesPerSecond > (file.runs[index]?.filesPerSecond ?? Infinity),
  }));
  const peak = Math.max(0, ...file.runs.map((r) => r.maxRssBytes));
  const outcome: Outcome = {
    ferry: file.runs.map((r) => `${r.instances}: ${r.filesPerSecond.toFixed(1)}`).join(', ') + ' files/s',
    floor: `1 instance: ${one.filesPerSecond.toFixed(1)} files/s`,
    ratio: file.runs.slice(1).map((r) => `${r.instances}: ${ratioText(r.filesPerSecond / one.filesPerSecond)}`).join(', '),
    rss: rssText(peak),
    checks,
    notes: `${formatCount(one.files)} files; PostgreSQL ${file.runs.map((r) => `${(r.storeShare * 100).toFixed(0)} %`).join(' / ')} of the CPU time; every instance shares the machine's cores`,
  };
  return new Map([['instances', outcome]]);
}

/** Issue 12. */
export function summarizeAmqp(file: AmqpResultsFile): SuiteSummary {
  const { ferry, bare, ratio } = file;
  const outcome: Outcome = {
    ferry: `${formatCount(ferry.perSecond)} messages/s`,
    floor: `bare amqplib publisher, confirms: ${formatCount(bare.perSecond)} messages/s`,
    ratio: ratioText(ratio),
    rss: rssText(ferry.rssBytes),
    checks: [{ label: 'ratio', passed: ratio >= amqp.TARGET_RATIO }],
    notes: `${formatCount(file.rows)} rows${file.quick ? ' (`--quick`; a full run sends 1M)' : ''}; ferry's time is the whole \`ferry run\``,
  };
  return new Map([['amqp', outcome]]);
}
