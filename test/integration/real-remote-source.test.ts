import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { ensureRealServers, type RealServers } from '../../scripts/test-servers/real-servers.js';
import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { realConnections, serverFolder } from '../support/real-server-setup.js';
import { writeOrdersCsv } from '../support/orders-csv.js';
import { runCli } from '../support/run-cli.js';
import { createWorkspace, type Workspace } from '../support/workspace.js';

function profile(target: string, type: string, connection: string, dir: string): string {
  return `version: 1
source:
  type: ${type}
  connection: ${connection}
  dir: ${dir}
  include: ["*.csv"]
  stable: { minAge: 0s, checks: 2 }
format: { type: csv, encoding: windows-1252, delimiter: ";" }
fields:
  orderId: { from: "Order No", required: true }
  qty:     { from: "Qty", type: integer }
key: [orderId]
target: { type: http, url: ${target}/v1/orders, batchSize: 10 }
results:
  to: { connection: ${connection}, dir: ${dir}/results }
  name: "{stem}.result.csv"
`;
}

describe('the real OpenSSH and vsftpd as sources and result destinations', { timeout: 180_000 }, () => {
  let servers: RealServers;
  let target: HttpTarget;
  let ws: Workspace;
  const run = `e2e-${process.pid}`;
  before(async () => {
    servers = await ensureRealServers();
    target = await startHttpTarget();
    ws = createWorkspace();
    writeFileSync(join(ws.root, 'ftps-ca.pem'), servers.ftps.caPem);
  });
  after(async () => {
    await target.close();
    ws.remove();
    for (const root of [servers.sftp.root, servers.ftp.root, servers.ftps.root]) rmSync(join(root, run), { recursive: true, force: true });
  });

  const cases = [
    { name: 'OpenSSH (SFTP, key auth, pinned host key)', server: () => servers.sftp, type: 'sftp', connection: () => realConnections(servers, join(ws.root, 'ftps-ca.pem')).sftp },
    { name: 'vsftpd (plain FTP)', server: () => servers.ftp, type: 'ftp', connection: () => realConnections(servers, join(ws.root, 'ftps-ca.pem')).ftp },
    { name: 'vsftpd (explicit FTPS, require_ssl_reuse)', server: () => servers.ftps, type: 'ftps', connection: () => realConnections(servers, join(ws.root, 'ftps-ca.pem')).ftps },
  ];

  for (const c of cases) {
    it(`${c.name}: takes the file, delivers it, uploads the result and moves the source on the server`, async () => {
      const server = c.server();
      const local = serverFolder(server.root, server.user, join(run, c.type));
      const remoteDir = `${server.dir}/${run}/${c.type}`;
      const id = `orders-${c.type}`;
      ws.writeProfile(id, profile(target.url, c.type === 'sftp' ? 'sftp' : c.type, c.connection(), remoteDir));
      writeOrdersCsv(join(local, 'orders.csv'), 23, c.type.toUpperCase());
      execFileSync('chown', [server.user, join(local, 'orders.csv')]);
      const r = await runCli(['run', id, '--json'], { env: { ...ws.env, FERRY_TEST_REAL_FTP_PW: servers.ftp.password } });
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { batches: { rows: { delivered: number }; resultFile: string }[] };
      assert.equal(out.batches[0]?.rows.delivered, 23);
      assert.equal(out.batches[0]?.resultFile, `${remoteDir}/results/orders.result.csv`);
      assert.equal(readFileSync(join(local, 'results', 'orders.result.csv'), 'latin1').trim().split('\r\n').length, 24);
      assert.ok(existsSync(join(local, 'processed', 'orders.csv')), 'moved to processed/ on the server');
      assert.ok(!existsSync(join(local, 'orders.csv')));
      const ids = new Set(target.acceptedRecords().map((x) => (x as { orderId: string }).orderId));
      assert.ok(ids.has(`${c.type.toUpperCase()}-00023`));
    });
  }
});
