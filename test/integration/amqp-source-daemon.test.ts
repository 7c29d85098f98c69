/**
 * The daemon with queues of the RabbitMQ server: `source.type: amqp` (each message a batch file,
 * acknowledged once its batch settled, a redelivery not processed twice, also after a SIGKILL
 * before the ack) and `trigger.queue` (a message starts a run, acknowledged once the run was
 * taken). Every queue and exchange is the test's own and is deleted after it.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';

import { DaemonProcess, until as untilWithin } from '../support/daemon-process.js';
import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { AMQP_URL, BUS_CONNECTIONS, openTestBroker, type TestBroker, uniqueName, withAmqpTarget } from '../support/rabbitmq.js';
import { runCli } from '../support/run-cli.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

interface StatusJson {
  runs: { id: string; profile: string; trigger: string; status: string }[];
  batches: { id: string; profile: string; file: string; state: string; status: string; rows: { total: number; delivered: number } }[];
}

async function status(ws: Workspace): Promise<StatusJson> {
  return JSON.parse((await runCli(['status', '--json'], { env: ws.env })).stdout) as StatusJson;
}

function ordersCsv(ws: Workspace, rows: number, prefix: string): Buffer {
  const path = join(ws.root, `${prefix}.csv`);
  writeOrdersCsv(path, rows, prefix);
  return readFileSync(path);
}

/** A profile whose batch files are the messages of `queue`, delivered to the HTTP target. */
function queueSourceProfile(ws: Workspace, url: string, queue: string): string {
  return ordersProfile(ws, url)
    .replace(/source:\n(?: {2}.*\n)+/, `source:\n  type: amqp\n  connection: bus\n  queue: ${queue}\n`)
    .replace('trigger: { watch: true, every: 1s }\n', '');
}

/** rabbitmqctl and `ferry status` take about a second each: a loaded CI machine gets a minute. */
function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  return untilWithin(what, check, 60_000);
}

async function settled(broker: TestBroker, queue: string): Promise<boolean> {
  const d = await broker.depth(queue);
  return d.ready === 0 && d.unacked === 0;
}

describe('daemon: an amqp source and a queue trigger (RabbitMQ)', () => {
  let target: HttpTarget;
  let broker: TestBroker;
  let ws: Workspace;
  let daemon: DaemonProcess;
  const sourceQueue = uniqueName('src-q');
  const triggerQueue = uniqueName('trg-q');
  const exchange = uniqueName('trg-x');
  const outQueue = uniqueName('trg-out');

  before(async () => {
    target = await startHttpTarget();
    broker = await openTestBroker();
    await broker.queue(sourceQueue);
    await broker.queue(triggerQueue);
    await broker.exchange(exchange);
    await broker.queue(outQueue, { exchange, routingKey: 'orders' });
    ws = createWorkspace();
    ws.writeProfile('mes-in', queueSourceProfile(ws, target.url, sourceQueue));
    const inbox = join(ws.root, 'queued-inbox');
    mkdirSync(inbox, { recursive: true });
    ws.writeProfile('queued', withAmqpTarget(ordersProfile(ws, target.url), { exchange, routingKey: 'orders' })
      .replaceAll(ws.inbox, inbox)
      .replace('trigger: { watch: true, every: 1s }', `trigger: { queue: { connection: bus, name: ${triggerQueue} } }`));
    writeFileSync(join(ws.profiles, 'connections.yaml'), BUS_CONNECTIONS);
    daemon = new DaemonProcess(ws, { FERRY_TEST_BUS_URL: AMQP_URL });
    await daemon.ready();
  });
  after(async () => {
    await daemon.stop();
    await broker.cleanup();
    await target.close();
    ws.remove();
  });

  it('takes a message as a batch file, acknowledges it once the batch settled, and acknowledges a redelivery without processing it again', async () => {
    const body = ordersCsv(ws, 5, 'WO');
    await broker.send(sourceQueue, body, { messageId: 'wo-0001', headers: { 'x-file-name': 'work-orders-1.csv' } });
    await until('the batch to settle and the message to be acknowledged', async () => target.acceptedRecords().length === 5 && (await settled(broker, sourceQueue)));
    const batches = (await status(ws)).batches.filter((b) => b.profile === 'mes-in');
    assert.equal(batches.length, 1);
    assert.equal(batches[0]?.file, 'work-orders-1.csv');
    assert.equal(batches[0]?.state, 'done');
    assert.equal(batches[0]?.status, 'completed');
    assert.ok(existsSync(join(ws.results, 'work-orders-1.result.csv')), 'the result file, as for any batch');
    assert.deepEqual(ws.files(join(ws.data, 'uploads')), [], 'the message body is archived, not left in uploads');

    // the same message again (a publisher retry, or a redelivery after a lost ack)
    await broker.send(sourceQueue, body, { messageId: 'wo-0001', headers: { 'x-file-name': 'work-orders-1.csv' } });
    await until('the redelivery to be acknowledged', () => settled(broker, sourceQueue));
    await delay(300);
    assert.equal(target.acceptedRecords().length, 5, 'nothing sent twice');
    assert.equal((await status(ws)).batches.filter((b) => b.profile === 'mes-in').length, 1, 'no second batch');
    assert.match(daemon.log, /this message was processed before/);

    // the same file under another message id: the same content, recognised as for a dropped file
    await broker.send(sourceQueue, body, { messageId: 'wo-0002', headers: { 'x-file-name': 'work-orders-1-again.csv' } });
    await until('the copy to be acknowledged', async () => (await status(ws)).batches.some((b) => b.file === 'work-orders-1-again.csv' && b.state === 'done') && (await settled(broker, sourceQueue)));
    assert.equal((await status(ws)).batches.find((b) => b.file === 'work-orders-1-again.csv')?.status, 'skipped');
    assert.equal(target.acceptedRecords().length, 5, 'its records are not sent again');
  });

  it('a message on the trigger queue starts a run of a folder profile, acknowledged once the run was taken', async () => {
    const inbox = join(ws.root, 'queued-inbox');
    writeOrdersCsv(join(inbox, 'queued.csv'), 4, 'Q');
    await delay(1200);
    assert.ok(existsSync(join(inbox, 'queued.csv')), 'a queue-triggered profile does not poll');
    await broker.send(triggerQueue, '{}', { contentType: 'application/json', messageId: 'go-1' });
    await until('the run to deliver to the exchange', async () => (await broker.depth(outQueue)).ready === 4);
    await until('the file to be settled', () => existsSync(join(inbox, 'processed', 'queued.csv')));
    assert.ok(await settled(broker, triggerQueue), 'the trigger message was acknowledged');
    const runs = (await status(ws)).runs.filter((r) => r.profile === 'queued');
    assert.deepEqual(runs.map((r) => r.trigger), ['queue']);
    assert.equal((await broker.drain(outQueue)).length, 4);
  });

  it('rejects a trigger message whose parameters do not fit the profile (not requeued)', async () => {
    await broker.send(triggerQueue, '{"params": {"nope": "x"}}', { contentType: 'application/json', messageId: 'bad-1' });
    await until('the message to be rejected', () => /a trigger message was rejected/.test(daemon.log));
    await until('the queue to be empty', () => settled(broker, triggerQueue));
    assert.equal((await status(ws)).runs.filter((r) => r.profile === 'queued').length, 1, 'no run for it');
  });
});

describe('daemon: SIGKILL after an amqp batch settled, before its message was acknowledged', () => {
  let target: HttpTarget;
  let broker: TestBroker;
  let ws: Workspace;
  const queue = uniqueName('crash-src-q');

  before(async () => {
    target = await startHttpTarget();
    broker = await openTestBroker();
    await broker.queue(queue);
    ws = createWorkspace();
    ws.writeProfile('mes-in', queueSourceProfile(ws, target.url, queue));
    writeFileSync(join(ws.profiles, 'connections.yaml'), BUS_CONNECTIONS);
  });
  after(async () => {
    await broker.cleanup();
    await target.close();
    ws.remove();
  });

  it('the message comes back after the restart and is acknowledged without a second batch', async () => {
    const first = new DaemonProcess(ws, { FERRY_TEST_BUS_URL: AMQP_URL, FERRY_CRASHPOINT: 'amqp-before-ack' });
    try {
      await first.ready();
      await broker.send(queue, ordersCsv(ws, 6, 'KILL'), { messageId: 'wo-kill' });
      await until('the daemon to be killed before the ack', () => first.proc.signalCode === 'SIGKILL');
    } finally {
      first.kill();
    }
    assert.equal(target.acceptedRecords().length, 6);
    await until('the unacknowledged message to be back in the queue', async () => (await broker.depth(queue)).ready === 1);

    const second = new DaemonProcess(ws, { FERRY_TEST_BUS_URL: AMQP_URL });
    try {
      await second.ready();
      await until('the redelivered message to be acknowledged', () => settled(broker, queue));
      await delay(300);
      assert.equal(target.acceptedRecords().length, 6, 'no record sent twice');
      const batches = (await status(ws)).batches.filter((b) => b.profile === 'mes-in');
      assert.equal(batches.length, 1, 'one batch for the message');
      assert.equal(batches[0]?.status, 'completed');
      assert.match(second.log, /this message was processed before/);
    } finally {
      await second.stop();
    }
  });
});
