import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';

import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { DaemonProcess, until } from '../support/daemon-process.js';
import { runCli } from '../support/run-cli.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

const TOKEN = 'hook-token-5b1f0e';
const SECRET = 'hook-secret-9a7c22';
const ADMIN = 'admin-token-31c4';
const READER = 'reader-token-77aa';

function signed(id: string, body: string, timestamp = Math.floor(Date.now() / 1000), secret = SECRET): Record<string, string> {
  const signature = createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature}`, 'content-type': 'application/json' };
}

describe('webhook trigger: POST /hooks/<profile> on the running daemon', () => {
  let target: HttpTarget;
  let ws: Workspace;
  let daemon: DaemonProcess;
  let base = '';
  const hook = async (headers: Record<string, string>, body = ''): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(`${base}/hooks/orders`, { method: 'POST', headers, body });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const runs = async (): Promise<{ id: string; trigger: string; params: Record<string, string> }[]> =>
    (JSON.parse((await runCli(['status', '--json'], { env: ws.env })).stdout) as { runs: { id: string; trigger: string; params: Record<string, string> }[] }).runs;

  before(async () => {
    target = await startHttpTarget();
    ws = createWorkspace();
    const profile = ordersProfile(ws, target.url)
      .replace('trigger: { watch: true, every: 1s }', 'trigger: { webhook: { token: "${HOOK_TOKEN}", secret: "${HOOK_SECRET}" } }')
      .replace('fields:\n', 'params:\n  channel: { default: erp }\nfields:\n')
      .replace('key: [orderId]', '  channel:   { expr: "param.channel" }\nkey: [orderId]');
    ws.writeProfile('orders', profile);
    mkdirSync(join(ws.root, 'reports-inbox'), { recursive: true });
    ws.writeProfile('reports', profile.replaceAll(ws.inbox, join(ws.root, 'reports-inbox')).replace('webhook: {', 'maxRuns: 2, webhook: {'));
    daemon = new DaemonProcess(ws, { HOOK_TOKEN: TOKEN, HOOK_SECRET: SECRET, FERRY_ADMIN_TOKENS: `${ADMIN},read=sha256:${createHash('sha256').update(READER).digest('hex')}` });
    base = await daemon.ready();
  });
  after(async () => {
    daemon.kill();
    await target.close();
    ws.remove();
  });

  it('does not poll a webhook-only profile, and refuses calls without valid credentials', async () => {
    writeOrdersCsv(join(ws.inbox, 'hooked.csv'), 3, 'HOOK');
    await delay(1200);
    assert.ok(existsSync(join(ws.inbox, 'hooked.csv')), 'no run without a call');
    assert.equal((await hook({})).status, 401);
    assert.equal((await hook({ authorization: 'Bearer wrong' })).status, 401);
    assert.equal((await hook(signed('msg-x', '{}', undefined, 'other-secret'), '{}')).status, 401);
    assert.equal((await hook(signed('msg-old', '{}', Math.floor(Date.now() / 1000) - 600), '{}')).status, 401, 'a timestamp outside the window');
    assert.equal((await fetch(`${base}/hooks/nope`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })).status, 404);
    await delay(300);
    assert.ok(existsSync(join(ws.inbox, 'hooked.csv')), 'refused calls start nothing');
    assert.equal((await runs()).length, 0);
    assert.doesNotMatch(daemon.log, new RegExp(`${TOKEN}|${SECRET}`), 'no secret in the log');
  });

  it('starts a run with a bearer token (202 with the run id) and coalesces a second call', async () => {
    target.script([{ delayMs: 800 }]);
    const [first, second] = await Promise.all([hook({ authorization: `Bearer ${TOKEN}` }), delay(100).then(() => hook({ authorization: `Bearer ${TOKEN}` }))]);
    assert.equal(first.status, 202);
    assert.equal(first.json.coalesced, false);
    assert.match(String(first.json.run), /^r_/);
    assert.equal(second.status, 202);
    assert.equal(second.json.coalesced, true);
    assert.equal(second.json.run, first.json.run);
    assert.match(String(second.json.message), /already waiting or in progress/);
    await until('the file to be processed', () => existsSync(join(ws.inbox, 'processed', 'hooked.csv')));
    await until('the run to be recorded', async () => (await runs()).some((r) => r.id === first.json.run));
    const all = await runs();
    assert.equal(all.length, 1, 'one run for two calls');
    assert.equal(all[0]?.trigger, 'webhook');
    target.script([]);
  });

  it('accepts a Standard Webhooks signature with run parameters, refuses its replay, and records a run even without files', async () => {
    const body = JSON.stringify({ params: { channel: 'edi' } });
    const headers = signed('msg-1', body);
    const ok = await hook(headers, body);
    assert.equal(ok.status, 202, JSON.stringify(ok.json));
    const replay = await hook(headers, body);
    assert.equal(replay.status, 409);
    const bad = await hook(signed('msg-2', '{"params":{"colour":"red"}}'), '{"params":{"colour":"red"}}');
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.json.problems, ['unknown parameter colour; declared: channel']);
    await until('the signed run', async () => (await runs()).some((r) => r.id === ok.json.run));
    assert.deepEqual((await runs()).find((r) => r.id === ok.json.run)?.params, { channel: 'edi' });
  });

  it('starts a manual run through the API with parameters (POST /api/profiles/<id>/runs)', async () => {
    const url = `${base}/api/profiles/orders/runs`;
    assert.equal((await fetch(url, { method: 'POST', body: '{}' })).status, 401);
    assert.equal((await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: '{}' })).status, 401, 'a webhook token is no admin token');
    assert.equal((await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${READER}` }, body: '{}' })).status, 403, 'a read token changes nothing');
    assert.equal((await fetch(`${base}/api/notifications`, { headers: { authorization: `Bearer ${READER}` } })).status, 200, 'but reads');
    const bad = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` }, body: JSON.stringify({ params: { channel: 'x', nope: 1 } }) });
    assert.equal(bad.status, 422);
    const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ params: { channel: 'api' } }) });
    assert.equal(res.status, 202);
    const body = (await res.json()) as { run: string; params: Record<string, string> };
    assert.deepEqual(body.params, { channel: 'api' });
    await until('the API run', async () => (await runs()).some((r) => r.id === body.run));
    const run = (await runs()).find((r) => r.id === body.run);
    assert.equal(run?.trigger, 'api');
    assert.deepEqual(run?.params, { channel: 'api' });
  });

  it('queues one run with other parameters after the current one, and refuses a third set while it waits', async () => {
    writeOrdersCsv(join(ws.inbox, 'slow.csv'), 2, 'SLOW');
    target.script([{ delayMs: 1500 }]);
    const call = (channel: string): Promise<{ status: number; json: Record<string, unknown> }> => hook({ authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, JSON.stringify({ params: { channel } }));
    const first = await call('a');
    await until('the first run to start', () => target.requests.some((q) => JSON.stringify(q.json).includes('SLOW-')));
    const same = await call('a');
    const other = await call('b');
    const third = await call('c');
    assert.deepEqual([first.status, same.status, other.status, third.status], [202, 202, 202, 409]);
    assert.equal(same.json.run, first.json.run);
    assert.equal(same.json.coalesced, true);
    assert.equal(other.json.coalesced, false);
    assert.notEqual(other.json.run, first.json.run);
    assert.match(String(third.json.error), /other parameters is already waiting/);
    await until('both runs', async () => (await runs()).some((r) => r.id === other.json.run));
    assert.deepEqual((await runs()).find((r) => r.id === other.json.run)?.params, { channel: 'b' });
    target.script([]);
  });

  it('runs requests with different parameters side by side up to trigger.maxRuns', async () => {
    const reportsInbox = join(ws.root, 'reports-inbox');
    writeOrdersCsv(join(reportsInbox, 'r1.csv'), 1, 'RA');
    writeOrdersCsv(join(reportsInbox, 'r2.csv'), 1, 'RB');
    // long enough that a loaded machine still sees the first request waiting when it looks
    target.script(() => ({ delayMs: 5000 }));
    const before = target.requests.length;
    const call = (channel: string): Promise<Response> => fetch(`${base}/hooks/reports`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ params: { channel } }) });
    const [a, b] = await Promise.all([call('x'), call('y')]);
    const ja = (await a.json()) as { run: string; coalesced: boolean };
    const jb = (await b.json()) as { run: string; coalesced: boolean };
    assert.deepEqual([a.status, b.status, ja.coalesced, jb.coalesced], [202, 202, false, false]);
    // while the first file's request waits for its answer, both runs have started (with maxRuns 1
    // the second would wait the 5 s for the first to finish); the two runs share the folder's files
    await until('a request in flight', () => target.requests.length > before);
    await until('both runs started', async () => (await runs()).filter((r) => r.id === ja.run || r.id === jb.run).length === 2, 4000);
    const status = JSON.parse((await runCli(['status', '--json'], { env: ws.env })).stdout) as { runs: { id: string; finishedAt: string | null }[] };
    assert.ok(status.runs.some((r) => (r.id === ja.run || r.id === jb.run) && r.finishedAt === null), 'one of them is still waiting for the target');
    target.script([]);
  });
});
