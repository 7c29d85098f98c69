import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import Database from 'better-sqlite3';

import { SqliteStore } from '../../src/store/sqlite-store.js';
import { DaemonProcess, until } from '../support/daemon-process.js';
import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { runCli } from '../support/run-cli.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

const ADMIN = 'admin-token-a7c2e1';
const READER = 'reader-token-5d9f0b';
const NOTIFICATION = 'msg_audit1';
const sha = (t: string): string => createHash('sha256').update(t).digest('hex');

interface AuditRow {
  seq: number; actor: string; action: string; subject: string; detail: Record<string, unknown>; prevHash: string; hash: string;
}

// S11 (docs/test-plan-security.md): admin changes leave audit rows; a row changed in the file is the first broken link
describe('audit trail on the running daemon and the CLI', () => {
  let target: HttpTarget;
  let ws: Workspace;
  let daemon: DaemonProcess;
  let base = '';
  let batchId = '';
  const ledger = (): string => join(ws.data, 'ferry.db');
  const api = async (method: string, path: string, options: { token?: string; body?: string; type?: string } = {}): Promise<{ status: number; json: Record<string, unknown>; text: string }> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${options.token ?? ADMIN}`, ...(options.type === undefined ? {} : { 'content-type': options.type }) },
      ...(options.body === undefined ? {} : { body: options.body }),
    });
    const text = await res.text();
    return { status: res.status, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>), text };
  };
  const rows = async (): Promise<AuditRow[]> => (await api('GET', '/api/audit?limit=100', { token: READER })).json.entries as AuditRow[];

  before(async () => {
    target = await startHttpTarget();
    ws = createWorkspace();
    ws.writeProfile('orders', ordersProfile(ws, target.url));
    // a dead-lettered notification in the ledger before the daemon starts: the replay's subject
    const seed = SqliteStore.open(ledger(), { exclusive: false });
    await seed.addAlert({ profile: 'orders', kind: 'file.late', message: 'late', batchId: null }, [{
      id: NOTIFICATION, profile: 'orders', url: `${target.url}/hook`, event: 'file.late', body: '{"event":"file.late"}', batchId: null, retryUntil: Date.now() + 60_000,
    }]);
    await seed.settleNotification(NOTIFICATION, { state: 'dead', lastError: 'HTTP 500' });
    await seed.close();
    daemon = new DaemonProcess(ws, { FERRY_ADMIN_TOKENS: `alice:admin=sha256:${sha(ADMIN)},bob:read=sha256:${sha(READER)}` });
    base = await daemon.ready();
  });
  after(async () => {
    daemon.kill();
    await target.close();
    ws.remove();
  });

  it('records a profile save, a reprocess, notification replays (API and CLI) and a manual run with actor, action and subject', async () => {
    writeOrdersCsv(join(ws.inbox, 'audit.csv'), 2, 'AUD');
    await until('the batch to settle', async () => {
      const list = (await api('GET', '/api/batches?limit=10')).json.batches as { id: string; file: string; state: string }[] | undefined;
      batchId = list?.find((b) => b.file === 'audit.csv' && b.state === 'done')?.id ?? '';
      return batchId !== '';
    }, 30_000);

    const saved = await api('PUT', '/api/profiles/orders?note=raise%20batch', { body: `description: audited change\n${ordersProfile(ws, target.url)}`, type: 'application/yaml' });
    assert.equal(saved.status, 200, saved.text);
    const again = await api('POST', `/api/batches/${batchId}/reprocess`, { body: '{}', type: 'application/json' });
    assert.equal(again.status, 202, again.text);
    const replayed = await api('POST', `/api/notifications/${NOTIFICATION}/replay`);
    assert.equal(replayed.status, 202, replayed.text);
    const cli = await runCli(['notifications', 'replay', NOTIFICATION], { env: ws.env, cwd: ws.root });
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal((await api('POST', '/api/notifications/msg_nothere/replay')).status, 404);
    const run = await api('POST', '/api/profiles/orders/runs', { body: '{}', type: 'application/json' });
    assert.equal(run.status, 202, run.text);

    const trail = await rows();
    const admin = trail.filter((r) => r.action !== 'profile.disk-edit').map((r) => [r.actor, r.action, r.subject]);
    assert.deepEqual(admin, [
      ['alice', 'run.manual', 'orders'],
      ['cli', 'notification.replay', NOTIFICATION],
      ['alice', 'notification.replay', NOTIFICATION],
      ['alice', 'batch.reprocess', batchId],
      ['alice', 'profile.save', 'orders'],
    ], 'newest first; an unknown notification leaves no row');
    const save = trail.find((r) => r.action === 'profile.save');
    assert.equal(save?.detail.note, 'raise batch');
    assert.equal(save?.detail.version, saved.json.version);
    assert.deepEqual(trail.map((r) => r.seq), trail.map((_, i) => trail.length - i), 'seq has no gaps');
    assert.equal((await api('GET', `/api/audit?limit=1&before=${trail[0]?.seq ?? 0}`, { token: READER })).json.entries instanceof Array, true);
    assert.equal((await api('GET', '/api/audit?limit=0', { token: READER })).status, 400);

    assert.deepEqual((await api('GET', '/api/audit/verify', { token: READER })).json, { ok: true, checked: trail.length });
    const verify = await runCli(['audit', '--verify'], { env: ws.env, cwd: ws.root });
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stdout, /intact/);
    const listed = await runCli(['audit', '--json'], { env: ws.env, cwd: ws.root });
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual((JSON.parse(listed.stdout) as { entries: AuditRow[] }).entries.map((r) => r.hash), trail.map((r) => r.hash));
  });

  it('names a row changed in the ledger file as the first broken link (API and CLI)', async () => {
    const reprocess = (await rows()).find((r) => r.action === 'batch.reprocess');
    assert.ok(reprocess !== undefined);
    // someone with the file: drops the append-only trigger and rewrites who did it
    const db = new Database(ledger());
    assert.throws(() => db.prepare("UPDATE audit SET actor = 'mallory' WHERE seq = ?").run(reprocess.seq), /append-only/);
    db.exec('DROP TRIGGER audit_no_update');
    db.prepare("UPDATE audit SET actor = 'mallory' WHERE seq = ?").run(reprocess.seq);
    db.close();

    const verdict = (await api('GET', '/api/audit/verify', { token: READER })).json;
    assert.equal(verdict.ok, false);
    assert.equal(verdict.seq, reprocess.seq);
    assert.equal(verdict.code, 'E_AUDIT_BROKEN');
    assert.match(String(verdict.reason), /hash/);
    const cli = await runCli(['audit', '--verify'], { env: ws.env, cwd: ws.root });
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, new RegExp(`E_AUDIT_BROKEN: the audit trail breaks at row ${reprocess.seq}:`));
    const json = await runCli(['audit', '--verify', '--json'], { env: ws.env, cwd: ws.root });
    assert.equal(json.code, 1);
    assert.equal((JSON.parse(json.stdout) as { seq: number }).seq, reprocess.seq);
  });

  it('records the CLI\'s manual run and reprocess with actor cli (the daemon stopped: SQLite has one writer)', async () => {
    await daemon.stop();
    const reprocess = await runCli(['reprocess', batchId], { env: ws.env, cwd: ws.root });
    assert.equal(reprocess.code, 0, reprocess.stderr);
    writeOrdersCsv(join(ws.inbox, 'manual.csv'), 1, 'MAN');
    const run = await runCli(['run', 'orders', '--param', 'x=1'], { env: ws.env, cwd: ws.root });
    assert.notEqual(run.stderr, '', 'an undeclared parameter is refused before anything runs');
    const ran = await runCli(['run', 'orders'], { env: ws.env, cwd: ws.root });
    assert.equal(ran.code, 0, ran.stderr);
    const listed = await runCli(['audit', '--json', '--limit', '2'], { env: ws.env, cwd: ws.root });
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual((JSON.parse(listed.stdout) as { entries: AuditRow[] }).entries.map((r) => [r.actor, r.action, r.subject]), [
      ['cli', 'run.manual', 'orders'],
      ['cli', 'batch.reprocess', batchId],
    ]);
  });
});
