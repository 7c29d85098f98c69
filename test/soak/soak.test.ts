/**
 * The soak test (issue 11 point 2, `npm run test:soak`): one `ferry start` with three profiles
 * reading an SFTP server, an FTP server and a local folder, while a producer drops a stream of
 * CSV files onto all three, the target and the notification endpoints fail at random, and the
 * daemon is SIGKILLed every 2–5 s and started again at once. Then a calm phase without kills (files
 * and failures go on) in which memory is watched, a drain until everything has settled, SIGTERM,
 * and the checks: the shared oracle (I1–I6) plus the soak's own cross-checks against what it
 * produced. FERRY_SOAK_SEED replays a run's random choices; FERRY_SOAK_MS sets the killing phase,
 * FERRY_SOAK_CALM_MS the calm one. See docs/soak-test.md.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, it } from 'node:test';

import { seededRandom } from '../support/csv-files.js';
import { startFtpServer } from '../support/ftp-server.js';
import { startHttpTarget } from '../support/http-target.js';
import { assertInvariants, readAllTexts } from '../support/invariants.js';
import { startSftpServer } from '../support/sftp-server.js';
import { createWorkspace } from '../support/workspace.js';
import { startChaosReceiver, type ChaosReceiver } from './chaos-receiver.js';
import { DaemonLives } from './daemon-lives.js';
import { hookChaos, targetChaos } from './soak-chaos.js';
import { checkFiles, checkFolders, checkNotifications, checkTarget, filesBelow, readSoakLedger, type CheckedSource } from './soak-checks.js';
import { summarizeMemory, type MemoryFigures } from './soak-memory.js';
import { Producer, type ProducerSource } from './soak-producer.js';
import { localParts, remoteParts, soakProfile } from './soak-profiles.js';

const num = (name: string, fallback: number): number => {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : Number(v);
};
const SEED = num('FERRY_SOAK_SEED', Math.floor(Math.random() * 2 ** 31));
const KILL_MS = num('FERRY_SOAK_MS', 210_000);
const CALM_MS = num('FERRY_SOAK_CALM_MS', 120_000);
const DRAIN_MS = num('FERRY_SOAK_DRAIN_MS', 150_000);
const RSS_BUDGET_MB = num('FERRY_SOAK_RSS_BUDGET_MB', 250);
/** End of the calm phase versus its early level (lower quartiles): GC timing, allocator slack and the file in flight move RSS by ~10–15 % on a loaded box. */
const RSS_GROWTH_LIMIT = num('FERRY_SOAK_RSS_GROWTH', 1.25);

const TOKEN = `soak-token-${SEED.toString(36)}-c4n4ry`;
const NOTIFY_SECRET = `soak-notify-${SEED.toString(36)}-s3cr3t`;
const MB = 1024 * 1024;
const mib = (bytes: number): number => Math.round((bytes / MB) * 10) / 10;

function log(line: string): void {
  console.log(`[soak] ${line}`);
}

describe('soak: three sources, random endpoint failures, the daemon killed every few seconds', () => {
  it('keeps every invariant and does not grow in memory', { timeout: KILL_MS + CALM_MS + DRAIN_MS + 90_000 }, async () => {
    log(`seed ${SEED} (replay with FERRY_SOAK_SEED=${SEED}); killing ${KILL_MS} ms, calm ${CALM_MS} ms`);
    const streams = { producer: seededRandom(SEED), target: seededRandom(SEED ^ 0x5a5a5a5a), hooks: seededRandom(SEED ^ 0x33cc33cc), kills: seededRandom(SEED ^ 0x0f0f0f0f) };
    const ws = createWorkspace('ferry-soak-');
    const target = await startHttpTarget({ script: targetChaos(streams.target), requireBearer: TOKEN });
    const sftp = await startSftpServer();
    const ftp = await startFtpServer();
    const hookDecide = hookChaos(streams.hooks);
    const receivers = new Map<string, ChaosReceiver>();
    for (const p of ['sftp', 'ftp', 'local']) receivers.set(p, await startChaosReceiver(NOTIFY_SECRET, `/hooks/${p}`, hookDecide));
    const url = (p: string): string => receivers.get(p)?.url ?? '';

    const sftpConn = `{ type: sftp, host: ${sftp.host}, port: ${sftp.port}, user: ${sftp.user}, password: "\${SOAK_SFTP_PW}", hostKey: "${sftp.hostKeyFingerprint}" }`;
    const ftpConn = `{ type: ftp, host: ${ftp.host}, port: ${ftp.port}, user: ${ftp.user}, password: "\${SOAK_FTP_PW}", insecure: true }`;
    const dirs = {
      sftpIn: join(sftp.root, 'in'), ftpIn: join(ftp.root, 'in'), localIn: ws.inbox,
      sftpResults: join(sftp.root, 'results'), ftpResults: join(ws.results, 'ftp'), localResults: join(ws.results, 'local'),
    };
    for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
    ws.writeProfile('sftp', soakProfile('sftp', remoteParts('sftp', sftpConn, '/results', true), target.url, url('sftp')));
    ws.writeProfile('ftp', soakProfile('ftp', remoteParts('ftp', ftpConn, dirs.ftpResults, false), target.url, url('ftp')));
    ws.writeProfile('local', soakProfile('local', localParts(dirs.localIn, dirs.localResults), target.url, url('local')));

    const env = {
      SOAK_TARGET_TOKEN: TOKEN, SOAK_NOTIFY_SECRET: NOTIFY_SECRET, SOAK_SFTP_PW: sftp.password, SOAK_FTP_PW: ftp.password,
      FERRY_NOTIFY_BASE_DELAY: '100', FERRY_NOTIFY_MAX_DELAY: '1000', FERRY_NOTIFY_POLL: '200', FERRY_RESUME_AFTER: '1000',
      FERRY_SHUTDOWN_TIMEOUT: '20000',
    };
    const sources: ProducerSource[] = [
      { name: 'sftp', dir: dirs.sftpIn, prefix: 'S' },
      { name: 'ftp', dir: dirs.ftpIn, prefix: 'F' },
      { name: 'local', dir: dirs.localIn, prefix: 'L' },
    ];
    const producer = new Producer(sources, streams.producer, { min: num('FERRY_SOAK_GAP_MIN', 1500), max: num('FERRY_SOAK_GAP_MAX', 4500) });
    const lives = new DaemonLives(ws, env, streams.kills);
    try {
      await lives.spawn().daemon.ready();
      producer.start();
      lives.startKilling(2000, 5000);
      await delay(KILL_MS);
      await lives.stopKilling();
      const calmStart = lives.now();
      const calmLife = lives.current;
      log(`calm phase from ${calmStart} ms: life #${calmLife?.index ?? -1}, no more kills`);
      let calmOver = false;
      const heapWatch = lives.watchHeap(2000, () => calmOver);
      await delay(CALM_MS);
      calmOver = true;
      await heapWatch;
      const calmEnd = lives.now();
      producer.stop();
      log(`producer stopped at ${calmEnd} ms after ${producer.files.length} files; draining`);

      const drainStart = Date.now();
      let pending = '';
      for (;;) {
        const { batches, outbox } = readSoakLedger(join(ws.data, 'ferry.db'));
        const done = new Set(batches.filter((b) => b.state === 'done').map((b) => `${b.profile}/${b.file_name}`));
        const waitingFiles = producer.files.filter((f) => !done.has(`${f.source}/${f.name}`)).length;
        const unfinished = batches.filter((b) => b.state !== 'done').length;
        const undelivered = outbox.filter((n) => n.state !== 'delivered').length;
        pending = `${waitingFiles} files without a done batch, ${unfinished} unfinished batches, ${undelivered} notifications not delivered`;
        if (waitingFiles === 0 && unfinished === 0 && undelivered === 0) break;
        if (Date.now() - drainStart > DRAIN_MS) break;
        if (Math.floor((Date.now() - drainStart) / 1000) % 15 === 0) log(`draining: ${pending}`);
        await delay(1000);
      }
      const drainMs = Date.now() - drainStart;
      log(`drained in ${drainMs} ms (${pending})`);
      await lives.stop();

      // ---- the figures ----
      const memory: MemoryFigures = summarizeMemory(lives.lives, calmLife, calmStart, calmEnd);
      const { batches, outbox } = readSoakLedger(join(ws.data, 'ferry.db'));
      const perSource = Object.fromEntries(sources.map((s) => {
        const mine = producer.files.filter((f) => f.source === s.name);
        return [s.name, { files: mine.length, duplicates: mine.filter((f) => f.duplicateOf !== undefined).length, rows: mine.reduce((n, f) => n + f.rows, 0) }];
      }));
      const received = new Map([...receivers].map(([p, r]) => [p, r.received] as const));
      const hookAttempts = [...received.values()].reduce((n, r) => n + r.length, 0);
      const summary = {
        seed: SEED, killPhaseMs: KILL_MS, calmPhaseMs: CALM_MS, drainMs, wallMs: lives.now(),
        lives: lives.lives.length, kills: lives.lives.filter((l) => l.end === 'killed').length,
        livesThatWatched: lives.logs().filter((t) => /watching sources/.test(t)).length,
        batchResumptions: lives.logs().reduce((n, t) => n + (t.match(/"msg":"resuming (batch|a stopped batch)"/g)?.length ?? 0), 0),
        unexpectedEnds: lives.unexpectedEnds().map((l) => `#${l.index}: ${l.end ?? ''}`),
        files: perSource, batches: batches.length,
        byStatus: batches.reduce<Record<string, number>>((acc, b) => ({ ...acc, [b.status]: (acc[b.status] ?? 0) + 1 }), {}),
        rows: batches.reduce((acc, b) => ({ total: acc.total + b.rows_total, delivered: acc.delivered + b.rows_delivered, rejected: acc.rejected + b.rows_rejected, failed: acc.failed + b.rows_failed }), { total: 0, delivered: 0, rejected: 0, failed: 0 }),
        targetRequests: target.requests.length,
        targetFailures: target.requests.filter((q) => q.outcome !== 'ok').length,
        notifications: outbox.length, hookAttempts,
        hookFailures: [...received.values()].flat().filter((h) => h.outcome === 'destroyed' || h.outcome >= 300).length,
        notificationAttemptsInLedger: outbox.reduce((n, o) => n + o.attempts, 0),
        rssMiB: {
          peakOfLives: mib(memory.peakOfLives), medianPeakOfLives: mib(memory.medianPeak),
          calmEarly: mib(memory.calm?.early ?? 0), calmEnd: mib(memory.calm?.end ?? 0), calmPeak: mib(memory.calm?.peak ?? 0), calmSamples: memory.calm?.samples ?? 0,
          calmSlopePerMin: mib(memory.calm?.slopePerMin ?? 0),
          heapLowEarly: mib(memory.heapLows?.early ?? 0), heapLowEnd: mib(memory.heapLows?.end ?? 0), heapSamples: memory.heapLows?.samples ?? 0,
          calmTrace: memory.trace.map((p) => p.join('/')).join(' '),
        },
      };
      const reportPath = join(tmpdir(), 'ferry-soak-last.json');
      writeFileSync(reportPath, `${JSON.stringify(summary, null, 2)}\n`);
      log(`summary (also in ${reportPath}):\n${JSON.stringify(summary, null, 2)}`);

      // ---- the checks ----
      assert.deepEqual(summary.unexpectedEnds, [], `no life ended on its own (crash loop, fatal error); last log:\n${lives.unexpectedEnds()[0]?.daemon.log.slice(-3000) ?? ''}`);
      assert.equal(pending.startsWith('0 files') && / 0 unfinished/.test(pending) && / 0 notifications/.test(pending), true, `everything settled within ${DRAIN_MS} ms: ${pending}`);
      const texts = [...lives.logs(), ...readAllTexts(ws.results), ...readAllTexts(dirs.sftpResults), ...readAllTexts(join(ws.data, 'results'))];
      assertInvariants({
        ledger: join(ws.data, 'ferry.db'),
        requests: target.requests,
        tempFree: [ws.root, sftp.root, ftp.root],
        dataDir: ws.data,
        texts,
        canaries: [TOKEN, NOTIFY_SECRET, sftp.password, ftp.password],
      });
      checkFiles(producer.files, batches);
      const checked: CheckedSource[] = [
        { profile: 'sftp', inbox: dirs.sftpIn, results: dirs.sftpResults, doneFiles: true },
        { profile: 'ftp', inbox: dirs.ftpIn, results: dirs.ftpResults, doneFiles: false },
        { profile: 'local', inbox: dirs.localIn, results: dirs.localResults, doneFiles: false },
      ];
      checkFolders(checked, producer.files, batches);
      checkTarget(target.requests, producer.files);
      checkNotifications(outbox, batches, received);
      assert.deepEqual(filesBelow(join(ws.data, 'staging')), [], 'staging/ is empty');
      assert.ok(memory.calm !== undefined, 'the calm phase was sampled');
      assert.ok(memory.calm.end <= memory.calm.early * RSS_GROWTH_LIMIT,
        `RSS at the end of the calm phase (${(memory.calm.end / MB).toFixed(1)} MiB) is within ${RSS_GROWTH_LIMIT}× its early level (${(memory.calm.early / MB).toFixed(1)} MiB)`);
      assert.ok(memory.peakOfLives <= RSS_BUDGET_MB * MB, `every life's peak RSS (max ${(memory.peakOfLives / MB).toFixed(1)} MiB) is under ${RSS_BUDGET_MB} MiB`);
    } finally {
      producer.stop();
      lives.abort();
      await target.close();
      for (const r of receivers.values()) await r.close();
      await sftp.close();
      await ftp.close();
      if (process.env.FERRY_SOAK_KEEP === undefined) ws.remove();
      else log(`workspace kept at ${ws.root}`);
    }
  });
});
