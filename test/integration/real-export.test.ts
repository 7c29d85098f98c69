import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { ensureRealServers, type RealServers } from '../../scripts/test-servers/real-servers.js';
import { startPagedApi, type PagedApi } from '../support/paged-api.js';
import { realConnections, serverFolder } from '../support/real-server-setup.js';
import { runCli } from '../support/run-cli.js';
import { createWorkspace, type Workspace } from '../support/workspace.js';

describe('exports to the real OpenSSH and vsftpd', { timeout: 180_000 }, () => {
  let servers: RealServers;
  let api: PagedApi;
  let ws: Workspace;
  const run = `export-${process.pid}`;
  before(async () => {
    servers = await ensureRealServers();
    api = await startPagedApi(25);
    ws = createWorkspace();
    writeFileSync(join(ws.root, 'ftps-ca.pem'), servers.ftps.caPem);
  });
  after(async () => {
    await api.close();
    ws.remove();
    for (const root of [servers.sftp.root, servers.ftp.root, servers.ftps.root]) rmSync(join(root, run), { recursive: true, force: true });
  });

  const cases = [
    { type: 'sftp', server: () => servers.sftp, connection: () => realConnections(servers, join(ws.root, 'ftps-ca.pem')).sftp },
    { type: 'ftp', server: () => servers.ftp, connection: () => realConnections(servers, join(ws.root, 'ftps-ca.pem')).ftp },
    { type: 'ftps', server: () => servers.ftps, connection: () => realConnections(servers, join(ws.root, 'ftps-ca.pem')).ftps },
  ];
  for (const c of cases) {
    it(`${c.type}: uploads the export and its done file`, async () => {
      const server = c.server();
      const local = serverFolder(server.root, server.user, join(run, c.type));
      const remoteDir = `${server.dir}/${run}/${c.type}`;
      ws.writeProfile(`export-${c.type}`, `version: 1
kind: export
source: { type: http, url: "${api.url}/page?updatedSince={since}", items: items, next: { page: page }, allowPrivate: true }
fields:
  "Order No": { from: id }
  "Total":    { from: total, type: decimal, scale: 2 }
format: { type: xlsx }
target: { connection: ${c.connection()}, dir: ${remoteDir}, name: "orders.xlsx", doneFile: true }
`);
      const r = await runCli(['run', `export-${c.type}`, '--json'], { env: { ...ws.env, FERRY_TEST_REAL_FTP_PW: servers.ftp.password } });
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.deepEqual(readdirSync(local).sort(), ['orders.xlsx', 'orders.xlsx.done']);
      assert.equal(readFileSync(join(local, 'orders.xlsx')).subarray(0, 2).toString('latin1'), 'PK', 'a zip (xlsx) arrived whole');
      assert.equal(readFileSync(join(local, 'orders.xlsx.done'), 'utf8'), 'orders.xlsx\n', 'the marker names its file (an empty one fails over FTPS)');
    });
  }
});
