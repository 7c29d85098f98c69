// Issue 11 point 3 / research S05, S09: secrets never in logs, API responses, result files or the
// ledger. Unique canary values are planted through ${ENV} and ${file:…} (target bearer, basic and
// OAuth2 client secrets, SFTP and FTP passwords, a password inside a URL, notification signing
// secrets, webhook token and secret, admin tokens); the daemon runs at debug level through good and
// failing paths (auth failures, connection refused, a notification endpoint that is down); then no
// canary may appear in stderr, in any answer of any GET route of the route table, in `ferry status`,
// in result files, notification bodies, the data folder or the raw ledger file.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { routeTable, samplePaths } from '../support/admin-routes.js';
import { DaemonProcess, until } from '../support/daemon-process.js';
import { startFtpServer, type FtpTestServer } from '../support/ftp-server.js';
import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { assertInvariants, readAllTexts } from '../support/invariants.js';
import { startOAuthServer, type OAuthServer } from '../support/oauth-server.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { runCli } from '../support/run-cli.js';
import { startSftpServer, type SftpTestServer } from '../support/sftp-server.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';

const canary = (what: string): string => `CANARY${what}${randomBytes(6).toString('hex')}`;
const C = {
  targetToken: canary('tgt'), basicPw: canary('basic'), oauthSecret: canary('oauth'), urlPw: canary('urlpw'), ftpPw: canary('ftp'),
  sftpBadPw: canary('sftpbad'), notifySecret: `whsec_${Buffer.from(canary('notify')).toString('base64')}`, notifyUrlPw: canary('hookpw'),
  hookToken: canary('hooktok'), hookSecret: canary('hooksec'), admin: canary('admin'), reader: canary('reader'),
};

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function folderProfile(ws: Workspace, id: string, target: string, extra = ''): string {
  const inbox = join(ws.root, `in-${id}`);
  mkdirSync(inbox, { recursive: true });
  return `version: 1
source: { type: local, dir: ${inbox}, include: ["*.csv"], stable: { minAge: 0s } }
trigger: { watch: true, every: 1s }
format: { type: csv, encoding: windows-1252, delimiter: ";" }
fields:
  orderId: { from: "Order No", required: true }
  qty:     { from: "Qty", type: integer }
key: [orderId]
target: ${target}
results: { to: { dir: ${ws.results} }, name: "${id}-{stem}.result.csv" }
${extra}`;
}

describe('secret canaries: never in logs, answers, result files or the ledger', () => {
  let good: HttpTarget;
  let strict: HttpTarget;
  let oauth: OAuthServer;
  let sftp: SftpTestServer;
  let ftp: FtpTestServer;
  let receiver: Server;
  const notificationBodies: string[] = [];
  let ws: Workspace;
  let daemon: DaemonProcess | undefined;
  let base = '';

  before(async () => {
    good = await startHttpTarget({ requireBearer: C.targetToken });
    strict = await startHttpTarget({ requireBearer: 'only-this-one' });
    oauth = await startOAuthServer({ clientId: 'ferry', clientSecret: 'the-right-secret' });
    sftp = await startSftpServer();
    ftp = await startFtpServer();
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        notificationBodies.push(`${JSON.stringify(req.headers)}\n${Buffer.concat(chunks).toString('utf8')}`);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/ferry`;
    const down = await closedPort();

    ws = createWorkspace();
    const secrets = join(ws.root, 'secrets');
    mkdirSync(secrets);
    mkdirSync(ws.profiles, { recursive: true });
    const file = (name: string, value: string): string => {
      writeFileSync(join(secrets, name), `${value}\n`, { mode: 0o600 });
      return `\${file:${join(secrets, name)}}`;
    };
    writeFileSync(join(ws.profiles, 'connections.yaml'), [
      `erp-sftp: { type: sftp, host: 127.0.0.1, port: ${sftp.port}, user: ${sftp.user}, password: "${file('sftp.pw', sftp.password)}", hostKey: "${sftp.hostKeyFingerprint}" }`,
      `bad-sftp: { type: sftp, host: 127.0.0.1, port: ${sftp.port}, user: ${sftp.user}, password: "\${SFTP_BAD_PW}", hostKey: "${sftp.hostKeyFingerprint}" }`,
      `bad-ftp: { type: ftp, insecure: true, host: 127.0.0.1, port: ${ftp.port}, user: ${ftp.user}, password: "${file('ftp.pw', C.ftpPw)}" }`,
      '',
    ].join('\n'));
    ws.writeProfile('orders', `${ordersProfile(ws, good.url).replace('  timeout: 5s\n', '  timeout: 5s\n  auth: { type: bearer, token: "${TARGET_TOKEN}" }\n')}notify:
  - { url: "${receiverUrl}", secret: "${file('notify.key', C.notifySecret)}", allowPrivate: true }
  - { url: "http://hook:\${NOTIFY_URL_PW}@127.0.0.1:${down}/ferry", secret: "\${NOTIFY_SECRET}", allowPrivate: true }
`);
    ws.writeProfile('basic', folderProfile(ws, 'basic', `{ type: http, url: "${strict.url}/v1/orders", auth: { type: basic, user: ferry, password: "\${BASIC_PW}" }, retry: { attempts: 2, baseDelay: 20ms } }`));
    ws.writeProfile('oauth', folderProfile(ws, 'oauth', `{ type: http, url: "${good.url}/v1/orders", auth: { type: oauth2, tokenUrl: "${oauth.tokenUrl}", clientId: ferry, clientSecret: "${file('oauth.secret', C.oauthSecret)}" }, retry: { attempts: 2, baseDelay: 20ms } }`));
    ws.writeProfile('refused', folderProfile(ws, 'refused', `{ type: http, url: "http://svc:\${URL_PW}@127.0.0.1:${down}/v1/orders", retry: { attempts: 2, baseDelay: 20ms, maxDelay: 50ms } }`));
    ws.writeProfile('hooked', folderProfile(ws, 'hooked', `{ type: http, url: "${good.url}/v1/orders", auth: { type: bearer, token: "\${TARGET_TOKEN}" } }`)
      .replace('trigger: { watch: true, every: 1s }', 'trigger: { webhook: { token: "${HOOK_TOKEN}", secret: "${HOOK_SECRET}" } }'));
    const remote = (id: string, connection: string, dir: string): string => folderProfile(ws, id, `{ type: http, url: "${good.url}/v1/orders", auth: { type: bearer, token: "\${TARGET_TOKEN}" } }`)
      .replace(/source: .*\n/, `source: { type: ${connection === 'bad-ftp' ? 'ftp' : 'sftp'}, connection: ${connection}, dir: ${dir}, include: ["*.csv"], stable: { minAge: 0s, checks: 1 } }\n`);
    mkdirSync(join(sftp.root, 'export'), { recursive: true });
    writeOrdersCsv(join(sftp.root, 'export', 'remote.csv'), 3, 'SFTP');
    ws.writeProfile('sftpin', remote('sftpin', 'erp-sftp', '/export'));
    ws.writeProfile('sftpbad', remote('sftpbad', 'bad-sftp', '/export'));
    ws.writeProfile('ftpbad', remote('ftpbad', 'bad-ftp', '/'));

    writeOrdersCsv(join(ws.inbox, 'good.csv'), 4, 'GOOD');
    for (const id of ['basic', 'oauth', 'refused']) writeOrdersCsv(join(ws.root, `in-${id}`, `${id}.csv`), 2, id.toUpperCase());
    const started = new DaemonProcess(ws, {
      FERRY_LOG_LEVEL: 'debug', FERRY_NOTIFY_BASE_DELAY: '100', TARGET_TOKEN: C.targetToken, BASIC_PW: C.basicPw, URL_PW: C.urlPw, SFTP_BAD_PW: C.sftpBadPw,
      NOTIFY_SECRET: C.notifySecret, NOTIFY_URL_PW: C.notifyUrlPw, HOOK_TOKEN: C.hookToken, HOOK_SECRET: C.hookSecret,
      FERRY_ADMIN_TOKENS: `alice:admin=${C.admin},bob:read=${C.reader}`,
    });
    daemon = started;
    base = await started.ready();
  });
  after(async () => {
    daemon?.kill();
    await Promise.all([good.close(), strict.close(), oauth.close(), sftp.close(), ftp.close(), new Promise<void>((resolve) => receiver.close(() => resolve()))]);
    ws.remove();
  });

  it('keeps every canary out of every output, on good and failing paths', async () => {
    const d = daemon;
    assert.ok(d !== undefined);
    const api = async (path: string, token = C.admin): Promise<string> => {
      const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      return `${res.status} ${path}\n${JSON.stringify([...res.headers])}\n${await res.text()}`;
    };
    const batches = async (): Promise<{ id: string; profile: string; state: string; status: string; run?: string }[]> =>
      (JSON.parse((await api('/api/batches?limit=100')).replace(/^[^\n]*\n[^\n]*\n/, '')) as { batches: { id: string; profile: string; state: string; status: string }[] }).batches;
    // the calls a user makes with secrets in hand: a wrong and a right webhook token
    assert.equal((await fetch(`${base}/hooks/hooked`, { method: 'POST', headers: { authorization: `Bearer ${C.hookToken}x` }, body: '{}' })).status, 401);
    assert.equal((await fetch(`${base}/hooks/hooked`, { method: 'POST', headers: { authorization: `Bearer ${C.hookToken}` }, body: '{}' })).status, 202);
    await until('good, auth-failing, refused and SFTP batches to settle', async () => {
      const done = (await batches()).filter((b) => b.state === 'done').map((b) => b.profile);
      return ['orders', 'basic', 'oauth', 'refused', 'sftpin'].every((p) => done.includes(p));
    }, 40_000);
    await until('notifications delivered and the down endpoint tried twice', () => notificationBodies.length >= 2 && (d.log.match(/ECONNREFUSED/g) ?? []).length >= 3, 20_000);
    await until('the bad SFTP and FTP logins to be refused', () => /sftp:\/\/ferry@127\.0\.0\.1:\d+: the server refused the login/.test(d.log) && /ftp:\/\/ferry@127\.0\.0\.1:\d+: login refused/.test(d.log), 20_000);
    const byProfile = new Map((await batches()).map((b) => [b.profile, b.status]));
    assert.equal(byProfile.get('orders'), 'completed');
    assert.equal(byProfile.get('sftpin'), 'completed');
    for (const p of ['basic', 'oauth', 'refused']) assert.notEqual(byProfile.get(p), 'completed', `${p} fails`);

    // every GET route of the route table, with every id the daemon knows
    const ids = [...new Set([...(await batches()).flatMap((b) => [b.id, b.run ?? '']), 'orders', 'basic', 'oauth', 'refused', 'hooked', 'sftpin', 'sftpbad', 'ftpbad', 'connections'])].filter((x) => x !== '');
    const runs = JSON.parse((await api('/api/runs?limit=100')).replace(/^[^\n]*\n[^\n]*\n/, '')) as { runs: { id: string }[] };
    ids.push(...runs.runs.map((r) => r.id));
    const answers: string[] = [];
    for (const r of (await routeTable()).filter((x) => x.method === 'GET')) {
      const paths = samplePaths(r, ids);
      assert.ok(paths.length > 0, String(r.path));
      for (const p of paths) {
        answers.push(await api(p));
        if (p.startsWith('/api/')) answers.push(await api(p, C.reader));
      }
    }
    for (const p of ['/api/profiles/orders/diff?from=1', '/api/notifications?status=dead', '/api/notifications?limit=100', '/api/stats?days=7']) answers.push(await api(p));
    assert.ok(answers.some((a) => a.startsWith('200 /api/profiles/orders\n')), 'the profile was read');
    assert.ok(answers.some((a) => /^200 \/api\/batches\/b_\w+\/result\n/.test(a)), 'a result file was fetched');

    await d.stop();
    const cli = await Promise.all([['status', '--json'], ['status'], ['check'], ['profiles']].map((args) => runCli(args, { env: { ...ws.env, FERRY_LOG_LEVEL: 'debug', TARGET_TOKEN: C.targetToken, BASIC_PW: C.basicPw, URL_PW: C.urlPw, SFTP_BAD_PW: C.sftpBadPw, NOTIFY_SECRET: C.notifySecret, NOTIFY_URL_PW: C.notifyUrlPw, HOOK_TOKEN: C.hookToken, HOOK_SECRET: C.hookSecret } })));
    const ledger = join(ws.data, 'ferry.db');
    const labelled: [string, string][] = [
      ['daemon stderr', d.log], ...answers.map((a): [string, string] => [`API ${a.split('\n')[0] ?? ''}`, a]),
      ...notificationBodies.map((b, i): [string, string] => [`notification #${i}`, b]), ...cli.map((r, i): [string, string] => [`ferry CLI #${i}`, `${r.stdout}\n${r.stderr}`]),
      ...readAllTexts(ws.results).map((t, i): [string, string] => [`result file #${i}`, t]), ...readAllTexts(ws.data).map((t, i): [string, string] => [`data file #${i}`, t]),
      ...readAllTexts(sftp.root).map((t, i): [string, string] => [`SFTP file #${i}`, t]),
      ...[ledger, `${ledger}-wal`].filter((f) => existsSync(f)).map((f): [string, string] => [f, readFileSync(f, 'latin1')]),
    ];
    const canaries = [...Object.values(C), Buffer.from(`ferry:${C.basicPw}`).toString('base64'), Buffer.from(`ferry:${C.oauthSecret}`).toString('base64'), sftp.password, C.notifySecret.slice('whsec_'.length)];
    const leaks = labelled.flatMap(([label, text]) => canaries.filter((c) => text.includes(c)).map((c) => {
      const at = text.indexOf(c);
      return `${label}: ${c.slice(0, 12)}… in ${JSON.stringify(text.slice(Math.max(0, at - 160), at + c.length + 40))}`;
    }));
    assert.deepEqual(leaks, [], 'no secret in any output');
    assert.match(d.log, /"level":20/, 'the daemon logged at debug level');
    // the failing paths were really taken
    assert.match(d.log, /refused our credentials \(401\)/, 'basic auth refused');
    assert.match(d.log, /refused our client credentials/, 'OAuth2 client secret refused');
    assert.match(d.log, /E_TARGET_UNAVAILABLE[\s\S]*ECONNREFUSED|ECONNREFUSED[\s\S]*E_TARGET_UNAVAILABLE/, 'target connection refused');
    assert.match(d.log, /sftp:\/\/ferry@127\.0\.0\.1:\d+: the server refused the login/, 'SFTP login refused');
    assert.match(d.log, /ftp:\/\/ferry@127\.0\.0\.1:\d+: login refused/, 'FTP login refused');
    const texts = labelled.map(([, t]) => t);
    assertInvariants({ ledger, texts, canaries, requests: good.requests, tempFree: [ws.results], dataDir: ws.data, allowUnfinished: true });
  });
});
