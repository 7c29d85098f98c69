import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import pg from 'pg';

import { DaemonProcess, until } from '../support/daemon-process.js';
import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { runCli } from '../support/run-cli.js';
import { startSftpServer, type SftpTestServer } from '../support/sftp-server.js';
import { createWorkspace, type Workspace } from '../support/workspace.js';

const PG = 'postgres://postgres@127.0.0.1:5432/test';
const LEASE_MS = 2000;

function profile(target: string, sftp: SftpTestServer, results: string, extra = ''): string {
  return `version: 1
source:
  type: sftp
  connection: { type: sftp, host: ${sftp.host}, port: ${sftp.port}, user: ${sftp.user}, password: "\${FERRY_TEST_SFTP_PW}", hostKey: "${sftp.hostKeyFingerprint}", maxConnections: 4 }
  dir: /export
  include: ["*.csv"]
  stable: { minAge: 0s, checks: 1 }
trigger: { every: 300ms }
format: { type: csv, encoding: windows-1252, delimiter: ";" }
fields:
  orderId: { from: "Order No", required: true }
  qty:     { from: "Qty", type: integer }
key: [orderId]
target: { type: http, url: ${target}/v1/orders, batchSize: ${extra === '' ? 10 : 2}, retry: { attempts: 3, baseDelay: 20ms } }
results:
  to: { dir: ${results} }
  name: "{stem}.result.csv"
`;
}

/** Every record the target accepted or was sent, by key, with the idempotency keys it came with. */
function keysByRecord(target: HttpTarget): Map<string, Set<string>> {
  const seen = new Map<string, Set<string>>();
  for (const r of target.requests) {
    const body = r.json as { orderId: string }[] | { items?: { orderId: string }[]; records?: { orderId: string }[] } | undefined;
    const items = Array.isArray(body) ? body : body?.items ?? body?.records ?? [];
    for (const item of items) {
      const keys = seen.get(item.orderId) ?? new Set<string>();
      keys.add(r.idempotencyKey ?? '');
      seen.set(item.orderId, keys);
    }
  }
  return seen;
}

describe('several instances on one PostgreSQL store', () => {
  let target: HttpTarget;
  let sftp: SftpTestServer;
  let ws: Workspace;
  let db: pg.Client;
  const schema = `ferry_mi_${process.pid}_${Date.now().toString(36)}`;
  const store = `${PG}?schema=${schema}`;
  const daemons: DaemonProcess[] = [];
  const bases = new Map<DaemonProcess, string>();
  const start = async (n: number, env: Record<string, string> = {}): Promise<DaemonProcess> => {
    const d = new DaemonProcess(ws, { FERRY_STORE: store, FERRY_DATA: join(ws.root, `data-${n}`), FERRY_TEST_SFTP_PW: sftp.password, FERRY_LEASE_MS: String(LEASE_MS), ...env });
    daemons.push(d);
    bases.set(d, await d.ready());
    return d;
  };
  const count = async (sql: string): Promise<number> => Number((await db.query<{ n: string }>(sql)).rows[0]?.n ?? 0);

  before(async () => {
    target = await startHttpTarget();
    sftp = await startSftpServer();
    ws = createWorkspace();
    mkdirSync(join(sftp.root, 'export'), { recursive: true });
    db = new pg.Client({ connectionString: PG });
    await db.connect();
  });
  after(async () => {
    for (const d of daemons) d.kill();
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await db.end();
    await sftp.close();
    await target.close();
    ws.remove();
  });

  it('three daemons on one SFTP folder take each of 100 files exactly once', async () => {
    const results = join(ws.root, 'results-a');
    ws.writeProfile('orders', profile(target.url, sftp, results));
    const started = await Promise.all([1, 2, 3].map((n) => start(n)));
    for (let i = 0; i < 100; i++) writeOrdersCsv(join(sftp.root, 'export', `f${String(i).padStart(3, '0')}.csv`), 3, `F${i}`);
    await db.query(`SET search_path TO ${schema}`);
    await until('every file settled', async () => (await count("SELECT COUNT(*) AS n FROM batches WHERE state = 'done'")) >= 100, 120_000);
    assert.equal(await count('SELECT COUNT(*) AS n FROM batches'), 100, 'one batch per file');
    assert.equal(await count("SELECT COUNT(*) AS n FROM batches WHERE status = 'completed'"), 100);
    const byRecord = keysByRecord(target);
    assert.equal(byRecord.size, 300);
    for (const [record, keys] of byRecord) assert.equal(keys.size, 1, `${record} went out under one idempotency key`);
    assert.equal(readdirSync(results).filter((n) => n.endsWith('.result.csv')).length, 100, 'one result file per file');
    assert.equal(readdirSync(join(sftp.root, 'export', 'processed')).length, 100);
    const owners = await db.query<{ owner: string; n: string }>('SELECT owner, COUNT(*) AS n FROM batches GROUP BY owner');
    assert.ok(owners.rows.length >= 2, `the work was shared: ${JSON.stringify(owners.rows)}`);
    const status = JSON.parse((await runCli(['status', '--json', '--store', store], { env: ws.env })).stdout) as { instances: { alive: boolean }[] };
    assert.ok(status.instances.filter((i) => i.alive).length >= 3, 'ferry status shows the instances alive');
    const health = (await (await fetch(`${[...bases.values()][0] ?? ''}/healthz`)).json()) as { instances: unknown[] };
    assert.ok(health.instances.length >= 3);
    await Promise.all(started.map((d) => d.stop()));
  });

  it('two daemons given 20 pairs of twin files (one content, two names) deliver each content once', async () => {
    const results = join(ws.root, 'results-twins');
    ws.writeProfile('orders', profile(target.url, sftp, results));
    const before = target.requests.length;
    const started = await Promise.all([8, 9].map((n) => start(n)));
    for (let i = 0; i < 20; i++) {
      const first = join(sftp.root, 'export', `twin${String(i).padStart(2, '0')}a.csv`);
      writeOrdersCsv(first, 3, `TW${i}`);
      copyFileSync(first, join(sftp.root, 'export', `twin${String(i).padStart(2, '0')}b.csv`));
    }
    await db.query(`SET search_path TO ${schema}`);
    await until('every twin settled', async () => (await count("SELECT COUNT(*) AS n FROM batches WHERE file_name LIKE 'twin%' AND state = 'done'")) >= 40, 120_000);
    assert.equal(await count("SELECT COUNT(*) AS n FROM batches WHERE file_name LIKE 'twin%' AND status = 'completed'"), 20, 'one copy of each content delivered');
    assert.equal(await count("SELECT COUNT(*) AS n FROM batches WHERE file_name LIKE 'twin%' AND status = 'skipped'"), 20, 'the other copy skipped');
    const sent = new Map<string, number>();
    for (const r of target.requests.slice(before)) {
      const items = r.json as { orderId: string }[];
      for (const item of Array.isArray(items) ? items : []) sent.set(item.orderId, (sent.get(item.orderId) ?? 0) + 1);
    }
    assert.equal(sent.size, 60, 'every record of the 20 contents went out');
    for (const [record, times] of sent) assert.equal(times, 1, `${record} was sent once`);
    await Promise.all(started.map((d) => d.stop()));
  });

  it('a batch whose instance is killed mid-delivery is finished by another after the lease, with the same keys', async () => {
    const results = join(ws.root, 'results-b');
    ws.writeProfile('orders', profile(target.url, sftp, results, 'small chunks'));
    const before = target.requests.length;
    target.script(() => ({ delayMs: 1500 }));
    const a = await start(4);
    writeOrdersCsv(join(sftp.root, 'export', 'big.csv'), 10, 'BIG');
    await until('the second chunk in flight', () => target.requests.slice(before).filter((r) => JSON.stringify(r.json).includes('BIG-')).length >= 2, 30_000);
    a.kill();
    const killedAt = Date.now();
    await db.query(`SET search_path TO ${schema}`);
    // the lease A last renewed: nobody may take the batch before it runs out (by the database clock)
    const lease = await db.query<{ left: string }>("SELECT lease_until - (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint AS left FROM batches WHERE file_name = 'big.csv'");
    const leaseLeft = Number(lease.rows[0]?.left ?? 0);
    assert.ok(leaseLeft > 0, 'A held a live lease when it was killed');
    const sentByA = target.requests.slice(before).filter((r) => JSON.stringify(r.json).includes('BIG-')).map((r) => r.idempotencyKey);
    target.script(() => ({}));
    await start(5);
    await until('the batch finished by the other instance', async () => (await count("SELECT COUNT(*) AS n FROM batches WHERE file_name = 'big.csv' AND state = 'done'")) === 1, 60_000);
    const resent = target.requests.slice(before).filter((r) => JSON.stringify(r.json).includes('BIG-') && r.receivedAt > killedAt);
    assert.ok(resent.length > 0);
    assert.ok(Math.min(...resent.map((r) => r.receivedAt)) - killedAt >= leaseLeft - 100, 'taken over only after the lease ran out');
    assert.ok(resent.some((r) => sentByA.includes(r.idempotencyKey)), 'the chunk in flight went out again under the same key');
    const byRecord = keysByRecord(target);
    for (let i = 1; i <= 10; i++) assert.equal(byRecord.get(`BIG-${String(i).padStart(5, '0')}`)?.size, 1);
    assert.equal(await count("SELECT COUNT(*) AS n FROM batches WHERE file_name = 'big.csv' AND status = 'completed'"), 1);
    await Promise.all(daemons.map((d) => d.stop()));
  });

  it('runs each scheduled fire time once across the instances', async () => {
    const inbox = join(ws.root, 'ticker-inbox');
    mkdirSync(inbox, { recursive: true });
    ws.writeProfile('ticker', `version: 1
source: { type: local, dir: ${inbox} }
trigger: { cron: "* * * * *", timezone: UTC }
fields:
  id: { from: Id }
target: { type: http, url: ${target.url}/v1/tick }
`);
    // a minute of the daemons' clock passes every 2 s; their clock starts in the future, after any
    // fire time a real-time daemon could have claimed
    const clock = { FERRY_CLOCK_START: '2036-01-01T00:00:30Z', FERRY_CLOCK_RATE: '30' };
    const [a, b] = await Promise.all([start(6, clock), start(7, clock)]);
    await until('four fire times', () => (`${a?.log ?? ''}${b?.log ?? ''}`.match(/"msg":"scheduled run"/g) ?? []).length >= 4, 30_000);
    const dues = (d: DaemonProcess | undefined): string[] => [...(d?.log ?? '').matchAll(/"due":"([^"]+)"[^\n]*"msg":"scheduled run"/g)].map((m) => m[1] ?? '');
    const fired = [...dues(a), ...dues(b)];
    assert.equal(new Set(fired).size, fired.length, `each fire time ran once: ${fired.join(', ')}`);
    assert.match(`${a?.log ?? ''}${b?.log ?? ''}`, /scheduled run taken by another instance/);
    await db.query(`SET search_path TO ${schema}`);
    // a fire that comes while the previous run still goes on joins it, so there may be fewer runs, never more
    const runs = await count("SELECT COUNT(*) AS n FROM runs WHERE profile = 'ticker' AND trigger LIKE 'cron%'");
    assert.ok(runs >= 1 && runs <= fired.length, `${runs} runs for ${fired.length} fire times`);
  });
});
