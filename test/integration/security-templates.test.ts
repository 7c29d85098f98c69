// Issue 11 point 3 / research §3.5: result name templates fed with hostile run parameters and
// hostile source file names (.., separators, CR/LF, long multibyte names) write only inside the
// result folder. Hostile names in a server's LIST (B27–B30) are the bad-input suite's; the name
// function itself is fed every hostile value in test/unit/pipeline/name-template-traversal.test.ts.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { startPagedApi } from '../support/paged-api.js';
import { DaemonProcess, until } from '../support/daemon-process.js';
import { assertInvariants } from '../support/invariants.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { runCli } from '../support/run-cli.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}

describe('result name templates with hostile parameters and file names', () => {
  let target: HttpTarget;
  let ws: Workspace;
  before(async () => {
    target = await startHttpTarget();
    ws = createWorkspace();
    ws.writeProfile('orders', ordersProfile(ws, target.url)
      .replace('fields:\n', 'params:\n  tag: { default: plain }\nfields:\n')
      .replace('name: "{stem}.result.csv"', 'name: "{param.tag}-{stem}.result.csv"'));
  });
  after(async () => {
    await target.close();
    ws.remove();
  });

  it('writes every result inside the result folder, whatever the parameter and the source name', async () => {
    const names = ['a\r\nb.csv', 'x..y.csv', '-..-.csv', `${'€'.repeat(80)}.csv`, 'tab\tname.csv'];
    names.forEach((n, i) => writeOrdersCsv(join(ws.inbox, n), 2, `T${i}`));
    const first = await runCli(['run', 'orders', '--json', '--param', 'tag=../../../../tmp/ferry-escape'], { env: { ...ws.env, FERRY_LOG_LEVEL: 'warn' } });
    assert.equal(first.code, 0, first.stderr);
    writeOrdersCsv(join(ws.inbox, 'long.csv'), 2, 'TL');
    const second = await runCli(['run', 'orders', '--json', '--param', `tag=${'€'.repeat(120)}/../..`], { env: ws.env });
    assert.equal(second.code, 0, second.stderr);
    writeOrdersCsv(join(ws.inbox, 'crlf.csv'), 2, 'TC');
    const third = await runCli(['run', 'orders', '--json', '--param', 'tag=..\r\n..\\..\\x'], { env: ws.env });
    assert.equal(third.code, 0, third.stderr);

    const results = ws.files(ws.results);
    // a source name with a line break is not taken at all: skipped with a warning, left where it is
    assert.match(first.stderr + first.stdout, /skipping a file whose name cannot be used safely/);
    assert.ok(ws.files(ws.inbox).includes('a\r\nb.csv'));
    assert.equal(results.length, names.length - 1 + 2, results.join(' | '));
    for (const r of results) {
      assert.ok(!r.includes('/') && !/[\r\n\t\\]/.test(r), `one plain name in results/: ${JSON.stringify(r)}`);
      assert.ok(Buffer.byteLength(r) <= 200, `${r.slice(0, 20)}… fits`);
    }
    // nothing anywhere else in the workspace but the inbox, profiles, data and results
    for (const f of walk(ws.root)) assert.match(relative(ws.root, f), /^(inbox|profiles|data|results)\//, f);
    assertInvariants({ ledger: join(ws.data, 'ferry.db'), requests: target.requests, tempFree: [ws.results, ws.inbox], dataDir: ws.data });
  });

  it('writes an export under a name from a hostile parameter inside its target folder', async () => {
    const api = await startPagedApi(3);
    try {
      const outbox = join(ws.root, 'results', 'exports');
      ws.writeProfile('exp', `version: 1
kind: export
source: { type: http, url: "${api.url}/page", allowPrivate: true, items: items, next: { page: page } }
params:
  part: { default: all }
fields:
  id: { from: id }
format: { type: csv }
target: { dir: ${outbox}, name: "orders-{param.part}-{date:yyyyMMdd}.csv", doneFile: true }
`);
      const r = await runCli(['run', 'exp', '--json', '--param', 'part=../../../../../tmp/ferry-export-escape\r\nDELE x'], { env: ws.env });
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const file = (JSON.parse(r.stdout) as { file: string }).file;
      assert.equal(relative(outbox, file).includes('/'), false, file);
      const written = ws.files(outbox);
      assert.equal(written.length, 2, written.join(' | '));
      for (const f of written) assert.ok(!f.includes('/') && !/[\r\n]/.test(f), JSON.stringify(f));
      for (const f of walk(ws.root)) assert.match(relative(ws.root, f), /^(inbox|profiles|data|results)\//, f);
    } finally {
      await api.close();
    }
  });

  it('stores and names an upload inside its folders, whatever name the caller gives', async () => {
    const w = createWorkspace();
    w.writeProfile('inbound', ordersProfile(w, target.url)
      .replace(/source:\n(?: {2}.*\n)+/, 'source:\n  type: http\n  token: "${UPLOAD_TOKEN}"\n')
      .replace('trigger: { watch: true, every: 1s }\n', ''));
    const daemon = new DaemonProcess(w, { UPLOAD_TOKEN: 'upload-token-tpl' });
    try {
      const base = await daemon.ready();
      const names = ['../../../../tmp/ferry-upload-escape.csv', '..\\..\\x.csv', 'a\r\nb.csv', '..', `${'€'.repeat(120)}.csv`];
      for (const [i, name] of names.entries()) {
        writeOrdersCsv(join(w.root, 'body.csv'), 2, `UP${i}`);
        const body = readFileSync(join(w.root, 'body.csv'));
        const res = await fetch(`${base}/upload/inbound?name=${encodeURIComponent(name)}`, { method: 'POST', headers: { authorization: 'Bearer upload-token-tpl' }, body });
        const json = (await res.json()) as { file: string };
        assert.equal(res.status, 202, JSON.stringify(json));
        assert.ok(!json.file.includes('/') && !/[\r\n\\]/.test(json.file) && !json.file.startsWith('.'), JSON.stringify(json.file));
      }
      // checked once every batch has settled (a settling batch removes its spool and its upload,
      // and a result file being written has a temporary name) and the daemon has stopped
      const left = (dir: string): number => (existsSync(dir) ? readdirSync(dir).length : 0);
      await until('a result file for every upload', () => w.files(w.results).filter((f) => !f.endsWith('.part')).length === names.length, 20_000);
      await until('every upload settled', () => left(join(w.data, 'spool')) + left(join(w.data, 'uploads')) === 0, 20_000);
      await daemon.stop();
      for (const r of w.files(w.results)) assert.ok(!r.includes('/') && Buffer.byteLength(r) <= 200, JSON.stringify(r));
      for (const f of walk(w.root)) assert.match(relative(w.root, f), /^(inbox|profiles|data|results|body\.csv$)/, f);
      assertInvariants({ ledger: join(w.data, 'ferry.db'), requests: target.requests, tempFree: [w.results], dataDir: w.data });
    } finally {
      await daemon.stop();
      w.remove();
    }
  });
});
