import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';

import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { DaemonProcess, until } from '../support/daemon-process.js';
import { runCli } from '../support/run-cli.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

interface StatusJson {
  runs: { profile: string; trigger: string; status: string }[];
  schedules: { profile: string; cron: string; timezone: string; lastDue: string; nextDue: string | null }[];
}

/** A daemon on an injected clock: FERRY_CLOCK_START, FERRY_CLOCK_RATE. */
function onClock(ws: Workspace, clockStart: string, rate: number): DaemonProcess {
  return new DaemonProcess(ws, { FERRY_CLOCK_START: clockStart, FERRY_CLOCK_RATE: String(rate) });
}

async function status(ws: Workspace): Promise<StatusJson> {
  return JSON.parse((await runCli(['status', '--json'], { env: ws.env })).stdout) as StatusJson;
}

describe('cron schedules and batch windows in the daemon (injected clock)', () => {
  let target: HttpTarget;
  let ws: Workspace;
  const daemons: DaemonProcess[] = [];
  const start = (clockStart: string, rate: number): DaemonProcess => {
    const d = onClock(ws, clockStart, rate);
    daemons.push(d);
    return d;
  };
  before(async () => {
    target = await startHttpTarget();
    ws = createWorkspace();
  });
  after(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    await target.close();
    ws.remove();
  });

  it('runs a schedule whose time falls in the skipped DST hour once, at the end of the gap', async () => {
    // 02:30 Europe/Oslo does not exist on 2026-03-29 (02:00 → 03:00); the run comes at 03:00 CEST
    ws.writeProfile('orders', ordersProfile(ws, target.url).replace('trigger: { watch: true, every: 1s }', 'trigger: { cron: "30 2 * * *", timezone: Europe/Oslo }'));
    writeOrdersCsv(join(ws.inbox, 'night.csv'), 3, 'NIGHT');
    const d = start('2026-03-29T00:59:00Z', 60);
    await until('the scheduled run', () => existsSync(join(ws.results, 'night.result.csv')));
    await until('the schedule state', async () => (await status(ws)).schedules[0]?.lastDue === '2026-03-29T01:00:00.000Z');
    const s = await status(ws);
    assert.deepEqual(s.runs.map((r) => r.trigger), ['cron'], 'one run, started by the schedule (cron alone does not poll)');
    assert.deepEqual(s.schedules, [{ profile: 'orders', cron: '30 2 * * *', timezone: 'Europe/Oslo', lastDue: '2026-03-29T01:00:00.000Z', nextDue: '2026-03-30T00:30:00.000Z' }]);
    await d.stop();
  });

  it('makes up the runs missed while the daemon was down once, at start-up, and not again', async () => {
    writeOrdersCsv(join(ws.inbox, 'missed.csv'), 2, 'MISSED');
    const d = start('2026-04-02T12:00:00Z', 1);
    await until('the make-up run', () => existsSync(join(ws.results, 'missed.result.csv')));
    await until('the schedule state', async () => (await status(ws)).schedules[0]?.lastDue === '2026-04-02T00:30:00.000Z');
    assert.match(d.log, /a scheduled run was missed while ferry was down; it is made up once/);
    await d.stop();
    const again = start('2026-04-02T12:00:05Z', 1);
    await until('the daemon to start', () => /watching sources/.test(again.log));
    await delay(1000);
    await again.stop();
    assert.deepEqual((await status(ws)).runs.map((r) => r.trigger), ['cron (make-up)', 'cron'], 'one make-up run in all');
  });

  it('does not make up missed runs with makeUpMissed: false', async () => {
    ws.writeProfile('orders', ordersProfile(ws, target.url).replace('trigger: { watch: true, every: 1s }', 'trigger: { cron: "30 2 * * *", timezone: Europe/Oslo, makeUpMissed: false }'));
    writeOrdersCsv(join(ws.inbox, 'not-made-up.csv'), 2, 'LATE');
    const d = start('2026-04-10T12:00:00Z', 1);
    await until('the daemon to start', () => /watching sources/.test(d.log));
    await delay(1500);
    await d.stop();
    assert.equal((await status(ws)).runs.length, 2, 'no new run');
    assert.ok(existsSync(join(ws.inbox, 'not-made-up.csv')), 'the file waits for the next scheduled run');
  });

  it('holds files that arrive outside the batch window until it opens', async () => {
    const w = createWorkspace();
    try {
      w.writeProfile('win', ordersProfile(w, target.url).replace('trigger: { watch: true, every: 1s }', 'trigger: { every: 1s, window: "22:00-06:00", timezone: Europe/Oslo }'));
      writeOrdersCsv(join(w.inbox, 'evening.csv'), 2, 'EVE');
      // 21:59:54 CEST; the clock runs 3× fast, so the window opens after about 2 s
      const d = onClock(w, '2026-06-10T19:59:54Z', 3);
      daemons.push(d);
      await until('the daemon to start', () => /watching sources/.test(d.log));
      await delay(700);
      assert.ok(existsSync(join(w.inbox, 'evening.csv')), 'not taken before 22:00');
      assert.ok(!existsSync(join(w.results, 'evening.result.csv')));
      await until('the run at 22:00', () => existsSync(join(w.results, 'evening.result.csv')));
      await d.stop();
    } finally {
      w.remove();
    }
  });
});
