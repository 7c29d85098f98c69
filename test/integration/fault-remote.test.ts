/**
 * Fault injection on remote sources (test plan F02, F06, F07 and F32 of
 * ../shared/research/reliability-and-security.md §6.1): in-process SFTP and FTP servers on
 * 127.0.0.1 with their fault hooks, the real daemon and CLI as child processes, and the shared
 * oracle at the end of each test.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';

import { DaemonProcess, until } from '../support/daemon-process.js';
import { ledgerBatches } from '../support/fault-ledger.js';
import { startFtpServer, type FtpTestServer } from '../support/ftp-server.js';
import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { assertInvariants } from '../support/invariants.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { runCli } from '../support/run-cli.js';
import { startSftpServer, type SftpTestServer } from '../support/sftp-server.js';
import { createWorkspace, type Workspace } from '../support/workspace.js';
import { remoteProfile } from '../support/remote-profile.js';

interface RunJson {
  batches: { file: string; status: string; rows: { total: number; delivered: number } }[];
}

const HEADER = 'Order No;Customer;SKU;Qty;Price;Date;Status;Warehouse;Comment\r\n';

describe('fault injection: an SFTP source', () => {
  let target: HttpTarget;
  let sftp: SftpTestServer;
  let ws: Workspace;
  let env: Record<string, string>;
  let daemon: DaemonProcess | undefined;
  before(async () => {
    target = await startHttpTarget();
    sftp = await startSftpServer();
    ws = createWorkspace('ferry-fault-');
    env = { ...ws.env, FERRY_TEST_SFTP_PW: sftp.password };
    const connection = `{ type: sftp, host: ${sftp.host}, port: ${sftp.port}, user: ${sftp.user}, password: "\${FERRY_TEST_SFTP_PW}", hostKey: "${sftp.hostKeyFingerprint}" }`;
    ws.writeProfile('orders', remoteProfile({ target: target.url, type: 'sftp', connection, checks: 2, trigger: 'every: 200ms' }));
    mkdirSync(join(sftp.root, 'export'), { recursive: true });
  });
  after(async () => {
    daemon?.kill();
    await sftp.close();
    await target.close();
    ws.remove();
  });
  const check = (): void => {
    assertInvariants({ ledger: join(ws.data, 'ferry.db'), requests: target.requests, tempFree: [sftp.root, ws.inbox], dataDir: ws.data });
  };

  it('F06: a download the server ends early with no error is not staged; it starts again from byte 0 and the file is delivered whole', async () => {
    writeOrdersCsv(join(sftp.root, 'export', 'ended.csv'), 30, 'END');
    sftp.faults.endWithoutErrorAfterBytes = 300;
    const r = await runCli(['run', 'orders', '--json'], { env: { ...env, FERRY_LOG_LEVEL: 'warn' } });
    sftp.faults.endWithoutErrorAfterBytes = undefined;
    assert.equal(r.code, 0, r.stderr);
    const run = JSON.parse(r.stdout) as RunJson;
    assert.equal(run.batches.length, 1);
    assert.equal(run.batches[0]?.rows.delivered, 30);
    assert.match(r.stderr, /E_SIZE_MISMATCH/, 'the short read is caught by the size check');
    assert.match(r.stderr, /download cut short; starting again from the beginning/);
    check();
  });

  it('F02: a file growing between listings is taken only after two equal listings, once, with its full content', async () => {
    daemon = new DaemonProcess(ws, { FERRY_TEST_SFTP_PW: sftp.password });
    await daemon.ready();
    const file = join(sftp.root, 'export', 'growing.csv');
    writeFileSync(file, HEADER, 'latin1');
    for (let i = 1; i <= 10; i++) {
      await delay(100);
      appendFileSync(file, `GROW-${String(i).padStart(5, '0')};Kunde;SKU-000001;${i};1,00;01.03.2026;O;WH1;\r\n`, 'latin1');
    }
    const lastWrite = Date.now();
    await until('the growing file to settle', () => existsSync(join(sftp.root, 'export', 'processed', 'growing.csv')));
    await daemon.stop();
    const batches = ledgerBatches(join(ws.data, 'ferry.db')).filter((b) => b.file_name === 'growing.csv');
    assert.equal(batches.length, 1, `claimed once: ${JSON.stringify(batches)}`);
    assert.equal(batches[0]?.rows_total, 10, 'with every row');
    assert.ok((batches[0]?.created_at ?? 0) >= lastWrite, 'not before the file stopped growing');
    check();
  });
});

describe('fault injection: an FTP source', () => {
  let target: HttpTarget;
  let ftp: FtpTestServer;
  let ws: Workspace;
  before(async () => {
    target = await startHttpTarget();
    ftp = await startFtpServer();
    ws = createWorkspace('ferry-fault-');
    const connection = `{ type: ftp, host: ${ftp.host}, port: ${ftp.port}, user: ${ftp.user}, password: "\${FERRY_TEST_FTP_PW}", insecure: true }`;
    ws.writeProfile('orders', remoteProfile({ target: target.url, type: 'ftp', connection, trigger: 'every: 200ms' }));
    mkdirSync(join(ftp.root, 'export'), { recursive: true });
  });
  after(async () => {
    await ftp.close();
    await target.close();
    ws.remove();
  });

  it('F07: a data channel closed early is caught by the size check and downloaded again; never parsed truncated', async () => {
    writeOrdersCsv(join(ftp.root, 'export', 'short.csv'), 40, 'SHORT');
    ftp.faults.cutRetrAfterBytes = 500;
    const r = await runCli(['run', 'orders', '--json'], { env: { ...ws.env, FERRY_TEST_FTP_PW: ftp.password, FERRY_LOG_LEVEL: 'warn' } });
    assert.equal(r.code, 0, r.stderr);
    const run = JSON.parse(r.stdout) as RunJson;
    assert.equal(run.batches.length, 1);
    assert.equal(run.batches[0]?.rows.total, 40, 'parsed whole');
    assert.equal(run.batches[0]?.rows.delivered, 40);
    assert.match(r.stderr, /download cut short; starting again from the beginning/);
    assertInvariants({ ledger: join(ws.data, 'ferry.db'), requests: target.requests, tempFree: [ftp.root], dataDir: ws.data });
  });

  it('F32: LIST times without seconds, an hour ahead of our clock: minAge runs on ferry\'s clock, and a same-minute rewrite with another size is a new version', async () => {
    const other = createWorkspace('ferry-fault-');
    try {
      const connection = `{ type: ftp, host: ${ftp.host}, port: ${ftp.port}, user: ${ftp.user}, password: "\${FERRY_TEST_FTP_PW}", insecure: true }`;
      const profile = remoteProfile({ target: target.url, type: 'ftp', connection, trigger: 'every: 200ms' }).replace('dir: /export', 'dir: /clock').replace('stable: { minAge: 0s, checks: 1 }', 'stable: { minAge: 500ms, checks: 1 }\n  after: { success: keep }');
      other.writeProfile('orders', profile);
      mkdirSync(join(ftp.root, 'clock'), { recursive: true });
      const file = join(ftp.root, 'clock', 'skew.csv');
      const ahead = (Date.now() + 3_600_000) / 1000;
      writeOrdersCsv(file, 5, 'SKEW');
      utimesSync(file, ahead, ahead);
      const env = { ...other.env, FERRY_TEST_FTP_PW: ftp.password };
      const first = await runCli(['run', 'orders', '--json'], { env });
      assert.equal(first.code, 0, first.stderr);
      assert.deepEqual((JSON.parse(first.stdout) as RunJson).batches.map((b) => b.rows.delivered), [5], 'taken although the server says it was written in an hour');

      writeOrdersCsv(file, 6, 'SKEW');
      utimesSync(file, ahead, ahead);
      const second = await runCli(['run', 'orders', '--json'], { env });
      assert.deepEqual((JSON.parse(second.stdout) as RunJson).batches.map((b) => b.rows.delivered), [6], 'the same minute with another size is a new version');
      const third = await runCli(['run', 'orders', '--json'], { env });
      assert.deepEqual((JSON.parse(third.stdout) as RunJson).batches, [], 'an unchanged listing is not taken again');
      assertInvariants({ ledger: join(other.data, 'ferry.db'), requests: target.requests, tempFree: [ftp.root], dataDir: other.data });
    } finally {
      other.remove();
    }
  });
});
