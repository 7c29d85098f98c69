/**
 * F39 of ../shared/research/reliability-and-security.md §6.1: a 200 MB CSV streamed through SFTP
 * keeps the daemon's memory bounded. The peak resident set of the `ferry run` process (VmHWM in
 * /proc, sampled while it runs) must stay under ferry's documented budget; the throughput is only logged, never
 * asserted. FERRY_F39_MB changes the size (default 200) for a quicker local try.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { assertInvariants } from '../support/invariants.js';
import { REPO_ROOT } from '../support/run-cli.js';
import { startSftpServer, type SftpTestServer } from '../support/sftp-server.js';
import { createWorkspace, type Workspace } from '../support/workspace.js';

const MB = Number(process.env.FERRY_F39_MB ?? 200);
/**
 * ferry's documented memory target (README, benchmarks: ≤ 300 MB). The research's example of
 * 150 MB is below what the process needs before the first byte: `ferry run` on a 1 MB file already
 * peaks at about 125 MB (every reader, client and driver loaded); 20 MB through SFTP peaks near
 * 215 MB and 150 MB near 255 MB: V8 heap headroom, flat beyond ~60 MB rather than growing with the
 * file.
 */
const RSS_BUDGET_BYTES = 300 * 1024 * 1024;
/** V8 old-space cap for the run (MB), as in the README's delivery benchmark. */
const HEAP_CAP_MB = 160;

/** Writes about `bytes` of valid order rows; returns the row count. */
async function writeBigCsv(path: string, bytes: number): Promise<number> {
  const out = createWriteStream(path);
  out.write('Order No;Qty;Comment\r\n');
  let written = 0;
  let rows = 0;
  while (written < bytes) {
    const lines: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      rows++;
      lines.push(`BIG-${String(rows).padStart(9, '0')};${(rows % 9) + 1};streamed through sftp, never held in memory`);
    }
    const chunk = `${lines.join('\r\n')}\r\n`;
    written += chunk.length;
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end(() => resolve()).once('error', reject));
  return rows;
}

/** Peak resident set (VmHWM) of a live process in bytes, or 0 once it is gone. */
function peakRss(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? 0 : Number(m[1]) * 1024;
  } catch {
    return 0;
  }
}

describe(`F39: a ${MB} MB CSV through SFTP`, { timeout: 600_000 }, () => {
  let target: HttpTarget;
  let sftp: SftpTestServer;
  let ws: Workspace;
  before(async () => {
    target = await startHttpTarget({ keepBodies: false });
    sftp = await startSftpServer();
    ws = createWorkspace('ferry-fault-');
  });
  after(async () => {
    await sftp.close();
    await target.close();
    ws.remove();
  });

  it('keeps the peak RSS of ferry run under 300 MB and delivers every row', async () => {
    mkdirSync(join(sftp.root, 'export'), { recursive: true });
    const rows = await writeBigCsv(join(sftp.root, 'export', 'big.csv'), MB * 1024 * 1024);
    const connection = `{ type: sftp, host: ${sftp.host}, port: ${sftp.port}, user: ${sftp.user}, password: "\${FERRY_TEST_SFTP_PW}", hostKey: "${sftp.hostKeyFingerprint}" }`;
    ws.writeProfile('big', `version: 1
source: { type: sftp, connection: ${connection}, dir: /export, include: ["*.csv"], stable: { minAge: 0s, checks: 1 } }
format: { type: csv, encoding: utf-8, delimiter: ";" }
fields:
  orderId: { from: "Order No", required: true }
  qty:     { from: "Qty", type: integer }
key: [orderId]
target: { type: http, url: ${target.url}/v1/orders, batchSize: 2000, concurrency: 2, retry: { attempts: 3, baseDelay: 50ms } }
`);
    const started = Date.now();
    // the heap is capped as the benchmarks do: a pipeline that held the file would die of it, and
    // the RSS then measures what ferry keeps, not how much headroom V8 allows itself (uncapped,
    // the same run peaked at 256-296 MB on the 2-core test machine)
    const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_CAP_MB}`, join(REPO_ROOT, 'bin', 'ferry.js'), 'run', 'big', '--json'], {
      env: { ...process.env, ...ws.env, FERRY_TEST_SFTP_PW: sftp.password, FERRY_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let peak = 0;
    const sampler = setInterval(() => {
      if (child.pid !== undefined) peak = Math.max(peak, peakRss(child.pid));
    }, 100);
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    clearInterval(sampler);
    const seconds = (Date.now() - started) / 1000;
    console.log(`F39: heap cap ${HEAP_CAP_MB} MB, ${rows} rows, ${MB} MB in ${seconds.toFixed(1)} s (${(MB / seconds).toFixed(1)} MB/s), peak RSS ${(peak / 1024 / 1024).toFixed(1)} MB`);
    assert.equal(code, 0, stderr);
    const run = JSON.parse(stdout) as { batches: { rows: { total: number; delivered: number } }[] };
    assert.equal(run.batches[0]?.rows.total, rows);
    assert.equal(run.batches[0]?.rows.delivered, rows);
    assert.ok(peak > 0, 'the RSS was sampled');
    assert.ok(peak < RSS_BUDGET_BYTES, `peak RSS ${(peak / 1024 / 1024).toFixed(1)} MB stays under 300 MB`);
    assertInvariants({ ledger: join(ws.data, 'ferry.db'), tempFree: [sftp.root], dataDir: ws.data });
  });
});
