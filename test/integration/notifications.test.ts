import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { DaemonProcess, until } from '../support/daemon-process.js';
import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { runCli } from '../support/run-cli.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

const SECRET = 'notify-secret-4e2a';

function withNotify(yaml: string, url: string, extra = ''): string {
  return `${yaml}notify:\n  - { url: "${url}", secret: "\${NOTIFY_SECRET}", allowPrivate: true${extra} }\n`;
}

describe('notifications to customer servers (outbox, signatures, retries, 410, dead letters)', () => {
  let target: HttpTarget;
  let receiver: WebhookReceiver;
  let ws: Workspace;
  let env: Record<string, string>;
  before(async () => {
    target = await startHttpTarget();
    receiver = await startWebhookReceiver(SECRET);
    ws = createWorkspace();
    env = { ...ws.env, NOTIFY_SECRET: SECRET };
  });
  after(async () => {
    await target.close();
    await receiver.close();
    ws.remove();
  });

  it('sends signed file.received and batch events after ferry run, with the body of the contract', async () => {
    ws.writeProfile('orders', withNotify(ordersProfile(ws, target.url), receiver.url));
    writeOrdersCsv(join(ws.inbox, 'n1.csv'), 3, 'N1');
    const r = await runCli(['run', 'orders', '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    const batch = (JSON.parse(r.stdout) as { batches: { id: string }[] }).batches[0]?.id;
    await until('two notifications', () => receiver.delivered().length >= 2);
    const events = receiver.delivered().map((h) => h.body.type);
    assert.deepEqual(events, ['file.received', 'batch.completed']);
    assert.ok(receiver.delivered().every((h) => h.signed), 'every delivery carries a valid signature');
    const done = receiver.delivered()[1]?.body;
    assert.equal(done?.profile, 'orders');
    assert.equal(done?.batch, batch);
    assert.equal(done?.file, 'n1.csv');
    assert.deepEqual(done?.rows, { total: 3, delivered: 3, rejected: 0, failed: 0, skipped: 0 });
    assert.match(String(done?.resultFile), /n1\.result\.csv$/);
    assert.match(String(done?.at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.doesNotMatch(r.stderr, new RegExp(SECRET), 'no secret in the log');
  });

  it('retries a failing endpoint with the same webhook-id until it answers, after the batch has settled', async () => {
    receiver.clear();
    receiver.script([500, 503, 200, 500, 200]);
    writeOrdersCsv(join(ws.inbox, 'n2.csv'), 2, 'N2');
    const daemon = new DaemonProcess(ws, { NOTIFY_SECRET: SECRET, FERRY_NOTIFY_BASE_DELAY: '100' });
    try {
      await until('both events delivered', () => receiver.delivered().length >= 2, 30_000);
      const byId = new Map<string, number[]>();
      for (const h of receiver.received) byId.set(h.id, [...(byId.get(h.id) ?? []), h.status]);
      assert.equal(byId.size, 2, 'file.received and batch.completed');
      for (const [id, statuses] of byId) assert.deepEqual(statuses.slice(-1), [200], `${id} ends delivered, each attempt under the same webhook-id`);
      assert.equal([...byId.values()].flat().filter((x) => x !== 200).length, 3, 'the three failures were retried');
      assert.ok(receiver.received.every((h) => h.signed));
      const status = JSON.parse((await runCli(['status', '--json'], { env })).stdout) as { batches: { file: string; status: string }[] };
      assert.equal(status.batches.find((b) => b.file === 'n2.csv')?.status, 'completed', 'delivery did not change the outcome');
    } finally {
      await daemon.stop();
    }
  });

  it('disables an endpoint that answers 410, and dead-letters what cannot be delivered in time; replay keeps the webhook-id', async () => {
    receiver.clear();
    receiver.script(() => 410);
    writeOrdersCsv(join(ws.inbox, 'n3.csv'), 1, 'N3');
    let r = await runCli(['run', 'orders'], { env });
    assert.equal(r.code, 0, r.stderr);
    let list = JSON.parse((await runCli(['notifications', '--json'], { env })).stdout) as { notifications: { id: string; state: string; event: string }[]; disabledEndpoints: { url: string; reason: string }[] };
    assert.equal(list.disabledEndpoints[0]?.url, receiver.url);
    assert.match(list.disabledEndpoints[0]?.reason ?? '', /410/);
    const disabled = list.notifications.filter((n) => n.state === 'disabled');
    assert.ok(disabled.length >= 2, 'the 410 and the notification behind it');
    const attemptsBefore = receiver.received.length;

    receiver.script([]);
    const replayed = disabled.find((n) => n.event === 'batch.completed');
    assert.ok(replayed);
    r = await runCli(['notifications', 'replay', replayed.id], { env });
    assert.equal(r.code, 0, r.stderr);
    const daemon = new DaemonProcess(ws, { NOTIFY_SECRET: SECRET });
    try {
      await until('the replayed notification', () => receiver.delivered().some((h) => h.id === replayed.id));
      assert.equal(receiver.received.length, attemptsBefore + 1, 'only the replayed one is sent; the endpoint is enabled again');
    } finally {
      await daemon.stop();
    }

    ws.writeProfile('orders', withNotify(ordersProfile(ws, target.url), receiver.url, ', retryFor: 1s'));
    receiver.script(() => 500);
    writeOrdersCsv(join(ws.inbox, 'n4.csv'), 1, 'N4');
    await runCli(['run', 'orders'], { env });
    const d2 = new DaemonProcess(ws, { NOTIFY_SECRET: SECRET, FERRY_NOTIFY_BASE_DELAY: '400', FERRY_ADMIN_TOKENS: 'admin-7' });
    try {
      await until('dead letters', async () => {
        const s = JSON.parse((await runCli(['status', '--json'], { env })).stdout) as { notifications: { dead: { event: string }[] } };
        return s.notifications.dead.some((n) => n.event === 'batch.completed');
      }, 20_000);
      // the API shows them and replays one with the same webhook-id
      const base = await d2.ready();
      const auth = { authorization: 'Bearer admin-7' };
      assert.equal((await fetch(`${base}/api/notifications?state=dead`)).status, 401);
      const dead = (await (await fetch(`${base}/api/notifications?state=dead`, { headers: auth })).json()) as { notifications: { id: string; event: string; lastError: string }[] };
      const one = dead.notifications.find((n) => n.event === 'batch.completed');
      assert.ok(one);
      assert.match(one.lastError, /gave up after \d+ attempts: HTTP 500/);
      receiver.script([]);
      const replay = await fetch(`${base}/api/notifications/${one.id}/replay`, { method: 'POST', headers: auth });
      assert.equal(replay.status, 202);
      await until('the replayed dead letter', () => receiver.delivered().some((h) => h.id === one.id));
      receiver.script(() => 500);
    } finally {
      await d2.stop();
    }
    list = JSON.parse((await runCli(['notifications', '--state', 'dead', '--json'], { env })).stdout) as typeof list;
    assert.ok(list.notifications.length >= 1);
    const status = await runCli(['status'], { env });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /dead-lettered \(ferry notifications replay <id>\)/);
  });

  it('refuses a notification URL on a private address without allowPrivate (ferry check)', async () => {
    const w = createWorkspace();
    try {
      w.writeProfile('leaky', `${ordersProfile(w, target.url)}notify:\n  - { url: "http://169.254.169.254/latest/meta-data" }\n  - { url: "http://localhost:8080/x" }\n`);
      const r = await runCli(['check'], { env: w.env });
      assert.equal(r.code, 2);
      assert.match(r.stdout + r.stderr, /notify\[0\]\.url: 169\.254\.169\.254 is a loopback, private or link-local address; notifications go there only with allowPrivate: true/);
      assert.match(r.stdout + r.stderr, /notify\[1\]\.url: localhost is a loopback/);
    } finally {
      w.remove();
    }
  });

  it('writes each event once, whatever point a crash hits (the outbox commits with the state change)', async () => {
    for (const point of ['after-stage', 'after-result', 'before-settle']) {
      const w = createWorkspace();
      try {
        w.writeProfile('orders', withNotify(ordersProfile(w, target.url), receiver.url));
        writeOrdersCsv(join(w.inbox, 'c.csv'), 2, 'C');
        const wenv = { ...w.env, NOTIFY_SECRET: SECRET };
        const killed = await runCli(['run', 'orders'], { env: { ...wenv, FERRY_CRASHPOINT: point } });
        assert.equal(killed.signal, 'SIGKILL', point);
        const again = await runCli(['run', 'orders'], { env: wenv });
        assert.equal(again.code, 0, again.stderr);
        const list = JSON.parse((await runCli(['notifications', '--json'], { env: wenv })).stdout) as { notifications: { event: string; batch: string }[] };
        assert.deepEqual(list.notifications.map((n) => n.event).sort(), ['batch.completed', 'file.received'], `${point}: one of each`);
      } finally {
        w.remove();
      }
    }
  });

  it('gives up on an endpoint that hangs after its timeout and tries again (one webhook-id)', async () => {
    const w = createWorkspace();
    const slow = await startWebhookReceiver(SECRET);
    try {
      w.writeProfile('orders', withNotify(ordersProfile(w, target.url), slow.url, ', on: [batch.completed], timeout: 1s'));
      slow.script(['hang', 200]);
      writeOrdersCsv(join(w.inbox, 'h.csv'), 1, 'H');
      const daemon = new DaemonProcess(w, { NOTIFY_SECRET: SECRET, FERRY_NOTIFY_BASE_DELAY: '100' });
      try {
        await until('the second attempt', () => slow.delivered().length === 1, 20_000);
      } finally {
        await daemon.stop();
      }
      assert.equal(slow.received.length, 2);
      assert.equal(slow.received[0]?.id, slow.received[1]?.id);
    } finally {
      await slow.close();
      w.remove();
    }
  });

  it('sends a notification again soon after a restart when the daemon was killed while sending it', async () => {
    const w = createWorkspace();
    const slow = await startWebhookReceiver(SECRET);
    try {
      w.writeProfile('orders', withNotify(ordersProfile(w, target.url), slow.url, ', on: [batch.completed], timeout: 60s'));
      slow.script(['hang', 200]);
      writeOrdersCsv(join(w.inbox, 'k.csv'), 1, 'K');
      const first = new DaemonProcess(w, { NOTIFY_SECRET: SECRET });
      await until('the first attempt in flight', () => slow.received.length === 1, 20_000);
      first.kill();
      await first.stop();
      const restartedAt = Date.now();
      const second = new DaemonProcess(w, { NOTIFY_SECRET: SECRET });
      try {
        // without releasing the dead sender's hold the next attempt would wait a minute
        await until('the notification sent again', () => slow.delivered().length === 1, 20_000);
      } finally {
        await second.stop();
      }
      assert.ok(Date.now() - restartedAt < 20_000);
      assert.equal(slow.received.length, 2);
      assert.equal(slow.received[0]?.id, slow.received[1]?.id, 'the same webhook-id');
    } finally {
      await slow.close();
      w.remove();
    }
  });

  it('keeps trying an endpoint that refuses connections, and delivers once it is up', async () => {
    const w = createWorkspace();
    const probe = await startWebhookReceiver(SECRET);
    const port = Number(new URL(probe.url).port);
    await probe.close();
    try {
      w.writeProfile('orders', withNotify(ordersProfile(w, target.url), `http://127.0.0.1:${port}/hooks/ferry`, ', on: [batch.completed]'));
      writeOrdersCsv(join(w.inbox, 'r.csv'), 1, 'R');
      const r = await runCli(['run', 'orders'], { env: { ...w.env, NOTIFY_SECRET: SECRET } });
      assert.equal(r.code, 0, 'the batch completes while the endpoint is down');
      const waiting = JSON.parse((await runCli(['notifications', '--json'], { env: w.env })).stdout) as { notifications: { id: string; state: string; lastError: string }[] };
      assert.equal(waiting.notifications[0]?.state, 'pending');
      assert.match(waiting.notifications[0]?.lastError ?? '', /ECONNREFUSED/);
      const up = await startWebhookReceiver(SECRET, port);
      const daemon = new DaemonProcess(w, { NOTIFY_SECRET: SECRET, FERRY_NOTIFY_BASE_DELAY: '100' });
      try {
        await until('delivery once the endpoint is up', () => up.delivered().length === 1, 30_000);
        assert.equal(up.delivered()[0]?.id, waiting.notifications[0]?.id, 'the same webhook-id');
      } finally {
        await daemon.stop();
        await up.close();
      }
    } finally {
      w.remove();
    }
  });
});
