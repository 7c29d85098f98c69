/**
 * Bad input from servers (test plan B27, B28, B30–B32): hostile names in listings, symlinks,
 * injected commands, malicious FTP replies. Each runs the whole pipeline (`ferry run`) or the FTP
 * file system against a scripted server that logs every command it receives.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';

import { FerryError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { downloadToStaging } from '../../src/pipeline/download-file.js';
import { createFtpFs } from '../../src/remote/ftp/ftp-fs.js';
import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { assertInvariants } from '../support/invariants.js';
import { runCli } from '../support/run-cli.js';
import { startScriptedFtp, type ScriptedFtpServer } from '../support/scripted-ftp-server.js';
import { startSftpServer, type SftpTestServer } from '../support/sftp-server.js';
import { createWorkspace, ordersProfile, type Workspace } from '../support/workspace.js';
import { remoteProfile } from '../support/remote-profile.js';

interface RunJson {
  status: string;
  batches: { file: string; status: string; rows: { total: number; delivered: number }; resultFile: string | null; error: string | null }[];
}

const ORDERS = 'Order No;Qty\r\nA-1;1\r\nA-2;2\r\n';
const LONG_STEM = `${'n'.repeat(296)}`;

/** Every file below the workspace outside the folders ferry may write to. */
function strayFiles(ws: Workspace): string[] {
  return ws.files(ws.root).filter((f) => !/^(data|results|profiles|inbox)\//.test(f));
}

describe('B27: hostile names in an FTP listing, through ferry run', () => {
  let target: HttpTarget;
  let ftp: ScriptedFtpServer;
  let ws: Workspace;
  before(async () => {
    target = await startHttpTarget();
    // every hostile name resolves to a real file, so a client that followed one would get data
    const files: Record<string, string> = {
      '/export/good.csv': ORDERS, '/export/CON.csv': `${ORDERS}C-1;1\r\n`, [`/export/${LONG_STEM}.csv`]: `${ORDERS}L-1;1\r\n`,
      '/evil.csv': ORDERS, '/etc/cron.d/x.csv': ORDERS, '/export/y.csv': ORDERS, '/export/..\\..\\x.csv': ORDERS,
    };
    const line = (name: string): string => `-rw-r--r-- 1 ftp ftp ${(files[`/export/${name}`] ?? ORDERS).length} Mar 10 14:02 ${name}\r\n`;
    ftp = await startScriptedFtp({
      files,
      listing: (dir) => dir !== '/export' ? undefined : [
        line('good.csv'), line('CON.csv'), line(`${LONG_STEM}.csv`), line('../../evil.csv'), line('/etc/cron.d/x.csv'),
        line('..\\..\\x.csv'), line('a\u0000b.csv'), line('x\r\nDELE y.csv'), line('bad\rDELE y.csv'),
      ].join(''),
    });
    ws = createWorkspace();
    const connection = `{ type: ftp, insecure: true, host: ${ftp.host}, port: ${ftp.port}, user: ferry, password: "\${FERRY_TEST_FTP_PW}" }`;
    ws.writeProfile('orders', remoteProfile({ target: target.url, type: 'ftp', connection, encoding: 'utf-8', resultsTo: `{ dir: ${ws.results} }` }));
  });
  after(async () => {
    await ftp.close();
    await target.close();
    ws.remove();
  });

  it('takes only the plain names, stages under its own names and never sends an injected command', async () => {
    const r = await runCli(['run', 'orders', '--json'], { env: { ...ws.env, FERRY_TEST_FTP_PW: 'pw-canary-1' } });
    assert.equal(r.code, 0, r.stderr);
    const run = JSON.parse(r.stdout) as RunJson;
    assert.deepEqual(run.batches.map((b) => b.file).sort(), ['CON.csv', 'good.csv', `${LONG_STEM}.csv`].sort());
    assert.ok(run.batches.every((b) => b.status === 'completed' && b.rows.delivered === b.rows.total));

    const retrieved = ftp.log.filter((l) => l.startsWith('RETR')).sort();
    assert.deepEqual(retrieved, ['RETR /export/CON.csv', 'RETR /export/good.csv', `RETR /export/${LONG_STEM}.csv`].sort());
    assert.deepEqual(ftp.log.filter((l) => /^DELE\b/i.test(l) || l.includes('..') || l.includes('cron')), []);
    assert.ok(ftp.files.has('/export/y.csv') && ftp.files.has('/evil.csv') && ftp.files.has('/etc/cron.d/x.csv'));
    assert.ok(ftp.files.has('/export/processed/good.csv'), 'the source is moved to processed/ on the server');

    // result names come from the remote name, made safe and short enough for any file system
    const results = ws.files(ws.results);
    assert.equal(results.length, 3);
    assert.ok(results.every((n) => Buffer.byteLength(n) <= 255 && !n.includes('/')), results.join(', '));
    assert.deepEqual(strayFiles(ws), []);
    const summary = assertInvariants({ ledger: join(ws.data, 'ferry.db'), requests: target.requests, tempFree: [ws.results, ws.data], dataDir: ws.data, texts: [r.stdout, r.stderr], canaries: ['pw-canary-1'] });
    assert.deepEqual(summary.byStatus, { completed: 3 });
    assert.equal(summary.rows.delivered, 8);
  });
});

describe('B27, B28: hostile names and symlinks on an SFTP server, through ferry run', () => {
  let target: HttpTarget;
  let sftp: SftpTestServer;
  let ws: Workspace;
  before(async () => {
    target = await startHttpTarget();
    sftp = await startSftpServer();
    ws = createWorkspace();
    const exp = join(sftp.root, 'export');
    mkdirSync(exp, { recursive: true });
    // distinct contents: ferry skips content it has delivered before under another name
    ['good.csv', 'CON.csv', `${'n'.repeat(251)}.csv`, '..\\..\\x.csv', 'x\r\nDELE y.csv', 'y.csv'].forEach((name, i) => writeFileSync(join(exp, name), `${ORDERS}B-${i};1\r\n`));
    writeFileSync(join(ws.root, 'outside.csv'), ORDERS);
    symlinkSync('/dev/zero', join(exp, 'zero.csv'));
    symlinkSync('/etc/passwd', join(exp, 'passwd.csv'));
    symlinkSync(join(ws.root, 'outside.csv'), join(exp, 'outside.csv'));
    symlinkSync(join(exp, 'good.csv'), join(exp, 'alias.csv'));
    const connection = `{ type: sftp, host: ${sftp.host}, port: ${sftp.port}, user: ${sftp.user}, password: "\${FERRY_TEST_SFTP_PW}", hostKey: "${sftp.hostKeyFingerprint}" }`;
    ws.writeProfile('orders', remoteProfile({ target: target.url, type: 'sftp', connection, encoding: 'utf-8', resultsTo: `{ dir: ${ws.results} }` }));
  });
  after(async () => {
    await sftp.close();
    await target.close();
    ws.remove();
  });

  it('skips symlinks and names with separators or line breaks, and opens only plain files', async () => {
    const r = await runCli(['run', 'orders', '--json'], { env: { ...ws.env, FERRY_TEST_SFTP_PW: sftp.password }, timeoutMs: 20_000 });
    assert.equal(r.code, 0, r.stderr);
    const run = JSON.parse(r.stdout) as RunJson;
    assert.deepEqual(run.batches.map((b) => b.file).sort(), ['CON.csv', 'good.csv', `${'n'.repeat(251)}.csv`, 'y.csv'].sort());
    const opened = sftp.log.filter((l) => l.startsWith('OPEN ')).map((l) => l.replace(/ \S+$/, ''));
    assert.ok(!opened.some((l) => /zero|passwd|outside|alias|\\|DELE/.test(l)), opened.join('\n'));
    assert.ok(!sftp.log.some((l) => l.startsWith('REMOVE')), 'nothing is deleted on the server');
    assert.deepEqual(strayFiles(ws), ['outside.csv']);
    const summary = assertInvariants({ ledger: join(ws.data, 'ferry.db'), requests: target.requests, tempFree: [ws.results, ws.data], dataDir: ws.data });
    assert.deepEqual(summary.byStatus, { completed: 4 });
  });
});

describe('B30: a line break in a result name built from a run parameter', () => {
  let target: HttpTarget;
  let ftp: ScriptedFtpServer;
  let ws: Workspace;
  before(async () => {
    target = await startHttpTarget();
    ftp = await startScriptedFtp({ files: { '/import/keep.csv': 'keep' } });
    ws = createWorkspace();
    const connection = `{ type: ftp, insecure: true, host: ${ftp.host}, port: ${ftp.port}, user: ferry, password: "\${FERRY_TEST_FTP_PW}" }`;
    const profile = ordersProfile(ws, target.url)
      .replace('fields:\n', 'params:\n  tag: { default: none }\nfields:\n')
      .replace(`to: { dir: ${ws.results} }`, `to: { connection: ${connection}, dir: /import }`)
      .replace('name: "{stem}.result.csv"', 'name: "{stem}-{param.tag}.result.csv"\n  doneFile: true');
    ws.writeProfile('orders', profile);
    writeFileSync(join(ws.inbox, 'o.csv'), Buffer.from('Order No;Customer;SKU;Qty;Price;Date;Status\r\nP-1;X;SKU-1;1;1,00;01.03.2026;O\r\n', 'latin1'));
  });
  after(async () => {
    await ftp.close();
    await target.close();
    ws.remove();
  });

  it('sanitises the name before any command is sent: no injected DELE reaches the server', async () => {
    const r = await runCli(['run', 'orders', '--json', '--param', 'tag=x\r\nDELE /import/keep.csv\r\nRNFR y'], { env: { ...ws.env, FERRY_TEST_FTP_PW: 'pw' } });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(ftp.log.filter((l) => /^(DELE|RNFR y)\b/.test(l)), []);
    assert.ok(ftp.files.has('/import/keep.csv'));
    const stored = [...ftp.files.keys()].filter((p) => p.startsWith('/import/o-'));
    assert.equal(stored.length, 2, stored.join(', '));
    assert.ok(stored.every((p) => !/[\r\n]/.test(p)));
    assertInvariants({ ledger: join(ws.data, 'ferry.db'), requests: target.requests, tempFree: [ws.results], dataDir: ws.data });
  });
});

describe('malicious or quirky FTP servers (B28, B29, B31, B32)', () => {
  const servers: ScriptedFtpServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  const connection = (s: ScriptedFtpServer, timeout = 5): Parameters<typeof createFtpFs>[0] =>
    ({ type: 'ftp', insecure: true, host: s.host, port: s.port, user: 'ferry', password: 'pw', timeout });

  it('B32: a PASV reply naming 10.255.255.1 still transfers over the control host, and nothing connects elsewhere', async () => {
    const s = await startScriptedFtp({ pasvHost: '10.255.255.1', refuseEpsv: true, files: { '/in/a.csv': ORDERS } });
    servers.push(s);
    const fs = createFtpFs(connection(s));
    try {
      assert.deepEqual((await fs.list('/in')).map((e) => e.name), ['a.csv']);
      const chunks: Buffer[] = [];
      for await (const c of await fs.read('/in/a.csv')) chunks.push(c as Buffer);
      assert.equal(Buffer.concat(chunks).toString(), ORDERS);
    } finally {
      await fs.close();
    }
    assert.ok(s.log.includes('PASV'));
    // the data listener is on loopback only: a client that followed the 227 reply could not have reached it
    assert.equal(s.dataPeers.length, 2);
    assert.ok(s.dataPeers.every((p) => /^(::ffff:)?127\.0\.0\.1$/.test(p)), s.dataPeers.join(', '));
  });

  it('B31: an endless LIST stops at maxListingBytes with a clear error, and the connection stays usable', async () => {
    let sent = 0;
    const s = await startScriptedFtp({
      files: { '/in/a.csv': 'x' },
      listing: (dir) => dir !== '/big' ? undefined : new Readable({
        read() {
          sent += 64 * 1024;
          // 200 MB at most, should the client never stop reading
          this.push(sent > 200 * 1024 * 1024 ? null : '-rw-r--r-- 1 ftp ftp 1 Mar 10 14:02 filler.csv\r\n'.repeat(1300));
        },
      }),
    });
    servers.push(s);
    const fs = createFtpFs(connection(s, 2), { maxListingBytes: 1024 * 1024 });
    try {
      await assert.rejects(fs.list('/big'), (err) => err instanceof FerryError && /maxListingBytes/.test(err.message));
      assert.ok(sent < 50 * 1024 * 1024, `the server sent ${sent} bytes before the client hung up`);
      assert.deepEqual((await fs.list('/in')).map((e) => e.name), ['a.csv']);
    } finally {
      await fs.close();
    }
  });

  it('B28: a file that sends more bytes than listed (an endless RETR, like a link to /dev/zero) is cut at the listed size', async () => {
    let sent = 0;
    const s = await startScriptedFtp({
      files: { '/in/zero.csv': ORDERS },
      retr: () => new Readable({
        read() {
          sent += 64 * 1024;
          this.push(sent > 500 * 1024 * 1024 ? null : Buffer.alloc(64 * 1024));
        },
      }),
    });
    servers.push(s);
    const fs = createFtpFs(connection(s));
    const dir = mkdtempSync(join(tmpdir(), 'ferry-endless-'));
    try {
      const staged = join(dir, 'staging', 'b_1.csv');
      const outcome = downloadToStaging(fs, '/in/zero.csv', staged, ORDERS.length, { signal: new AbortController().signal, log: createLogger('silent'), attempts: 2 });
      await assert.rejects(outcome, (err) => err instanceof FerryError && /more than the .* bytes listed/.test(err.message));
      assert.ok(sent < 64 * 1024 * 1024, `the server sent ${sent} bytes before ferry hung up`);
      assert.deepEqual(readdirSync(join(dir, 'staging')), [], 'nothing is left in staging');
      assert.ok(!existsSync(staged));
    } finally {
      await fs.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('B29: falls back from a broken MLSD to LIST, and names with spaces and NFD letters round-trip byte for byte', async () => {
    const nfd = ' Bestellung Mu\u0308nchen 1.csv';
    const nfc = ' Bestellung M\u00fcnchen 1.csv';
    const s = await startScriptedFtp({ brokenMlsd: true, files: { [`/in/${nfd}`]: 'nfd', [`/in/${nfc}`]: 'nfc' } });
    servers.push(s);
    const fs = createFtpFs(connection(s));
    try {
      const listed = await fs.list('/in');
      assert.deepEqual(listed.map((e) => e.name).sort(), [nfd, nfc].sort());
      for (const [name, body] of [[nfd, 'nfd'], [nfc, 'nfc']] as const) {
        const chunks: Buffer[] = [];
        for await (const c of await fs.read(`/in/${name}`)) chunks.push(c as Buffer);
        assert.equal(Buffer.concat(chunks).toString(), body, 'the file asked for, not its look-alike');
      }
    } finally {
      await fs.close();
    }
    assert.ok(s.log.some((l) => l.startsWith('MLSD')) && s.log.some((l) => l.startsWith('LIST')), s.log.join('\n'));
  });
});
