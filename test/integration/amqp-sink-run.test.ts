/**
 * `ferry run` with an AMQP target against the RabbitMQ server: messages and the result file, an
 * unroutable routing key, the connection cut in the middle of a batch, and a SIGKILL between
 * publish and confirm. Each test has its own exchange and queue, deleted after it.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startFaultProxy } from '../support/fault-proxy.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { AMQP_PORT, AMQP_URL, BUS_CONNECTIONS, openTestBroker, type SeenMessage, type TestBroker, uniqueName, urlVia, withAmqpTarget } from '../support/rabbitmq.js';
import { runCli } from '../support/run-cli.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

interface ResultLine {
  readonly row: string;
  readonly status: string;
  readonly key: string;
  readonly targetId: string;
  readonly error: string;
}

/** The lines of a result file (`row;status;key;targetId;error`, windows-1252, CRLF) without the header; none when it is missing. */
function resultLines(ws: Workspace, name: string): ResultLine[] {
  const path = join(ws.results, name);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'latin1').trim().split('\r\n').slice(1).map((l) => {
    const [row = '', status = '', key = '', targetId = '', ...error] = l.split(';');
    return { row, status, key, targetId, error: error.join(';') };
  });
}

function orderIdOf(m: SeenMessage): string {
  return (JSON.parse(m.body) as { orderId: string }).orderId;
}

/** Every message id with the bodies it came with: a resend must carry the same body under the same id. */
function bodiesById(messages: readonly SeenMessage[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const m of messages) out.set(m.id ?? '', (out.get(m.id ?? '') ?? new Set()).add(m.body));
  return out;
}

describe('ferry run with an AMQP target (RabbitMQ)', () => {
  let broker: TestBroker;
  const workspaces: Workspace[] = [];
  before(async () => {
    broker = await openTestBroker();
  });
  after(async () => {
    await broker.cleanup();
    for (const ws of workspaces) ws.remove();
  });

  async function setup(what: string, target: { routingKey?: string; batchSize?: number; perMessage?: 'record' | 'batch'; traceHeaders?: boolean } = {}): Promise<{ ws: Workspace; queue: string }> {
    const exchange = uniqueName(`${what}-x`);
    const queue = uniqueName(`${what}-q`);
    await broker.exchange(exchange);
    await broker.queue(queue, { exchange, routingKey: 'work-orders' });
    const ws = createWorkspace();
    workspaces.push(ws);
    ws.writeProfile('orders', withAmqpTarget(ordersProfile(ws, 'http://127.0.0.1:9'), { exchange, routingKey: target.routingKey ?? 'work-orders', ...target }));
    writeFileSync(join(ws.profiles, 'connections.yaml'), BUS_CONNECTIONS);
    return { ws, queue };
  }

  it('publishes every record as a persistent JSON message with its idempotency key as message_id; the result file names it', async () => {
    const { ws, queue } = await setup('run', { traceHeaders: true });
    writeOrdersCsv(join(ws.inbox, 'orders.csv'), 25, 'MES');
    const r = await runCli(['run', 'orders', '--json'], { env: { ...ws.env, FERRY_TEST_BUS_URL: AMQP_URL } });
    assert.equal(r.code, 0, r.stderr);
    const got = await broker.drain(queue);
    assert.equal(got.length, 25);
    assert.deepEqual(got.map(orderIdOf), Array.from({ length: 25 }, (_, i) => `MES-${String(i + 1).padStart(5, '0')}`), 'in source order');
    for (const m of got) {
      assert.match(m.id ?? '', /^ferry-[0-9a-f]{40}\.\d$/, 'chunk key + position');
      assert.equal(m.persistent, true);
      assert.equal(m.contentType, 'application/json');
      assert.equal(m.headers['x-ferry-file'], 'orders.csv');
    }
    assert.equal(new Set(got.map((m) => m.id)).size, 25);
    assert.equal(new Set(got.map((m) => m.id?.split('.')[0])).size, 3, 'batchSize 10: three chunks, three keys');
    const idOf = new Map(got.map((m) => [orderIdOf(m), m.id ?? '']));
    const lines = resultLines(ws, 'orders.result.csv');
    assert.equal(lines.length, 25);
    for (const l of lines) {
      assert.equal(l.status, 'delivered');
      assert.equal(l.targetId, idOf.get(l.key), `row ${l.row}: the result names the message`);
    }
  });

  it('records whose message no queue is bound for fail in the result file; the batch is partial', async () => {
    const { ws, queue } = await setup('noroute', { routingKey: 'nobody-listens' });
    writeOrdersCsv(join(ws.inbox, 'lost.csv'), 12, 'NR');
    const r = await runCli(['run', 'orders', '--json'], { env: { ...ws.env, FERRY_TEST_BUS_URL: AMQP_URL } });
    assert.equal(r.code, 3, `exit 3 (partial): ${r.stderr}`);
    const run = JSON.parse(r.stdout) as { batches: { status: string; rows: { failed: number } }[] };
    assert.equal(run.batches[0]?.status, 'partial');
    assert.equal(run.batches[0]?.rows.failed, 12);
    assert.deepEqual(await broker.drain(queue), []);
    const lines = resultLines(ws, 'lost.result.csv');
    assert.equal(lines.length, 12);
    for (const l of lines) {
      assert.equal(l.status, 'failed');
      assert.match(l.error, /returned the message as unroutable \(312 NO_ROUTE\): no queue is bound to exchange '[^']+' with routing key 'nobody-listens' \[E_TARGET_UNROUTABLE\]/);
    }
  });

  it('the connection cut in the middle of a batch: the batch completes, every record arrives, a duplicate only under the same id', async () => {
    const { ws, queue } = await setup('cut', { batchSize: 50 });
    writeOrdersCsv(join(ws.inbox, 'big.csv'), 300, 'CUT');
    const proxy = await startFaultProxy(AMQP_PORT);
    try {
      // about a third of the way through the messages the client sends
      proxy.cutAfterBytes(40_000, 'client');
      const r = await runCli(['run', 'orders', '--json'], { env: { ...ws.env, FERRY_TEST_BUS_URL: urlVia(proxy.port), FERRY_LOG_LEVEL: 'warn' } });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /publishing to the broker failed; retrying/, 'the cut happened during the batch');
      assert.doesNotMatch(r.stderr, /guest@/, 'the URL with its password is never logged');
    } finally {
      await proxy.close();
    }
    const got = await broker.drain(queue);
    const byId = bodiesById(got);
    assert.equal(byId.size, 300, 'every record arrived');
    for (const [id, bodies] of byId) assert.equal(bodies.size, 1, `${id}: resent with the same body`);
    assert.equal(new Set(got.map(orderIdOf)).size, 300);
    const lines = resultLines(ws, 'big.result.csv');
    assert.equal(lines.filter((l) => l.status === 'delivered').length, 300);
  });

  it('a SIGKILL between publish and confirm: the next run resends that chunk with the same message ids', async () => {
    const { ws, queue } = await setup('crash', { batchSize: 10 });
    writeOrdersCsv(join(ws.inbox, 'crash.csv'), 45, 'CR');
    const env = { ...ws.env, FERRY_TEST_BUS_URL: AMQP_URL };
    const killed = await runCli(['run', 'orders', '--json'], { env: { ...env, FERRY_CRASHPOINT: 'amqp-after-publish:3' } });
    assert.equal(killed.signal, 'SIGKILL', `killed at the third chunk's first confirm: ${killed.stderr}`);
    const before = await broker.drain(queue);
    const resumed = await runCli(['run', 'orders', '--json'], { env });
    assert.equal(resumed.code, 0, resumed.stderr);
    const later = await broker.drain(queue);
    const all = [...before, ...later];
    const byId = bodiesById(all);
    assert.equal(byId.size, 45, 'every record, under 45 ids');
    for (const [id, bodies] of byId) assert.equal(bodies.size, 1, `${id}: the same body under the same id`);
    const resent = [...new Set(later.map((m) => m.id))].filter((id) => before.some((m) => m.id === id));
    assert.ok(resent.length >= 1, 'the broker had part of the killed chunk, and it came again under the same ids');
    assert.equal(new Set(resent.map((id) => id?.split('.')[0])).size, 1, 'only the chunk that was not checkpointed is resent');
    assert.equal(resultLines(ws, 'crash.result.csv').filter((l) => l.status === 'delivered').length, 45);
  });
});
