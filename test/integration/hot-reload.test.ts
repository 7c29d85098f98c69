import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';

import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { DaemonProcess, until } from '../support/daemon-process.js';
import { runCli } from '../support/run-cli.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

describe('hot reload of profiles in the running daemon', () => {
  let target: HttpTarget;
  let ws: Workspace;
  let daemon: DaemonProcess;
  let base = '';
  const tagged = (tag: string): string => base.replace('key: [orderId]', `  edition:   { value: "${tag}" }\nkey: [orderId]`);
  const editions = (prefix: string): string[] => [...new Set((target.acceptedRecords() as { orderId: string; edition?: string }[]).filter((r) => r.orderId.startsWith(prefix)).map((r) => r.edition ?? 'none'))];
  const healthz = async (): Promise<{ status: string; invalidProfiles: { profile: string; problems: string[] }[] }> => {
    return (await fetch(`${await daemon.ready()}/healthz`)).json() as Promise<{ status: string; invalidProfiles: { profile: string; problems: string[] }[] }>;
  };

  before(async () => {
    target = await startHttpTarget();
    ws = createWorkspace();
    base = ordersProfile(ws, target.url);
    ws.writeProfile('orders', tagged('v1'));
    daemon = new DaemonProcess(ws, { FERRY_RELOAD_DEBOUNCE: '100' });
    await daemon.ready();
  });
  after(async () => {
    daemon.kill();
    await target.close();
    ws.remove();
  });

  it('runs an edited profile with its new version, without a restart', async () => {
    writeOrdersCsv(join(ws.inbox, 'one.csv'), 2, 'ONE');
    await until('the first file', () => existsSync(join(ws.inbox, 'processed', 'one.csv')));
    assert.deepEqual(editions('ONE'), ['v1']);
    ws.writeProfile('orders', tagged('v2'));
    await until('the reload', () => /profile reloaded/.test(daemon.log));
    writeOrdersCsv(join(ws.inbox, 'two.csv'), 2, 'TWO');
    await until('the second file', () => existsSync(join(ws.inbox, 'processed', 'two.csv')));
    assert.deepEqual(editions('TWO'), ['v2']);
    const status = JSON.parse((await runCli(['status', '--json'], { env: ws.env })).stdout) as { batches: { file: string; profileVersion: { number: number } }[] };
    assert.equal(status.batches.find((b) => b.file === 'two.csv')?.profileVersion.number, 2);
  });

  it('keeps the last valid version running when an edit is invalid, and says so in /healthz and ferry status', async () => {
    ws.writeProfile('orders', tagged('v3').replace('type: integer, min: 1', 'type: integr, min: 1'));
    await until('the problem in /healthz', async () => (await healthz()).invalidProfiles.length === 1);
    const health = await healthz();
    assert.equal(health.status, 'degraded');
    assert.match(health.invalidProfiles[0]?.problems[0] ?? '', /orders\.yaml:\d+ fields\.qty\.type: /);
    const status = await runCli(['status'], { env: ws.env });
    assert.match(status.stdout, /Invalid profiles \(the daemon keeps running their last valid version\):\n.*fields\.qty\.type/);
    writeOrdersCsv(join(ws.inbox, 'three.csv'), 2, 'THREE');
    await until('the third file', () => existsSync(join(ws.inbox, 'processed', 'three.csv')));
    assert.deepEqual(editions('THREE'), ['v2'], 'the last valid version ran');
    ws.writeProfile('orders', tagged('v4'));
    await until('the fix to clear the problem', async () => (await healthz()).invalidProfiles.length === 0);
    assert.equal((await healthz()).status, 'ok');
  });

  it('starts an added profile and stops a removed one', async () => {
    const inbox2 = join(ws.root, 'inbox2');
    mkdirSync(inbox2, { recursive: true });
    ws.writeProfile('second', base.replaceAll(ws.inbox, inbox2));
    writeOrdersCsv(join(inbox2, 'added.csv'), 2, 'ADDED');
    await until('the added profile to take its file', () => existsSync(join(inbox2, 'processed', 'added.csv')));
    rmSync(join(ws.profiles, 'second.yaml'));
    await until('the profile to stop', () => /profile stopped: its file was removed/.test(daemon.log));
    writeOrdersCsv(join(inbox2, 'after-removal.csv'), 2, 'GONE');
    await delay(2000);
    assert.ok(existsSync(join(inbox2, 'after-removal.csv')), 'a removed profile takes no more files');
  });
});
