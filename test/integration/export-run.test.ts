import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import iconv from 'iconv-lite';

import { DaemonProcess, until } from '../support/daemon-process.js';
import { startPagedApi, type PagedApi } from '../support/paged-api.js';
import { startSftpServer } from '../support/sftp-server.js';
import { runCli } from '../support/run-cli.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { createWorkspace, type Workspace } from '../support/workspace.js';

interface ExportJson {
  status: string;
  file: string | null;
  records: number;
  since: string;
  error: string | null;
}

function exportProfile(api: string, path: string, next: string, outbox: string, extra = ''): string {
  return `version: 1
kind: export
source:
  type: http
  url: "${api}${path}?updatedSince={since}"
  auth: { type: bearer, token: "\${API_TOKEN}" }
  allowPrivate: true
${next}
fields:
  "Order No": { from: id }
  "Customer": { from: customer/name }
  "Total":    { from: total, type: decimal, scale: 2 }
format: { type: csv, delimiter: ";", encoding: windows-1252 }
target: { dir: ${outbox}, name: "orders-{param.since}{date:yyyyMMdd}.csv", doneFile: true }
${extra}`;
}

describe('exports: API pages → file for the customer (kind: export)', () => {
  let api: PagedApi;
  let receiver: WebhookReceiver;
  let ws: Workspace;
  let env: Record<string, string>;
  before(async () => {
    api = await startPagedApi(25);
    receiver = await startWebhookReceiver('exp-secret');
    ws = createWorkspace();
    env = { ...ws.env, API_TOKEN: 'api-token-1' };
  });
  after(async () => {
    await api.close();
    await receiver.close();
    ws.remove();
  });

  const styles: [string, string, string][] = [
    ['link', '/link', '  next: { link: true }'],
    ['cursor', '/cursor', '  items: data\n  next: { cursor: meta.next, param: cursor }'],
    ['page', '/page', '  items: items\n  next: { page: page }'],
    ['offset', '/offset', '  items: results\n  next: { offset: offset, size: 10 }'],
  ];
  for (const [style, path, next] of styles) {
    it(`reads every page (${style}) and delivers one file with a done file`, async () => {
      const outbox = join(ws.root, `out-${style}`);
      ws.writeProfile(`exp-${style}`, exportProfile(api.url, path, next, outbox));
      const r = await runCli(['run', `exp-${style}`, '--json'], { env });
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const run = JSON.parse(r.stdout) as ExportJson;
      assert.equal(run.records, 25);
      assert.equal(run.since, '');
      const files = readdirSync(outbox).sort();
      assert.equal(files.length, 2, files.join(', '));
      const csv = iconv.decode(readFileSync(join(outbox, files[0] ?? '')), 'win1252').split('\r\n');
      assert.equal(csv[0], 'Order No;Customer;Total');
      assert.equal(csv[1], 'SO-0001;Kunde 1 „Ü“;10.50');
      assert.equal(csv.filter((l) => l !== '').length, 26);
      assert.ok(files[1]?.endsWith('.done'));
      assert.ok(api.calls.every((c) => c.authorization === 'Bearer api-token-1'));
    });
  }

  it('keeps a watermark: the next run asks for what changed since the last one started; empty: header', async () => {
    const before = api.calls.length;
    const r = await runCli(['run', 'exp-cursor', '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    const run = JSON.parse(r.stdout) as ExportJson;
    assert.match(run.since, /^\d{4}-\d\d-\d\dT/);
    assert.equal(api.calls[before]?.query.updatedSince, run.since);
    assert.equal(run.records, 0);
    assert.ok(run.file !== null && existsSync(run.file));
    assert.equal(readFileSync(run.file, 'latin1'), 'Order No;Customer;Total\r\n', 'an empty export has its header');
  });

  it('writes no file for an empty export with empty: skip, and takes since from --param', async () => {
    const outbox = join(ws.root, 'out-skip');
    ws.writeProfile('exp-skip', exportProfile(api.url, '/page', '  items: items\n  next: { page: page }', outbox, 'empty: skip\n'));
    const r = await runCli(['run', 'exp-skip', '--param', 'since=2026-11-01', '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    const run = JSON.parse(r.stdout) as ExportJson;
    assert.equal(run.since, '2026-11-01');
    assert.equal(run.file, null);
    assert.ok(!existsSync(outbox) || readdirSync(outbox).length === 0);
  });

  it('fails without moving the watermark when the API refuses, and tells the customer (export.failed)', async () => {
    ws.writeProfile('exp-fail', `${exportProfile(api.url, '/page', '  items: items\n  next: { page: page }', join(ws.root, 'out-fail'))}notify:\n  - { url: "${receiver.url}", secret: exp-secret, allowPrivate: true }\n`.replace('secret: exp-secret', 'secret: "${EXP_SECRET}"'));
    api.failWith(403);
    try {
      const r = await runCli(['run', 'exp-fail', '--json'], { env: { ...env, EXP_SECRET: 'exp-secret' } });
      assert.equal(r.code, 1);
      assert.match((JSON.parse(r.stdout) as ExportJson).error ?? '', /E_EXPORT_SOURCE: .*HTTP 403/);
    } finally {
      api.failWith(0);
    }
    assert.equal(receiver.delivered().at(-1)?.body.type, 'export.failed');
    const again = await runCli(['run', 'exp-fail', '--json'], { env: { ...env, EXP_SECRET: 'exp-secret' } });
    const run = JSON.parse(again.stdout) as ExportJson;
    assert.equal(run.since, '', 'the failed run did not move the watermark');
    assert.equal(run.records, 25);
    assert.equal(receiver.delivered().at(-1)?.body.type, 'export.completed');
  });

  it('exports the same records again after a crash before the watermark is saved, under the same name', async () => {
    const outbox = join(ws.root, 'out-crash');
    ws.writeProfile('exp-crash', exportProfile(api.url, '/offset', '  items: results\n  next: { offset: offset, size: 10 }', outbox));
    const killed = await runCli(['run', 'exp-crash'], { env: { ...env, FERRY_CRASHPOINT: 'export-before-watermark' } });
    assert.equal(killed.signal, 'SIGKILL');
    const again = await runCli(['run', 'exp-crash', '--json'], { env });
    const run = JSON.parse(again.stdout) as ExportJson;
    assert.equal(run.since, '');
    assert.equal(run.records, 25);
    assert.equal(readdirSync(outbox).filter((n) => !n.endsWith('.done')).length, 1, 'one file, no partial one left');
    assert.deepEqual(readdirSync(join(ws.data, 'exports')), [], 'no work files left, the crashed run\'s included');
  });

  it('runs on its schedule in the daemon', async () => {
    const w = createWorkspace();
    const outbox = join(w.root, 'out-cron');
    w.writeProfile('exp-cron', exportProfile(api.url, '/link', '  next: { link: true }', outbox, 'trigger: { cron: "0 6 * * *", timezone: UTC }\n'));
    const daemon = new DaemonProcess(w, { API_TOKEN: 'api-token-1', FERRY_CLOCK_START: '2026-12-07T05:59:58Z', FERRY_CLOCK_RATE: '1', FERRY_ADMIN_TOKENS: 'adm-e' });
    try {
      await until('the scheduled export', () => existsSync(outbox) && readdirSync(outbox).some((n) => n.endsWith('.done')), 20_000);
      await until('the run to be recorded', async () => {
        const s = JSON.parse((await runCli(['status', '--json'], { env: w.env })).stdout) as { runs: { trigger: string; status: string }[] };
        return s.runs.some((r) => r.trigger === 'cron' && r.status === 'completed');
      });
      // and by hand through the API, with parameters
      const res = await fetch(`${await daemon.ready()}/api/profiles/exp-cron/runs`, { method: 'POST', headers: { authorization: 'Bearer adm-e' }, body: JSON.stringify({ params: { since: '2026-01-01' } }) });
      assert.equal(res.status, 202);
      const { run } = (await res.json()) as { run: string };
      await until('the API export', async () => {
        const s = JSON.parse((await runCli(['status', '--json'], { env: w.env })).stdout) as { runs: { id: string; trigger: string; status: string; params: Record<string, string> }[] };
        const found = s.runs.find((r) => r.id === run);
        return found?.status === 'completed' && found.trigger === 'api' && found.params.since === '2026-01-01';
      });
      assert.equal(api.calls.at(-1)?.query.updatedSince, '2026-01-01');
    } finally {
      await daemon.stop();
      w.remove();
    }
  });

  it('uploads the file to an SFTP server under a temporary name, then renames it', async () => {
    const sftp = await startSftpServer();
    try {
      const connection = `{ type: sftp, host: ${sftp.host}, port: ${sftp.port}, user: ${sftp.user}, password: "\${SFTP_PW}", hostKey: "${sftp.hostKeyFingerprint}" }`;
      ws.writeProfile('exp-sftp', exportProfile(api.url, '/cursor', '  items: data\n  next: { cursor: meta.next, param: cursor }', '/outbox').replace('target: { dir: /outbox,', `target: { connection: ${connection}, dir: /outbox,`));
      const r = await runCli(['run', 'exp-sftp', '--json'], { env: { ...env, SFTP_PW: sftp.password } });
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const run = JSON.parse(r.stdout) as ExportJson;
      assert.match(run.file ?? '', /^\/outbox\/orders-\d{8}\.csv$/);
      const files = readdirSync(join(sftp.root, 'outbox')).sort();
      assert.equal(files.length, 2);
      assert.equal(iconv.decode(readFileSync(join(sftp.root, 'outbox', files[0] ?? '')), 'win1252').split('\r\n').filter((l) => l !== '').length, 26);
      const writes = sftp.log.filter((l) => l.startsWith('WRITE ') || l.startsWith('RENAME ') || l.startsWith('POSIX-RENAME '));
      assert.ok(writes.some((l) => /RENAME .*\/outbox\/orders-\d{8}\.csv$/.test(l)), writes.join('; '));
    } finally {
      await sftp.close();
    }
  });

  it('keeps to source.rate between pages', async () => {
    ws.writeProfile('exp-rate', exportProfile(api.url, '/page', '  items: items\n  next: { page: page }\n  rate: 5/s', join(ws.root, 'out-rate')));
    const before = api.calls.length;
    const r = await runCli(['run', 'exp-rate', '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    const calls = api.calls.slice(before);
    assert.equal(calls.length, 4, 'three pages of records and the empty one');
    // 5/s: requests leave 200 ms apart. The first one's arrival is late by its connection set-up
    // (more on a loaded machine), so the spacing is measured from the second to the fourth: 400 ms
    // apart when they left, a few ms without a limit
    const span = (calls[3]?.at ?? 0) - (calls[1]?.at ?? 0);
    assert.ok(span >= 300, `requests 2 to 4 arrived ${span} ms apart; at 5/s they leave 400 ms apart`);
  });

  it('retries a page the API answers with 503, as source.retry says', async () => {
    ws.writeProfile('exp-retry', exportProfile(api.url, '/offset', '  items: results\n  next: { offset: offset, size: 10 }\n  retry: { attempts: 4, baseDelay: 50ms }', join(ws.root, 'out-retry')));
    api.failWith(503, 2);
    try {
      const r = await runCli(['run', 'exp-retry', '--json'], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as ExportJson).records, 25);
    } finally {
      api.failWith(0);
    }
  });

  it('refuses an API on a private address without source.allowPrivate, at check and at run time', async () => {
    const w = createWorkspace();
    try {
      w.writeProfile('leaky', exportProfile('http://169.254.169.254', '/latest', '', join(w.root, 'x')).replace('  allowPrivate: true\n', ''));
      const check = await runCli(['check'], { env: { ...w.env, API_TOKEN: 't' } });
      assert.equal(check.code, 2);
      assert.match(check.stdout + check.stderr, /source\.url: 169\.254\.169\.254 is a loopback, private or link-local address; exports read from there only with allowPrivate: true/);
    } finally {
      w.remove();
    }
  });

  it('writes decimal commas when format.decimalSeparator is ","', async () => {
    const outbox = join(ws.root, 'out-comma');
    ws.writeProfile('exp-comma', exportProfile(api.url, '/link', '  next: { link: true }', outbox).replace('format: { type: csv, delimiter: ";", encoding: windows-1252 }', 'format: { type: csv, delimiter: ";", decimalSeparator: ",", encoding: windows-1252 }'));
    const r = await runCli(['run', 'exp-comma', '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    const file = (JSON.parse(r.stdout) as ExportJson).file ?? '';
    const lines = iconv.decode(readFileSync(file), 'win1252').split('\r\n');
    assert.equal(lines[1], 'SO-0001;Kunde 1 „Ü“;10,50');
  });
});
