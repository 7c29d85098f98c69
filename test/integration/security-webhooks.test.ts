// Issue 11 point 3 / research S06: webhook signatures both ways. Outbound notifications verify as
// Standard Webhooks v1 with a `whsec_` key (checked here by an independent verifier); a tampered
// body, id or timestamp fails; a retry keeps its webhook-id with a fresh timestamp and signature.
// Inbound POST /hooks/<profile> refuses a bad or stale signature and a replayed id (409), and takes
// a rotated (several signatures) header.
import assert from 'node:assert/strict';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { sameSecret } from '../../src/admin/admin-tokens.js';
import { DaemonProcess, until } from '../support/daemon-process.js';
import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

const NOTIFY_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const HOOK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;

/** Standard Webhooks v1, written from the spec: base64 HMAC-SHA256 with the base64-decoded key. */
function sign(secret: string, id: string, timestamp: string, body: string): string {
  return createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64')).update(`${id}.${timestamp}.${body}`).digest('base64');
}
function verifies(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const expected = Buffer.from(sign(secret, String(headers['webhook-id']), String(headers['webhook-timestamp']), body));
  return String(headers['webhook-signature'] ?? '').split(' ').some((p) => {
    const [version, sig = ''] = p.split(',');
    return version === 'v1' && sig.length === expected.length && timingSafeEqual(Buffer.from(sig), expected);
  });
}

interface Attempt {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

describe('webhook signatures and replay, outbound and inbound', () => {
  let target: HttpTarget;
  let receiver: Server;
  let ws: Workspace;
  let daemon: DaemonProcess;
  let base = '';
  const attempts: Attempt[] = [];
  let failFirst = 1;

  before(async () => {
    target = await startHttpTarget();
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        attempts.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
        // the first attempt fails with Retry-After: 1, so the retry is at least a second later (a new timestamp)
        if (failFirst-- > 0) res.writeHead(503, { 'retry-after': '1' }).end();
        else res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/ferry`;
    ws = createWorkspace();
    const orders = ordersProfile(ws, target.url);
    ws.writeProfile('orders', `${orders}notify:\n  - { url: "${hookUrl}", secret: "\${NOTIFY_SECRET}", allowPrivate: true, on: [batch.completed] }\n`);
    ws.writeProfile('hooked', orders.replace(`dir: ${ws.inbox}`, `dir: ${join(ws.root, 'hooked-in')}`).replace('trigger: { watch: true, every: 1s }', 'trigger: { webhook: { secret: "${HOOK_SECRET}" } }'));
    daemon = new DaemonProcess(ws, { NOTIFY_SECRET, HOOK_SECRET, FERRY_NOTIFY_BASE_DELAY: '100' });
    base = await daemon.ready();
  });
  after(async () => {
    daemon.kill();
    await target.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    ws.remove();
  });

  it('signs each notification attempt as Standard Webhooks v1; a retry keeps the id with a fresh timestamp and signature', async () => {
    writeOrdersCsv(join(ws.inbox, 'signed.csv'), 2, 'SIG');
    await until('a retried notification', () => attempts.length >= 2, 20_000);
    const [first, retry] = attempts;
    assert.ok(first !== undefined && retry !== undefined);
    for (const a of [first, retry]) {
      assert.ok(verifies(NOTIFY_SECRET, a.headers, a.body), 'the signature verifies with the whsec_ key');
      assert.ok(Math.abs(Number(a.headers['webhook-timestamp']) - a.at / 1000) < 5, 'the timestamp is the time of sending');
      assert.match(String(a.headers['webhook-id']), /^\S{8,}$/);
    }
    assert.equal(retry.headers['webhook-id'], first.headers['webhook-id'], 'one webhook-id across retries');
    assert.equal(retry.body, first.body, 'the same body');
    assert.notEqual(retry.headers['webhook-timestamp'], first.headers['webhook-timestamp'], 'a fresh timestamp');
    assert.notEqual(retry.headers['webhook-signature'], first.headers['webhook-signature'], 'a fresh signature');
    // what a receiver must refuse
    assert.ok(!verifies(NOTIFY_SECRET, first.headers, first.body.replace('"batch.completed"', '"batch.failed"')), 'a tampered body fails');
    assert.ok(!verifies(NOTIFY_SECRET, first.headers, `${first.body} `), 'one added byte fails');
    assert.ok(!verifies(NOTIFY_SECRET, { ...first.headers, 'webhook-id': 'msg_other' }, first.body), 'another id fails');
    assert.ok(!verifies(NOTIFY_SECRET, { ...first.headers, 'webhook-timestamp': retry.headers['webhook-timestamp'] }, first.body), 'another timestamp fails');
    assert.ok(!verifies(`whsec_${randomBytes(32).toString('base64')}`, first.headers, first.body), 'another key fails');
  });

  it('refuses inbound calls with a bad, tampered, stale or malformed signature, and a replayed id', async () => {
    const now = (): number => Math.floor(Date.now() / 1000);
    const call = async (id: string | undefined, timestamp: number, body: string, signature: string): Promise<number> => {
      const headers: Record<string, string> = { 'content-type': 'application/json', 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
      if (id !== undefined) headers['webhook-id'] = id;
      return (await fetch(`${base}/hooks/hooked`, { method: 'POST', headers, body })).status;
    };
    const v1 = (id: string, t: number, body: string, secret = HOOK_SECRET): string => `v1,${sign(secret, id, String(t), body)}`;
    const body = '{}';
    let t = now();
    assert.equal(await call('msg_a', t, body, v1('msg_a', t, body)), 202, 'a valid signature starts a run');
    assert.equal(await call('msg_a', t, body, v1('msg_a', t, body)), 409, 'the same call again is a replay');
    t = now();
    assert.equal(await call('msg_a', t, body, v1('msg_a', t, body)), 409, 'the same id re-signed with a fresh timestamp is still a replay');
    t = now();
    assert.equal(await call('msg_b', t, '{"x":1}', v1('msg_b', t, body)), 401, 'a body the signature is not for');
    assert.equal(await call('msg_c', t, body, v1('msg_c', t, body, `whsec_${randomBytes(24).toString('base64')}`)), 401, 'signed with another key');
    // a minute past the tolerance, so that a slow machine's seconds between here and the check do not matter
    const old = now() - 360;
    assert.equal(await call('msg_d', old, body, v1('msg_d', old, body)), 401, 'older than five minutes');
    const ahead = now() + 360;
    assert.equal(await call('msg_e', ahead, body, v1('msg_e', ahead, body)), 401, 'more than five minutes ahead');
    assert.equal(await call(undefined, t, body, v1('', t, body)), 401, 'without webhook-id');
    assert.equal(await call('msg_f', t, body, `v2,${sign(HOOK_SECRET, 'msg_f', String(t), body)}`), 401, 'an unknown signature version');
    assert.equal(await call('msg_g', t, body, sign(HOOK_SECRET, 'msg_g', String(t), body)), 401, 'a signature without its version');
    // the refused ids were not remembered, so a correct call under them still works; rotation: any of several signatures
    assert.equal(await call('msg_d', t - 290, body, `v1,${randomBytes(32).toString('base64')} ${v1('msg_d', t - 290, body)}`), 202, 'within the window, one good signature among several');
    assert.match(daemon.log, /webhook call refused/);
    assert.ok(!daemon.log.includes(HOOK_SECRET.slice(6)) && !daemon.log.includes(NOTIFY_SECRET.slice(6)), 'no key in the log');
  });

  it('compares tokens in constant time whatever their lengths', () => {
    assert.ok(sameSecret('a-token', 'a-token'));
    assert.ok(!sameSecret('a-token', 'a-tokeN') && !sameSecret('a-token', 'a-token-longer') && !sameSecret('', 'x'));
  });
});
