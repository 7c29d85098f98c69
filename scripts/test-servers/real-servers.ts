/**
 * The real OpenSSH and vsftpd servers the end-to-end tests and benchmarks run against, on fixed
 * ports on 127.0.0.1. Needs root: it installs Debian packages, creates users and starts daemons.
 *
 * As a program (`node dist/scripts/test-servers/real-servers.js`) it prints the RealServers JSON.
 */
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { pathToFileURL } from 'node:url';
import { ensurePackages } from './debian-packages.js';
import { STATE_DIR } from './real-servers-layout.js';
import { ensureSshd, type RealSftpServer } from './sshd-instance.js';
import { ensureVsftpd, type RealFtpServer, type RealFtpsServer } from './vsftpd-instance.js';

export type { RealSftpServer } from './sshd-instance.js';
export type { RealFtpServer, RealFtpsServer } from './vsftpd-instance.js';

/** How to reach the real test servers. */
export interface RealServers {
  /** OpenSSH, sftp-only user chrooted; password or `privateKeyPath`; host key to pin. */
  sftp: RealSftpServer;
  /** vsftpd, plain FTP. */
  ftp: RealFtpServer;
  /** vsftpd, explicit FTPS (AUTH TLS) with require_ssl_reuse=YES; pin `caPem`. */
  ftps: RealFtpsServer;
}

/**
 * Serialises setup across processes (test files run in parallel): an abstract Unix socket can be
 * bound by one process at a time, and the kernel frees it when that process dies, so a crashed
 * setup never leaves a stale lock behind.
 */
const LOCK_NAME = '\0ferry-real-servers-setup';
const LOCK_WAIT_MS = 10 * 60_000;

function tryLock(): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(undefined);
      else reject(error);
    });
    server.listen(LOCK_NAME, () => {
      server.unref();
      resolve(server);
    });
  });
}

async function withSetupLock<T>(work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let lock = await tryLock();
  while (lock === undefined) {
    if (Date.now() > deadline) throw new Error('gave up waiting for another process setting up the real test servers');
    await new Promise((resolve) => setTimeout(resolve, 200));
    lock = await tryLock();
  }
  const held = lock;
  try {
    return await work();
  } finally {
    await new Promise((resolve) => held.close(resolve));
  }
}

/**
 * Installs openssh-server and vsftpd with apt-get when missing, writes configs under
 * /tmp/ferry-real-servers, starts them on fixed high ports if not already running (idempotent), and
 * returns how to reach them. Throws with a clear message if they cannot be had.
 */
export async function ensureRealServers(): Promise<RealServers> {
  if (process.getuid?.() !== 0) {
    throw new Error('the real test servers need root (to install packages, create users and start sshd and vsftpd)');
  }
  await mkdir(STATE_DIR, { recursive: true, mode: 0o755 });
  return withSetupLock(async () => {
    await ensurePackages();
    const sftp = await ensureSshd();
    const ftp = await ensureVsftpd('ftp');
    const ftps = await ensureVsftpd('ftps');
    return { sftp, ftp, ftps };
  });
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && import.meta.url === pathToFileURL(invokedPath).href) {
  ensureRealServers().then(
    (servers) => process.stdout.write(`${JSON.stringify(servers, null, 2)}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
