import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { DaemonProcess, until } from '../support/daemon-process.js';
import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

const ADMIN = 'admin-token-4e1d9c';
const READER = 'reader-token-0b7f3a';
const CANARY = 'canary-pw-Zq81xT';
const sha = (t: string): string => createHash('sha256').update(t).digest('hex');

interface Answer {
  status: number;
  json: Record<string, unknown>;
  text: string;
}

describe('admin API on the running daemon', () => {
  let target: HttpTarget;
  let ws: Workspace;
  let daemon: DaemonProcess;
  let base = '';
  const api = async (method: string, path: string, options: { token?: string | null; body?: string | Buffer; type?: string } = {}): Promise<Answer> => {
    const token = options.token === undefined ? ADMIN : options.token;
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...(options.type === undefined ? {} : { 'content-type': options.type }) },
      ...(options.body === undefined ? {} : { body: options.body }),
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = {};
    }
    return { status: res.status, json, text };
  };
  const settled = async (file: string): Promise<Record<string, unknown>> => {
    let found: Record<string, unknown> | undefined;
    await until(`batch of ${file} to settle`, async () => {
      const list = (await api('GET', '/api/batches?limit=100')).json.batches as Record<string, unknown>[] | undefined;
      found = list?.find((b) => b.file === file && b.state === 'done');
      return found !== undefined;
    }, 30_000);
    return found ?? {};
  };

  before(async () => {
    target = await startHttpTarget();
    ws = createWorkspace();
    ws.writeProfile('orders', ordersProfile(ws, target.url));
    writeFileSync(join(ws.profiles, 'connections.yaml'), 'erp-sftp:\n  type: sftp\n  host: 127.0.0.1\n  port: 2222\n  user: ferry\n  password: "${ERP_PW}"\n  hostKey: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"\n');
    daemon = new DaemonProcess(ws, { ERP_PW: CANARY, FERRY_ADMIN_TOKENS: `alice:admin=sha256:${sha(ADMIN)},bob:read=sha256:${sha(READER)}` });
    base = await daemon.ready();
  });
  after(async () => {
    daemon.kill();
    await target.close();
    ws.remove();
  });

  it('needs a token for every /api route, and an admin token for changes', async () => {
    const routes: [string, string][] = [
      ['GET', '/api/profiles'], ['GET', '/api/profiles/orders'], ['PUT', '/api/profiles/orders'], ['GET', '/api/profiles/orders/versions'],
      ['GET', '/api/profiles/orders/diff?from=1'], ['POST', '/api/profiles/orders/rollback'], ['POST', '/api/profiles/orders/preview'],
      ['POST', '/api/profiles/orders/runs'], ['GET', '/api/connections'], ['POST', '/api/samples'], ['POST', '/api/preview'], ['GET', '/api/runs'],
      ['GET', '/api/runs/r_x'], ['GET', '/api/batches'], ['GET', '/api/batches/b_x'], ['GET', '/api/batches/b_x/result'],
      ['POST', '/api/batches/b_x/reprocess'], ['GET', '/api/sources'], ['GET', '/api/stats'], ['GET', '/api/notifications'], ['GET', '/api/nothing-here'],
    ];
    for (const [method, path] of routes) {
      assert.equal((await api(method, path, { token: null })).status, 401, `${method} ${path} without a token`);
      assert.equal((await api(method, path, { token: 'wrong' })).status, 401, `${method} ${path} with a wrong token`);
      if (method !== 'GET') assert.equal((await api(method, path, { token: READER, body: '{}', type: 'application/json' })).status, 403, `${method} ${path} with a read token`);
    }
    assert.equal((await api('GET', '/api/profiles', { token: READER })).status, 200);
    assert.equal((await api('GET', '/healthz', { token: null })).status, 200);
    assert.equal((await api('GET', '/metrics', { token: null })).status, 200);
    assert.equal((await api('DELETE', '/api/profiles/orders')).status, 405);
  });

  it('lists and reads profiles, and never returns a secret', async () => {
    const list = (await api('GET', '/api/profiles')).json.profiles as Record<string, unknown>[];
    const orders = list.find((p) => p.id === 'orders');
    assert.equal(orders?.valid, true);
    assert.equal(orders?.version, 1);
    assert.deepEqual(orders?.target, { type: 'http', url: `${target.url}/v1/orders` });
    const one = await api('GET', '/api/profiles/orders');
    assert.equal(one.json.text, readFileSync(join(ws.profiles, 'orders.yaml'), 'utf8'));
    const connections = await api('GET', '/api/connections');
    assert.deepEqual((connections.json.connections as Record<string, unknown>[])[0], {
      name: 'erp-sftp', type: 'sftp', host: '127.0.0.1', port: 2222, user: 'ferry', password: '***', hostKey: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    assert.equal((await api('GET', '/api/profiles/nope')).status, 404);
  });

  it('refuses an invalid profile with every problem and writes nothing', async () => {
    const text = 'version: 1\nfields:\n  qty: { from: Qty, type: integr }\n  sku: { from: SKU }\ntarget:\n  type: http\n  url: not a url\nonError: sometimes\n';
    const res = await api('PUT', '/api/profiles/broken', { body: text, type: 'application/yaml' });
    assert.equal(res.status, 422);
    const problems = res.json.problems as { path: string; line: number; message: string }[];
    assert.ok(problems.some((p) => p.path === 'fields.qty.type' && p.line === 3), JSON.stringify(problems));
    assert.ok(problems.some((p) => p.path === 'target.url' && p.line === 7), JSON.stringify(problems));
    assert.ok(problems.some((p) => p.path === 'onError' && p.line === 8), JSON.stringify(problems));
    assert.ok(problems.length >= 3, `every problem, not only the first: ${JSON.stringify(problems)}`);
    assert.equal(existsSync(join(ws.profiles, 'broken.yaml')), false);
    assert.equal((await api('PUT', '/api/profiles/big', { body: Buffer.alloc(2 << 20, 0x61), type: 'application/yaml' })).status, 413);
  });

  it('saves versions with who and when, shows a diff, sees edits on disk and rolls back', async () => {
    const v1 = ordersProfile(ws, target.url).replace(`dir: ${ws.inbox}`, `dir: ${join(ws.root, 'inbox2')}`).replace('trigger: { watch: true, every: 1s }', 'trigger: { every: 1h }');
    const first = await api('PUT', '/api/profiles/saved?note=first%20cut', { body: v1, type: 'application/yaml' });
    assert.equal(first.status, 201, first.text);
    assert.equal(first.json.version, 1);
    assert.equal(readFileSync(join(ws.profiles, 'saved.yaml'), 'utf8'), v1);
    assert.deepEqual(readdirSync(ws.profiles).filter((n) => n.endsWith('.tmp')), [], 'no temporary file left');
    const v2 = v1.replace('batchSize: 10', 'batchSize: 25');
    const second = await api('PUT', '/api/profiles/saved', { body: v2, type: 'text/yaml' });
    assert.equal(second.status, 200);
    assert.equal(second.json.version, 2);
    const v3 = v2.replace('batchSize: 25', 'batchSize: 50');
    writeFileSync(join(ws.profiles, 'saved.yaml'), v3);
    const read = await api('GET', '/api/profiles/saved');
    assert.equal(read.json.version, 3, 'an edit on disk shows up as a version of its own');
    const versions = (await api('GET', '/api/profiles/saved/versions')).json.versions as Record<string, unknown>[];
    assert.deepEqual(versions.map((v) => [v.version, v.savedBy, v.current]), [[3, 'disk', true], [2, 'alice', false], [1, 'alice', false]]);
    assert.equal(versions[2]?.note, 'first cut');
    assert.match(String(versions[1]?.savedAt), /^\d{4}-\d\d-\d\dT/);
    const diff = await api('GET', '/api/profiles/saved/diff?from=1&to=2');
    assert.match(String(diff.json.diff), /^-  batchSize: 10$/m);
    assert.match(String(diff.json.diff), /^\+  batchSize: 25$/m);
    const rollback = await api('POST', '/api/profiles/saved/rollback', { body: JSON.stringify({ version: 1 }), type: 'application/json' });
    assert.equal(rollback.status, 200, rollback.text);
    assert.equal(rollback.json.version, 1, 'the same text keeps its version number');
    assert.equal(readFileSync(join(ws.profiles, 'saved.yaml'), 'utf8'), v1);
    const saves = (await api('GET', '/api/profiles/saved/versions')).json.saves as Record<string, unknown>[];
    assert.deepEqual(saves.map((s) => [s.version, s.savedBy, s.note]).slice(0, 2), [[1, 'alice', 'rollback to v1'], [3, 'disk', 'edited on disk']]);
    const json = await api('PUT', '/api/profiles/as-json', { body: JSON.stringify({ version: 1, fields: { a: { from: 'A' } } }), type: 'application/json' });
    assert.equal(json.status, 201, json.text);
    assert.match(readFileSync(join(ws.profiles, 'as-json.yaml'), 'utf8'), /fields:\n\s+a:\n\s+from: A/);
  });

  it('takes a sample, detects its columns and previews an unsaved profile', async () => {
    const csv = 'Artikel;Menge;Preis\r\n0815;3;12,50\r\n0816;0;7,10\r\n';
    const sample = await api('POST', '/api/samples?name=stock.csv', { body: csv, type: 'text/csv' });
    assert.equal(sample.status, 201, sample.text);
    const detected = sample.json.detected as Record<string, unknown>;
    assert.equal(detected.format, 'csv');
    assert.equal(detected.delimiter, ';');
    assert.deepEqual(detected.columns, ['Artikel', 'Menge', 'Preis']);
    assert.deepEqual((sample.json.rows as unknown[])[0], { Artikel: '0815', Menge: '3', Preis: '12,50' });
    const profile = `version: 1\nformat: { type: csv, delimiter: ";" }\nfields:\n  sku: { from: Artikel }\n  qty: { from: Menge, type: integer, min: 1 }\n  price: { from: Preis, type: decimal, decimalSeparator: "," }\ntarget: { type: http, url: "${target.url}/v1/stock" }\n`;
    const preview = await api('POST', '/api/preview', { body: JSON.stringify({ profile, sample: sample.json.sample }), type: 'application/json' });
    assert.equal(preview.status, 200, preview.text);
    assert.deepEqual((preview.json.records as { record: unknown }[]).map((r) => r.record), [{ sku: '0815', qty: 3, price: '12.50' }]);
    const rejected = preview.json.rejected as { row: number; errors: { field: string }[] }[];
    assert.deepEqual(rejected.map((r) => [r.row, r.errors[0]?.field]), [[3, 'qty']]);
    assert.equal((preview.json.requests as unknown[]).length, 1);
    const invalid = await api('POST', '/api/preview', { body: JSON.stringify({ profile: 'version: 1\nfields: {}\nnope: 1\n', sample: sample.json.sample }), type: 'application/json' });
    assert.equal(invalid.status, 422);
    const saved = await api('POST', '/api/profiles/orders/preview?name=x.csv', { body: Buffer.from('Order No;Customer;SKU;Qty;Price;Date;Status\r\nA1;C;SKU-1;2;1,00;01.03.2026;O\r\n', 'latin1'), type: 'text/csv' });
    assert.equal(saved.status, 200, saved.text);
    assert.equal((saved.json.records as unknown[]).length, 1);
  });

  it('shows runs, batches and their rejected rows, hands out the result file, and reprocesses with the same keys', async () => {
    const file = join(ws.inbox, 'mixed.csv');
    writeOrdersCsv(file, 3, 'MIX');
    appendFileSync(file, Buffer.from('MIX-BAD;Kunde;SKU-1;0;1,00;01.03.2026;O;WH1;x\r\n', 'latin1'));
    const batch = await settled('mixed.csv');
    assert.equal(batch.status, 'partial');
    assert.deepEqual(batch.rows, { total: 4, delivered: 3, rejected: 1, failed: 0, skipped: 0 });
    const detail = await api('GET', `/api/batches/${String(batch.id)}`);
    assert.equal(detail.json.rowsTotal, 1);
    const rows = detail.json.rows as { row: number; status: string; error: string }[];
    assert.equal(rows[0]?.row, 5);
    assert.equal(rows[0]?.status, 'rejected');
    assert.match(rows[0]?.error ?? '', /qty/);
    const runs = (await api('GET', '/api/runs?profile=orders&status=partial')).json.runs as Record<string, unknown>[];
    const listed = runs.find((r) => r.id === batch.run);
    assert.equal(listed?.batches, 1);
    assert.deepEqual(listed?.rows, batch.rows, 'a run adds up its batches');
    const run = await api('GET', `/api/runs/${String(batch.run)}`);
    assert.deepEqual((run.json.batches as { id: string }[]).map((b) => b.id), [batch.id]);
    const result = await fetch(`${base}/api/batches/${String(batch.id)}/result`, { headers: { authorization: `Bearer ${READER}` } });
    assert.equal(result.status, 200);
    assert.match(result.headers.get('content-disposition') ?? '', /filename="mixed.result.csv"/);
    assert.deepEqual(Buffer.from(await result.arrayBuffer()), readFileSync(join(ws.results, 'mixed.result.csv')));

    const keysBefore = target.requests.filter((r) => JSON.stringify(r.json).includes('MIX-')).map((r) => r.idempotencyKey);
    const again = await api('POST', `/api/batches/${String(batch.id)}/reprocess`, { body: '{}', type: 'application/json' });
    assert.equal(again.status, 202, again.text);
    assert.equal(again.json.reprocessOf, batch.id);
    await until('the reprocess to settle', async () => (await api('GET', `/api/batches/${String(again.json.batch)}`)).json.batch !== undefined
      && ((await api('GET', `/api/batches/${String(again.json.batch)}`)).json.batch as Record<string, unknown>).state === 'done', 30_000);
    const keysAfter = target.requests.filter((r) => JSON.stringify(r.json).includes('MIX-')).map((r) => r.idempotencyKey);
    assert.deepEqual(keysAfter.slice(keysBefore.length), keysBefore, 'the resend carries the same idempotency keys');
    assert.equal((await api('POST', '/api/batches/b_nope/reprocess', { body: '{}', type: 'application/json' })).status, 404);

    const stats = await api('GET', '/api/stats?minutes=30');
    const buckets = stats.json.buckets as { rowsDelivered: number; rowsRejected: number; errorRate: number; latencyMs: number | null }[];
    assert.ok(buckets.reduce((n, b) => n + b.rowsDelivered, 0) >= 6);
    assert.ok(buckets.some((b) => b.errorRate > 0 && b.latencyMs !== null));
    const sources = await api('GET', '/api/sources');
    assert.ok((sources.json.sources as { profile: string; state: string }[]).some((s) => s.profile === 'orders' && s.state === 'ok'));
  });

  it('runs one named file of a folder on request, and refuses names that leave it', async () => {
    const inbox = join(ws.root, 'manual-inbox');
    const text = ordersProfile(ws, target.url).replace(`dir: ${ws.inbox}`, `dir: ${inbox}`).replace('trigger: { watch: true, every: 1s }', 'trigger: { cron: "0 0 1 1 *", timezone: UTC }');
    assert.equal((await api('PUT', '/api/profiles/manual', { body: text, type: 'application/yaml' })).status, 201);
    mkdirSync(inbox, { recursive: true });
    writeOrdersCsv(join(inbox, 'a.csv'), 2, 'MANA');
    writeOrdersCsv(join(inbox, 'b.csv'), 2, 'MANB');
    let answer: Answer | undefined;
    await until('the saved profile to run in the daemon', async () => {
      answer = await api('POST', '/api/profiles/manual/runs', { body: JSON.stringify({ file: 'b.csv' }), type: 'application/json' });
      return answer.status === 202;
    }, 15_000);
    assert.equal(answer?.json.file, 'b.csv');
    const runId = String(answer?.json.run);
    await until('the run to settle', async () => ((await api('GET', `/api/runs/${runId}`)).json.run as { status?: string } | undefined)?.status === 'completed', 30_000);
    const run = await api('GET', `/api/runs/${runId}`);
    assert.deepEqual((run.json.batches as { file: string }[]).map((b) => b.file), ['b.csv']);
    assert.ok(existsSync(join(inbox, 'a.csv')), 'the other file waits');
    for (const file of ['../x.csv', '/etc/passwd', '', 7]) {
      assert.equal((await api('POST', '/api/profiles/manual/runs', { body: JSON.stringify({ file }), type: 'application/json' })).status, 400, String(file));
    }
  });

  it('never logs or answers the secret', async () => {
    assert.doesNotMatch(daemon.log, new RegExp(`${CANARY}|${ADMIN}|${READER}`));
    for (const path of ['/api/profiles', '/api/connections', '/api/sources', '/healthz']) assert.doesNotMatch((await api('GET', path)).text, new RegExp(CANARY), path);
  });
});
