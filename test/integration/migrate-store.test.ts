import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { PgStore } from '../../src/store/pg/pg-store.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { runCli } from '../support/run-cli.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';
import { dropSchema, freshSchema, pgUnavailable, schemaUrl } from '../store/pg-test-database.js';

interface StatusJson {
  runs: { id: string; profile: string; status: string; startedAt: string }[];
  batches: { id: string; file: string; status: string; rows: unknown; profileVersion: unknown; state: string }[];
  alerts: { kind: string; message: string }[];
}

const unavailable = await pgUnavailable();

describe('ferry migrate-store from a SQLite ledger to PostgreSQL', { skip: unavailable }, () => {
  let target: HttpTarget;
  let ws: Workspace;
  const schema = freshSchema('ferry_migrate');
  const pgUrl = schemaUrl(schema);
  const sqlitePath = (): string => join(ws.data, 'ferry.db');

  before(async () => {
    target = await startHttpTarget();
    ws = createWorkspace();
    // the sources stay where they are: a later run lists them again and must know them
    ws.writeProfile('orders', ordersProfile(ws, target.url).replace('  stable: { minAge: 0s }\n', '  stable: { minAge: 0s }\n  after: { success: keep, failure: keep }\n'));
    writeOrdersCsv(join(ws.inbox, 'orders-1.csv'), 25);
    ws.dropSample('orders-bad.csv');
    const r = await runCli(['run', 'orders', '--json'], { env: ws.env });
    assert.equal(r.code, 3, r.stderr);
    // what no run writes here: an alert and a profile save with ids of their own
    const sqlite = SqliteStore.open(sqlitePath(), { exclusive: false });
    await sqlite.addAlert({ profile: 'orders', kind: 'file.late', message: 'no file by 06:00', batchId: null });
    await sqlite.recordProfileSave({ profile: 'orders', contentHash: 'h-saved', content: 'version: 1', savedBy: 'alice', note: 'from the console' });
    await sqlite.close();
  });

  after(async () => {
    await target.close();
    ws.remove();
    await dropSchema(schema);
  });

  it('refuses while a daemon holds the SQLite store', async () => {
    const lock = `${sqlitePath()}.lock`;
    // this test process stands for the daemon: a live pid on this host
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
    try {
      const r = await runCli(['migrate-store', '--to', pgUrl], { env: ws.env });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /E_INSTANCE_LOCKED: the state store is in use by ferry process/);
    } finally {
      rmSync(lock, { force: true });
    }
  });

  it('copies every table and prints the counts', async () => {
    const r = await runCli(['migrate-store', '--from', `sqlite:${sqlitePath()}`, '--to', pgUrl], { env: ws.env });
    assert.equal(r.code, 0, r.stderr);
    const counts = Object.fromEntries(r.stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/)).map(([t, n]) => [t, Number(n)]));
    assert.equal(counts.runs, 1);
    assert.equal(counts.batches, 2);
    assert.equal(counts.chunks, 4, '25 rows in 3 chunks, 6 in 1');
    assert.equal(counts.row_problems, 10);
    assert.equal(counts.profile_versions, 2);
    assert.equal(counts.profile_saves, 1);
    assert.equal(counts.alerts, 1);
    assert.match(r.stdout, /^copied .*ferry\.db into postgres:\/\/postgres@127\.0\.0\.1:5432\/test\?schema=ferry_migrate_/);
  });

  it('ferry status on PostgreSQL shows the same runs and batches', async () => {
    const onSqlite = JSON.parse((await runCli(['status', '--json'], { env: ws.env })).stdout) as StatusJson;
    const r = await runCli(['status', '--json', '--store', pgUrl], { env: ws.env });
    assert.equal(r.code, 0, r.stderr);
    const onPg = JSON.parse(r.stdout) as StatusJson;
    assert.deepEqual(onPg.runs, onSqlite.runs);
    assert.deepEqual(onPg.batches, onSqlite.batches);
    assert.deepEqual(onPg.alerts, onSqlite.alerts);
    assert.equal(onPg.batches.length, 2);
  });

  it('keeps row problems, profile versions and saves, and ids go on after the copied ones', async () => {
    const store = await PgStore.open(pgUrl, { exclusive: false, leaseMs: 30_000 });
    try {
      const bad = (await store.listBatches({ limit: 10 })).find((b) => b.fileName === 'orders-bad.csv');
      assert.ok(bad);
      assert.equal((await store.listRowProblems(bad.id, { limit: 100, offset: 0 })).total, 10);
      assert.equal((await store.listChunks(bad.id)).length, 1);
      assert.equal(bad.owner, null, 'nobody holds a copied batch');
      assert.deepEqual((await store.listProfileVersions('orders')).map((v) => [v.version, v.savedBy]), [[2, 'alice'], [1, null]]);
      await store.addAlert({ profile: 'orders', kind: 'file.missing', message: 'after the move', batchId: null });
      await store.recordProfileSave({ profile: 'orders', contentHash: 'h-next', content: 'version: 1 # next', savedBy: 'bob' });
      assert.deepEqual((await store.listAlerts({ limit: 10 })).map((a) => [a.id, a.kind]), [[2, 'file.missing'], [1, 'file.late']]);
      assert.equal((await store.listProfileSaves('orders', 10)).length, 2);
    } finally {
      await store.close();
    }
  });

  it('a run on PostgreSQL does not process the same files again', async () => {
    const before = target.requests.length;
    const again = await runCli(['run', 'orders', '--json', '--store', pgUrl], { env: ws.env });
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual((JSON.parse(again.stdout) as { batches: unknown[] }).batches, [], 'the listed files are known');
    writeOrdersCsv(join(ws.inbox, 'orders-1-copy.csv'), 25);
    const copy = await runCli(['run', 'orders', '--json', '--store', pgUrl], { env: ws.env });
    assert.equal(copy.code, 0, copy.stderr);
    const run = JSON.parse(copy.stdout) as { batches: { file: string; status: string; error: string | null }[] };
    assert.equal(run.batches[0]?.file, 'orders-1-copy.csv');
    assert.equal(run.batches[0]?.status, 'skipped');
    assert.match(String(run.batches[0]?.error), /already processed as batch b_/);
    assert.equal(target.requests.length, before, 'nothing is sent twice');
  });

  it('refuses a target that holds a ledger already, unless --force', async () => {
    const r = await runCli(['migrate-store', '--to', pgUrl], { env: ws.env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /holds a ledger already \(.*runs.*\); --force replaces it/);
    const forced = await runCli(['migrate-store', '--to', pgUrl, '--force'], { env: ws.env });
    assert.equal(forced.code, 0, forced.stderr);
    const onPg = JSON.parse((await runCli(['status', '--json', '--store', pgUrl], { env: ws.env })).stdout) as StatusJson;
    assert.equal(onPg.runs.length, 1, 'the runs made on PostgreSQL were replaced by the copy');
  });

  it('says what is wrong with --from and --to', async () => {
    const notSqlite = await runCli(['migrate-store', '--from', 'postgres://x@db/y', '--to', pgUrl], { env: ws.env });
    assert.equal(notSqlite.code, 2);
    assert.match(notSqlite.stderr, /sqlite:<path>/);
    const notPg = await runCli(['migrate-store', '--to', 'mysql://u:secret@db/x'], { env: ws.env });
    assert.equal(notPg.code, 2);
    assert.doesNotMatch(notPg.stderr, /secret/);
    const missing = await runCli(['migrate-store', '--from', `sqlite:${join(ws.root, 'nope.db')}`, '--to', pgUrl], { env: ws.env });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no SQLite ledger at/);
  });
});
