import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { DaemonProcess, until } from '../support/daemon-process.js';
import { runCli } from '../support/run-cli.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

interface AlertJson {
  profile: string;
  kind: string;
  message: string;
}


describe('expected arrivals: late, missing, empty and unusual files (injected clock)', () => {
  let target: HttpTarget;
  let ws: Workspace;
  let daemon: DaemonProcess;
  let receiver: WebhookReceiver;
  const alerts = async (): Promise<AlertJson[]> => (JSON.parse((await runCli(['status', '--json'], { env: ws.env })).stdout) as { alerts: AlertJson[] }).alerts;

  before(async () => {
    target = await startHttpTarget();
    ws = createWorkspace();
    receiver = await startWebhookReceiver('expect-secret');
    const profile = `${ordersProfile(ws, target.url)}expect: { by: "05:00", days: [mon, tue, wed, thu, fri], timezone: Europe/Oslo, warnBefore: 30m }\nnotify:\n  - { url: "${receiver.url}", on: [file.missing], secret: expect-secret-ref, allowPrivate: true }\n`.replace('expect-secret-ref', '"${EXPECT_SECRET}"');
    ws.writeProfile('orders', profile);
    // Wednesday 04:29 in Oslo; one clock minute every 0.1 s
    daemon = new DaemonProcess(ws, { FERRY_CLOCK_START: '2026-06-10T02:29:00Z', FERRY_CLOCK_RATE: '600', EXPECT_SECRET: 'expect-secret' });
  });
  after(async () => {
    daemon.kill();
    await receiver.close();
    await target.close();
    ws.remove();
  });

  it('warns 30 minutes before the deadline and raises file.missing at 05:00 when nothing came', async () => {
    await until('the late warning', async () => (await alerts()).some((a) => a.kind === 'file.late'));
    await until('the missing alert', async () => (await alerts()).some((a) => a.kind === 'file.missing'));
    const missing = (await alerts()).find((a) => a.kind === 'file.missing');
    assert.match(missing?.message ?? '', /no file for orders arrived by 05:00 \(2026-06-10T03:00:00\.000Z\)/);
    assert.equal((await alerts()).filter((a) => a.kind === 'file.missing').length, 1, 'raised once');
    assert.match(daemon.log, /"alert":"file.missing"/);
    await until('the file.missing notification', () => receiver.delivered().length === 1);
    const hook = receiver.delivered()[0];
    assert.equal(hook?.signed, true);
    assert.equal(hook?.body.type, 'file.missing');
    assert.equal(hook?.body.expectedBy, '2026-06-10T03:00:00.000Z');
    const metrics = await (await fetch(`${await daemon.ready()}/metrics`)).text();
    assert.match(metrics, /^ferry_alerts_total\{profile="orders",kind="file.missing"\} 1$/m);
    assert.match(metrics, /^ferry_runs_in_progress 0$/m);
  });

  it('raises file.unusual for a row count far from the usual and file.empty for a file without rows', async () => {
    for (const [i, rows] of [10, 12, 11, 60].entries()) {
      writeOrdersCsv(join(ws.inbox, `day-${i}.csv`), rows, `D${i}`);
      await until(`file ${i}`, () => existsSync(join(ws.inbox, 'processed', `day-${i}.csv`)));
    }
    await until('the unusual alert', async () => (await alerts()).some((a) => a.kind === 'file.unusual'));
    assert.match((await alerts()).find((a) => a.kind === 'file.unusual')?.message ?? '', /day-3\.csv has 60 rows; the last 3 files had 11 in the middle/);
    writeOrdersCsv(join(ws.inbox, 'empty.csv'), 0, 'E');
    await until('the empty alert', async () => (await alerts()).some((a) => a.kind === 'file.empty'));
    const metrics = await (await fetch(`${await daemon.ready()}/metrics`)).text();
    assert.match(metrics, /^ferry_batches_total\{profile="orders",status="completed"\} 5$/m, 'the empty file completes with no rows');
    assert.match(metrics, /^ferry_rows_total\{profile="orders",outcome="delivered"\} 93$/m);
    assert.match(metrics, /^ferry_alerts_total\{profile="orders",kind="file.unusual"\} 1$/m);
  });
});
