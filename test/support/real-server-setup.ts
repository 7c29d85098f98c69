import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import type { RealServers } from '../../scripts/test-servers/real-servers.js';

/** A fresh folder for one test inside a server's served root, owned by the server's user like a real drop folder. */
export function serverFolder(root: string, user: string, name: string): string {
  const uid = Number(execFileSync('id', ['-u', user]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', user]).toString().trim());
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  chownSync(dir, uid, gid);
  return dir;
}

/**
 * Inline profile connections for the real OpenSSH (key auth, pinned host key) and vsftpd (plain
 * FTP and explicit FTPS with its CA in `caPath`); passwords come from `${FERRY_TEST_REAL_FTP_PW}`.
 */
export function realConnections(servers: RealServers, caPath: string): { sftp: string; ftp: string; ftps: string } {
  return {
    sftp: `{ type: sftp, host: 127.0.0.1, port: ${servers.sftp.port}, user: ${servers.sftp.user}, privateKey: "\${file:${servers.sftp.privateKeyPath}}", hostKey: "${servers.sftp.hostKeyFingerprint}" }`,
    ftp: `{ type: ftp, insecure: true, host: 127.0.0.1, port: ${servers.ftp.port}, user: ${servers.ftp.user}, password: "\${FERRY_TEST_REAL_FTP_PW}" }`,
    ftps: `{ type: ftps, host: 127.0.0.1, port: ${servers.ftps.port}, user: ${servers.ftps.user}, password: "\${FERRY_TEST_REAL_FTP_PW}", ca: "\${file:${caPath}}" }`,
  };
}
