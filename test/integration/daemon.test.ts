import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';

import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { REPO_ROOT, runCli } from '../support/run-cli.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(50);
  }
}

describe('ferry start (the daemon)', () => {
  let target: HttpTarget;
  let ws: Workspace;
  let daemon: ChildProcess;
  let stderr = '';
  before(async () => {
    target = await startHttpTarget();
    ws = createWorkspace();
    ws.writeProfile('orders', ordersProfile(ws, target.url, { batchSize: 10 }));
    writeOrdersCsv(join(ws.inbox, 'waiting-at-start.csv'), 12, 'EARLY');
    daemon = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'ferry.js'), 'start'], {
      cwd: ws.root,
      env: { ...process.env, ...ws.env, FERRY_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    daemon.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  });
  after(async () => {
    if (daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL');
    await target.close();
    ws.remove();
  });

  it('processes a file that was already there at start-up', async () => {
    await until('the early file', () => existsSync(join(ws.results, 'waiting-at-start.result.csv')));
    // the result file is written before the source is settled
    await until('the source to move', () => existsSync(join(ws.inbox, 'processed', 'waiting-at-start.csv')));
  });

  it('picks up a file dropped into the watched folder', async () => {
    writeOrdersCsv(join(ws.inbox, 'dropped.csv'), 25, 'DROP');
    await until('the result file', () => existsSync(join(ws.results, 'dropped.result.csv')));
    const ids = new Set(target.acceptedRecords().map((r) => (r as { orderId: string }).orderId));
    assert.ok(ids.has('DROP-00025') && ids.has('EARLY-00012'));
    await until('the source to move', () => existsSync(join(ws.inbox, 'processed', 'dropped.csv')));
  });

  it('reports each source on /healthz and in ferry status', async () => {
    const m = /"listen":"([^"]+)"/.exec(stderr);
    assert.ok(m, 'the daemon logs where the admin server listens');
    const res = await fetch(`http://${m[1] ?? ''}/healthz`);
    assert.equal(res.status, 200);
    const health = (await res.json()) as { status: string; sources: { profile: string; state: string; connection: string }[] };
    assert.equal(health.status, 'ok');
    assert.equal(health.sources[0]?.profile, 'orders');
    assert.equal(health.sources[0]?.state, 'ok');
    assert.match(health.sources[0]?.connection ?? '', /^local:/);
    const status = await runCli(['status'], { env: ws.env, cwd: ws.root });
    assert.match(status.stdout, /Sources:\n  orders  local:\S+  ok, last poll/);
  });

  it('refuses a second process on the same store and names the holder', async () => {
    const r = await runCli(['run', 'orders'], { env: ws.env, cwd: ws.root });
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`E_INSTANCE_LOCKED: the state store is in use by ferry process ${daemon.pid ?? 0}`));
  });

  it('stops on SIGTERM within 10 s with exit code 0', async () => {
    const started = Date.now();
    const exited = new Promise<number | null>((resolve) => daemon.once('exit', (code) => resolve(code)));
    daemon.kill('SIGTERM');
    const code = await exited;
    assert.equal(code, 0, stderr.slice(-2000));
    assert.ok(Date.now() - started < 10_000);
    assert.ok(!existsSync(join(ws.data, 'ferry.db.lock')));
  });
});
