import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { REPO_ROOT, runCli } from '../support/run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'ferry-check-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function profilesDir(name: string, files: Record<string, string>): string {
  const dir = join(tmp, name, 'profiles');
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

describe('ferry check', () => {
  it('passes on the example profiles of the repository', async () => {
    const r = await runCli(['check']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const profiles = readdirSync(join(REPO_ROOT, 'profiles')).filter((f) => /\.ya?ml$/.test(f) && f !== 'connections.yaml' && !/\.test\.ya?ml$/.test(f));
    assert.match(r.stderr, new RegExp(`^${profiles.length} profiles and 1 connection valid`, 'm'));
  });

  it('passes on the remote examples once their secrets are given, and names each missing one otherwise', async () => {
    const ok = await runCli(['check', '--profiles', 'profiles/examples'], { env: { ERP_SFTP_KEY: 'key', PARTNER_FTP_PASSWORD: 'pw', ORDERS_API_TOKEN: 'token', PLANT_AMQP_URL: 'amqps://ferry:pw@mq.example.com/mes' } });
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stderr, /5 profiles and 3 connections valid/);
    const missing = await runCli(['check', '--profiles', 'profiles/examples'], { env: { ERP_SFTP_KEY: '', PARTNER_FTP_PASSWORD: '', ORDERS_API_TOKEN: '', PLANT_AMQP_URL: '' } });
    assert.equal(missing.code, 2);
    assert.match(missing.stdout, /connections\.yaml:\d+ plant-bus\.url: environment variable PLANT_AMQP_URL is not set/);
    assert.match(missing.stdout, /connections\.yaml:\d+ erp-sftp\.privateKey: environment variable ERP_SFTP_KEY is not set/);
    assert.match(missing.stdout, /connections\.yaml:\d+ partner-ftps\.password: environment variable PARTNER_FTP_PASSWORD is not set/);
  });

  it('lists every problem as file:line key.path: message and exits 2', async () => {
    const dir = profilesDir('many', {
      'broken.yaml': [
        'version: 1',
        'format:',
        '  type: csvv',
        '  delimter: ";"',
        'fields:',
        '  qty: { from: Qty, type: integr, min: 1 }',
        '  price: { type: decimal }',
        '  gross: { expr: "price * qty *", type: decimal }',
        '  status: { from: Status, lookup: nowhere }',
        'key: [orderNo]',
        'maxRejected: lots',
        'target:',
        '  type: http',
        '  url: not a url',
        '',
      ].join('\n'),
      'fine.yaml': 'version: 1\nfields:\n  a: { from: A }\n',
    });
    const r = await runCli(['check', '--profiles', dir]);
    assert.equal(r.code, 2);
    const lines = r.stdout.trim().split('\n');
    const expect = (line: number, path: string, text: RegExp): void => {
      const hit = lines.find((l) => l.startsWith(`${dir}/broken.yaml:${line} ${path}: `) || l.includes(`broken.yaml:${line} ${path}: `));
      assert.ok(hit, `no problem reported at line ${line} ${path}; got:\n${lines.join('\n')}`);
      assert.match(hit, text);
    };
    expect(3, 'format.type', /allowed: csv, xlsx, xml, json, ndjson/);
    expect(4, 'format.delimter', /unknown key "delimter" \(did you mean "delimiter"\?\)/);
    expect(6, 'fields.qty.type', /allowed: string, integer, decimal, boolean, date, datetime/);
    expect(7, 'fields.price', /needs one of from .*value .*expr/);
    expect(11, 'maxRejected', /neither a row count nor a percentage/);
    expect(14, 'target.url', /not a URL/);
    assert.ok(lines.length >= 6, 'every problem is listed, not just the first');
    assert.match(r.stderr, /1 of 2 profiles invalid/);
  });

  it('reports mapping problems of a schema-valid profile with their lines', async () => {
    const dir = profilesDir('semantic', {
      'orders.yaml': [
        'version: 1',
        'fields:',
        '  gross: { expr: "price * 2", type: decimal }',
        '  price: { from: Price, type: decimal }',
        '  status: { from: Status, lookup: nowhere }',
        '  when: { from: Date, type: date, format: "dd.QQ.yyyy" }',
        'key: [orderNo]',
        '',
      ].join('\n'),
    });
    const r = await runCli(['check', '--profiles', dir]);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stdout, /orders\.yaml:3 fields\.gross\.expr: uses "price", which is mapped below this field/);
    assert.match(r.stdout, /orders\.yaml:5 fields\.status\.lookup: no lookup named "nowhere"/);
    assert.match(r.stdout, /orders\.yaml:6 fields\.when\.format: "dd\.QQ\.yyyy" is not a date pattern/);
    assert.match(r.stdout, /orders\.yaml:7 key\[0\]: "orderNo" is not a field of this profile/);
  });

  it('refuses literal secrets and reports unresolved references', async () => {
    const dir = profilesDir('secrets', {
      'connections.yaml': [
        'erp-sftp:',
        '  type: sftp',
        '  host: sftp.example.com',
        '  user: ferry',
        '  password: hunter2',
        '  hostKey: "SHA256:mDnLz3mDnLz3mDnLz3mDnLz3mDnLz3mDnLz3mDnLz3A"',
        'partner:',
        '  type: ftps',
        '  host: ftp.example.com',
        '  password: "${PARTNER_FTP_PASSWORD_NOT_SET}"',
        '',
      ].join('\n'),
      'push.yaml': [
        'version: 1',
        'source: { type: sftp, connection: erp-sftp, dir: /out }',
        'fields:',
        '  a: { from: A }',
        'target:',
        '  type: http',
        '  url: https://api.example.com/x',
        '  auth: { type: bearer, token: "${file:missing-token-file}" }',
        'results:',
        '  to: { connection: nowhere, dir: /in }',
        '',
      ].join('\n'),
    });
    const r = await runCli(['check', '--profiles', dir]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /connections\.yaml:5 erp-sftp\.password: is a literal secret, which is refused/);
    assert.match(r.stdout, /connections\.yaml:10 partner\.password: environment variable PARTNER_FTP_PASSWORD_NOT_SET is not set/);
    assert.match(r.stdout, /push\.yaml:8 target\.auth\.token: secret file .*missing-token-file cannot be read/);
    assert.match(r.stdout, /push\.yaml:10 results\.to\.connection: no connection named "nowhere"/);
    assert.doesNotMatch(r.stdout + r.stderr, /hunter2/, 'a secret is never echoed');
  });

  it('resolves ${ENV} and ${file:} and accepts named and inline connections', async () => {
    const dir = profilesDir('resolved', {
      'connections.yaml': 'drop:\n  type: ftps\n  host: ftp.example.com\n  user: ferry\n  password: "${FERRY_TEST_FTP_PW}"\n',
      'token': 'abc\n',
      'a.yaml': 'version: 1\nsource: { type: ftps, connection: drop, dir: /out }\nfields:\n  a: { from: A }\ntarget: { type: http, url: "https://${FERRY_TEST_HOST}/x", auth: { type: bearer, token: "${file:token}" } }\n',
      'b.yaml': 'version: 1\nsource:\n  type: sftp\n  dir: /out\n  connection: { type: sftp, host: h, user: u, privateKey: "${FERRY_TEST_KEY}", hostKey: "SHA256:mDnLz3mDnLz3mDnLz3mDnLz3mDnLz3mDnLz3mDnLz3A" }\nfields:\n  a: { from: A }\n',
    });
    const r = await runCli(['check', '--profiles', dir], { env: { FERRY_TEST_FTP_PW: 'pw', FERRY_TEST_HOST: 'api.example.com', FERRY_TEST_KEY: 'key' } });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /2 profiles and 1 connection valid/);
  });

  it('reports YAML syntax errors with their line', async () => {
    const dir = profilesDir('syntax', { 'bad.yaml': 'version: 1\nfields:\n  a: { from: A\n  b: x\n' });
    const r = await runCli(['check', '--profiles', dir]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /bad\.yaml:\d+ \(file\): YAML syntax error/);
  });
});
