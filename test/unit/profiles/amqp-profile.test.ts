/**
 * What `ferry check` says about AMQP connections, targets, sources and queue triggers; and that
 * a valid one loads with its connections looked up by role.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { formatProblem, loadProfileSet } from '../../../src/profiles/load.js';
import type { ProfileSet } from '../../../src/profiles/types.js';

const CONNECTIONS = 'bus:\n  type: amqp\n  url: "${BUS_URL}"\n  heartbeat: 30s\ndrop:\n  type: local\n  root: /tmp\n';
const FIELDS = 'fields:\n  orderId: { from: "Order No" }\n';

async function load(files: Record<string, string>, connections = CONNECTIONS): Promise<{ set: ProfileSet; lines: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-amqp-check-'));
  try {
    writeFileSync(join(dir, 'connections.yaml'), connections);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, `${name}.yaml`), text);
    const set = await loadProfileSet(dir, { env: { BUS_URL: 'amqp://ferry:s3cret@mq.example.com:5672/plant' } });
    return { set, lines: set.problems.map((p) => formatProblem(p).replace(/^.*?(\w[\w-]*\.yaml:)/, '$1')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a valid amqp target, source and queue trigger load, with each connection by role', async () => {
  const { set, lines } = await load({
    out: `version: 1\nsource: { type: local, dir: /tmp/in }\ntrigger: { queue: { connection: bus, name: mes.go } }\n${FIELDS}target:\n  type: amqp\n  connection: bus\n  exchange: mes\n  routingKey: work-orders\n  batchSize: 200\n  perMessage: batch\n  headers: { x-tenant: acme, x-version: 2 }\n`,
    in: `version: 1\nsource: { type: amqp, connection: bus, queue: erp.orders }\nformat: { type: json }\n${FIELDS}target: { type: amqp, connection: bus, exchange: "", routingKey: orders.in }\n`,
  });
  assert.deepEqual(lines, []);
  const out = set.profiles.get('out');
  assert.equal(out?.connections.target?.type, 'amqp');
  assert.equal(out?.connections.trigger?.type, 'amqp');
  assert.equal(set.profiles.get('in')?.connections.source?.type, 'amqp');
});

test('check names what is wrong with an amqp target, source and trigger, and what is allowed', async () => {
  const { lines } = await load({
    a: `version: 1\nsource: { type: amqp, dir: /x }\n${FIELDS}target:\n  type: amqp\n  connection: bus\n  perMessage: each\n  mandatroy: true\n`,
    b: `version: 1\nsource: { type: local, dir: /tmp, queue: q }\n${FIELDS}target: { type: amqp, connection: drop, exchange: x }\n`,
    c: `version: 1\nsource: { type: amqp, connection: bus, queue: q }\ntrigger: { queue: { connection: bus, name: q2 } }\n${FIELDS}target: { type: amqp, connection: bus, exchange: x }\n`,
    d: `version: 1\nsource: { type: local, dir: /tmp }\ntrigger: { queue: { connection: nobus, name: q } }\n${FIELDS}target: { type: kafka }\n`,
    e: `version: 1\nsource: { type: local, dir: /tmp }\n${FIELDS}target: { type: amqp, connection: bus, exchange: x }\nresults: { to: { connection: bus, dir: /out } }\n`,
  });
  const expected = [
    'a.yaml:2 source.connection: is required for an amqp source: the broker (a type: amqp connection)',
    'a.yaml:2 source.queue: is required for an amqp source: the queue whose messages are the batch files',
    'a.yaml:2 source.dir: is not used by an amqp source: each message on source.queue is one batch file',
    'a.yaml:5 target.exchange: is required',
    'a.yaml:8 target.perMessage: is "each"; allowed: record, batch',
    'a.yaml:9 target.mandatroy: unknown key "mandatroy" (did you mean "mandatory"?)',
    'b.yaml:2 source.queue: is only for source.type amqp; a local source reads the folder in dir',
    'c.yaml:3 trigger.queue: cannot start runs of an amqp source: each message on source.queue is a batch already',
    'd.yaml:6 target.type: needs "type": one of http, amqp',
    'e.yaml:6 results.to.connection: names an amqp connection; files are written to a folder (local, sftp, ftp or ftps)',
  ];
  for (const line of expected) assert.ok(lines.some((l) => l.startsWith(line)), `expected: ${line}\ngot:\n${lines.join('\n')}`);
  const b = await load({ b: `version: 1\nsource: { type: local, dir: /tmp }\n${FIELDS}target: { type: amqp, connection: drop, exchange: x }\n` });
  assert.deepEqual(b.lines, ['b.yaml:5 target.connection: names a local connection; it must be a type: amqp connection (a broker)']);
  const upload = await load({ up: `version: 1\nsource: { type: http, token: "\${BUS_URL}" }\ntrigger: { queue: { connection: bus, name: q } }\n${FIELDS}target: { type: amqp, connection: bus, exchange: x }\n` });
  assert.deepEqual(upload.lines, ['up.yaml:3 trigger.queue: starts runs of a folder source (or an export); uploads start the batches of an http source']);
  const d = await load({ d: `version: 1\nsource: { type: local, dir: /tmp }\ntrigger: { queue: { connection: nobus, name: q } }\n${FIELDS}target: { type: amqp, connection: bus, exchange: x }\n` });
  assert.deepEqual(d.lines, ['d.yaml:3 trigger.queue.connection: no connection named "nobus" in profiles/connections.yaml; known: bus, drop']);
});

test('an amqp connection: the URL must be amqp:// or amqps:// with its password from a secret, ca only with TLS', async () => {
  const { lines } = await load({}, [
    'literal:\n  type: amqp\n  url: "amqp://ferry:s3cret@mq:5672/"\n',
    'web:\n  type: amqp\n  url: "https://mq.example.com"\n',
    'notls:\n  type: amqp\n  url: "amqp://mq:5672/"\n  ca: "${BUS_URL}"\n',
  ].join(''));
  assert.deepEqual(lines, [
    'connections.yaml:3 literal.url: contains a literal password; put the whole URL in ${ENV_NAME} or ${file:/path}',
    'connections.yaml:6 web.url: must be an amqp://user:password@host:5672/vhost or amqps://… URL',
    'connections.yaml:10 notls.ca: is given, but the url is amqp:// (no TLS); write amqps:// to use TLS with this CA',
  ]);
});

test('a warning, not an error, for folder triggers on an amqp source', async () => {
  const { set, lines } = await load({ in: `version: 1\nsource: { type: amqp, connection: bus, queue: q }\ntrigger: { every: 1m }\n${FIELDS}target: { type: amqp, connection: bus, exchange: x }\n` });
  assert.deepEqual(lines, ['in.yaml:3 trigger: warning: is not used by an amqp source: its messages start the batches']);
  assert.ok(set.profiles.has('in'));
});
