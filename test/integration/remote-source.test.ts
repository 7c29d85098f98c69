import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startFtpServer, type FtpTestServer } from '../support/ftp-server.js';
import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { assertInvariants } from '../support/invariants.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { runCli } from '../support/run-cli.js';
import { startSftpServer, type SftpTestServer } from '../support/sftp-server.js';
import { createWorkspace, type Workspace } from '../support/workspace.js';
import { remoteProfile } from '../support/remote-profile.js';

interface RunJson {
  status: string;
  batches: { file: string; status: string; rows: { total: number; delivered: number }; resultFile: string | null; error: string | null }[];
}

describe('an SFTP server as source and result destination', () => {
  let target: HttpTarget;
  let sftp: SftpTestServer;
  let ws: Workspace;
  let env: Record<string, string>;
  before(async () => {
    target = await startHttpTarget();
    sftp = await startSftpServer();
    ws = createWorkspace();
    env = { ...ws.env, FERRY_TEST_SFTP_PW: sftp.password };
    const connection = `{ type: sftp, host: ${sftp.host}, port: ${sftp.port}, user: ${sftp.user}, password: "\${FERRY_TEST_SFTP_PW}", hostKey: "${sftp.hostKeyFingerprint}" }`;
    ws.writeProfile('orders', remoteProfile({ target: target.url, type: 'sftp', connection, resultsExtra: '  doneFile: true' }));
    mkdirSync(join(sftp.root, 'export'), { recursive: true });
  });
  after(async () => {
    await sftp.close();
    await target.close();
    ws.remove();
  });

  it('downloads, delivers, uploads the result with its done file, and moves the source to processed/', async () => {
    writeOrdersCsv(join(sftp.root, 'export', 'orders.csv'), 25);
    const r = await runCli(['run', 'orders', '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    const run = JSON.parse(r.stdout) as RunJson;
    assert.equal(run.batches[0]?.rows.delivered, 25);
    assert.equal(run.batches[0]?.resultFile, '/import/results/orders.result.csv');
    assert.equal(readFileSync(join(sftp.root, 'import', 'results', 'orders.result.csv'), 'latin1').trim().split('\r\n').length, 26);
    assert.ok(existsSync(join(sftp.root, 'import', 'results', 'orders.result.csv.done')));
    assert.ok(existsSync(join(sftp.root, 'export', 'processed', 'orders.csv')));
    assert.ok(!existsSync(join(sftp.root, 'export', 'orders.csv')));
    const uploadOrder = sftp.log.filter((l) => /orders\.result\.csv/.test(l));
    assert.ok(uploadOrder.some((l) => /ferry-part/.test(l)), 'the result is uploaded under a temporary name first');
  });

  it('starts a cut download again from the beginning', async () => {
    writeOrdersCsv(join(sftp.root, 'export', 'cut.csv'), 30, 'CUT');
    sftp.faults.cutReadAfterBytes = 200;
    const r = await runCli(['run', 'orders', '--json'], { env: { ...env, FERRY_LOG_LEVEL: 'warn' } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as RunJson).batches[0]?.rows.delivered, 30);
    assert.match(r.stderr, /download cut short; starting again from the beginning/);
    assertInvariants({ ledger: join(ws.data, 'ferry.db'), requests: target.requests, tempFree: [sftp.root], dataDir: ws.data });
  });

  it('notes a file that vanished before download once, and takes a changed file as a new version', async () => {
    writeOrdersCsv(join(sftp.root, 'export', 'gone.csv'), 3, 'GONE');
    sftp.faults.beforeOpen = (path) => {
      if (path.endsWith('gone.csv')) rmSync(join(sftp.root, 'export', 'gone.csv'));
    };
    const vanished = await runCli(['run', 'orders', '--json'], { env });
    sftp.faults.beforeOpen = undefined;
    assert.equal(vanished.code, 0, vanished.stderr);
    assert.match(String((JSON.parse(vanished.stdout) as RunJson).batches[0]?.error), /vanished before it could be downloaded/);

    writeOrdersCsv(join(sftp.root, 'export', 'grows.csv'), 3, 'GROW');
    sftp.faults.beforeOpen = (path) => {
      if (path.endsWith('grows.csv')) {
        sftp.faults.beforeOpen = undefined;
        appendFileSync(join(sftp.root, 'export', 'grows.csv'), Buffer.from('GROW-00004;X;SKU-000004;1;1,00;01.03.2026;O;WH1;\r\n', 'latin1'));
      }
    };
    const changed = await runCli(['run', 'orders', '--json'], { env });
    assert.equal(changed.code, 0, changed.stderr);
    assert.match(String((JSON.parse(changed.stdout) as RunJson).batches[0]?.error), /changed while it was downloaded/);
    const again = await runCli(['run', 'orders', '--json'], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.equal((JSON.parse(again.stdout) as RunJson).batches[0]?.rows.delivered, 4, 'the new version, all four rows');
    assertInvariants({ ledger: join(ws.data, 'ferry.db'), requests: target.requests, tempFree: [sftp.root], dataDir: ws.data });
  });

  it('keeps a batch done when the move on the server fails, and does not take the file again', async () => {
    writeOrdersCsv(join(sftp.root, 'export', 'stuck.csv'), 2, 'STUCK');
    sftp.faults.failRename = (from) => from.endsWith('/export/stuck.csv');
    const first = await runCli(['run', 'orders', '--json'], { env: { ...env, FERRY_LOG_LEVEL: 'warn' } });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /could not be settled; it will not be processed again/);
    const n = target.requests.length;
    const second = await runCli(['run', 'orders', '--json'], { env });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(target.requests.length, n, 'nothing sent again');
    sftp.faults.failRename = undefined;
  });

  it('refuses a server whose host key does not match the pin, showing the offered fingerprint', async () => {
    const other = createWorkspace();
    try {
      const connection = `{ type: sftp, host: ${sftp.host}, port: ${sftp.port}, user: ${sftp.user}, password: "\${FERRY_TEST_SFTP_PW}", hostKey: "SHA256:${'A'.repeat(43)}" }`;
      other.writeProfile('orders', remoteProfile({ target: target.url, type: 'sftp', connection, resultsExtra: '  doneFile: true' }));
      const r = await runCli(['run', 'orders'], { env: { ...other.env, FERRY_TEST_SFTP_PW: sftp.password } });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /E_HOSTKEY_MISMATCH/);
      assert.ok(r.stderr.includes(sftp.hostKeyFingerprint), 'the message shows the key the server offered');
      assert.doesNotMatch(r.stderr, new RegExp(sftp.password));
    } finally {
      other.remove();
    }
  });
});

describe('an FTPS server as source and result destination', () => {
  let target: HttpTarget;
  let ftp: FtpTestServer;
  let ws: Workspace;
  before(async () => {
    target = await startHttpTarget();
    ftp = await startFtpServer({ tls: 'explicit', pasvAddress: '127.0.0.2' });
    ws = createWorkspace();
    const certFile = join(ws.root, 'ftp-ca.pem');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(certFile, ftp.certPem ?? '');
    const connection = `{ type: ftps, host: ${ftp.host}, port: ${ftp.port}, user: ${ftp.user}, password: "\${FERRY_TEST_FTP_PW}", ca: "\${file:${certFile}}" }`;
    ws.writeProfile('orders', remoteProfile({ target: target.url, type: 'ftps', connection, resultsExtra: '  doneFile: true' }));
    mkdirSync(join(ftp.root, 'export'), { recursive: true });
  });
  after(async () => {
    await ftp.close();
    await target.close();
    ws.remove();
  });

  it('downloads over TLS (ignoring the PASV address), delivers, uploads the result and moves the source', async () => {
    writeOrdersCsv(join(ftp.root, 'export', 'orders.csv'), 12, 'FTP');
    const r = await runCli(['run', 'orders', '--json'], { env: { ...ws.env, FERRY_TEST_FTP_PW: ftp.password } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as RunJson).batches[0]?.rows.delivered, 12);
    assert.ok(existsSync(join(ftp.root, 'import', 'results', 'orders.result.csv')));
    assert.ok(existsSync(join(ftp.root, 'import', 'results', 'orders.result.csv.done')));
    assert.ok(existsSync(join(ftp.root, 'export', 'processed', 'orders.csv')));
  });
});
