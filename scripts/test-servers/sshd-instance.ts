/**
 * OpenSSH's sshd on 127.0.0.1 with its own config, host key and client key: one sftp-only user,
 * chrooted, password and public-key auth.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDir, ensureUser, readBanner, ROOT, run, stopPidFile, waitForBanner, writeIfChanged } from './host-tools.js';
import { BANNER_TAG, SFTP, STATE_DIR, UPLOAD_DIR } from './real-servers-layout.js';

/** How to reach the SFTP server (the `sftp` part of RealServers). */
export interface RealSftpServer {
  host: '127.0.0.1';
  port: number;
  user: string;
  password: string;
  /** OpenSSH-format ed25519 private key, unencrypted, accepted for `user`. */
  privateKeyPath: string;
  /** `SHA256:<base64 without padding>` as `ssh-keygen -lf` prints it. */
  hostKeyFingerprint: string;
  /** Local path of the chroot's writable folder, which the server shows as `/upload`. */
  root: string;
  dir: '/upload';
}

const SSHD = '/usr/sbin/sshd';
const files = {
  config: join(STATE_DIR, 'sshd_config'),
  hostKey: join(STATE_DIR, 'ssh_host_ed25519_key'),
  clientKey: join(STATE_DIR, 'client_ed25519'),
  authorizedKeys: join(STATE_DIR, 'authorized_keys'),
  pid: join(STATE_DIR, 'sshd.pid'),
  log: join(STATE_DIR, 'sshd.log'),
};

function sshdConfig(): string {
  return `# ferry's real SFTP test server, written by scripts/test-servers/sshd-instance.ts
Port ${SFTP.port}
ListenAddress 127.0.0.1
HostKey ${files.hostKey}
PidFile ${files.pid}
VersionAddendum ${BANNER_TAG}
AllowUsers ${SFTP.user}
PermitRootLogin no
PasswordAuthentication yes
PubkeyAuthentication yes
KbdInteractiveAuthentication no
# Without PAM sshd checks passwords against /etc/shadow itself and needs no login session.
UsePAM no
AuthorizedKeysFile ${files.authorizedKeys}
# The key file is under /tmp, which is world-writable: strict mode checks would refuse it.
StrictModes no
AllowTcpForwarding no
AllowAgentForwarding no
X11Forwarding no
PermitTTY no
PrintMotd no
MaxStartups 50:30:100
MaxSessions 20
LogLevel VERBOSE
Subsystem sftp internal-sftp
Match User ${SFTP.user}
  ForceCommand internal-sftp
  ChrootDirectory ${SFTP.chroot}
`;
}

async function ensureKey(path: string, comment: string): Promise<boolean> {
  if (existsSync(path) && existsSync(`${path}.pub`)) return false;
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], { input: 'y\n' });
  return true;
}

/** Starts (or reuses) sshd on 127.0.0.1:2222; restarts it when its config or keys changed. */
export async function ensureSshd(): Promise<RealSftpServer> {
  const hostKeyNew = await ensureKey(files.hostKey, `${BANNER_TAG}-host`);
  await ensureKey(files.clientKey, `${BANNER_TAG}-client`);
  await writeIfChanged(files.authorizedKeys, await readFile(`${files.clientKey}.pub`, 'utf8'));
  const configChanged = await writeIfChanged(files.config, sshdConfig());

  // Home is the upload folder, as seen inside the chroot, so a session starts there.
  const account = await ensureUser(SFTP.user, UPLOAD_DIR, SFTP.password, STATE_DIR);
  // Every component of a ChrootDirectory must be root-owned and writable by root alone.
  await ensureDir(SFTP.chroot, ROOT, 0o755);
  const root = join(SFTP.chroot, UPLOAD_DIR);
  await ensureDir(root, account, 0o755);
  // Privilege separation directory; Debian's init script would create it.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });

  const banner = await readBanner(SFTP.port);
  const ours = banner?.includes(BANNER_TAG) === true;
  if (banner !== undefined && !ours) {
    throw new Error(`127.0.0.1:${SFTP.port} is taken by another server (${banner}); stop it to run the SFTP tests`);
  }
  if (!ours || configChanged || hostKeyNew) {
    await stopPidFile(files.pid);
    await run(SSHD, ['-t', '-f', files.config]);
    // sshd re-executes itself, so it must be started by absolute path; it daemonises on its own.
    await run(SSHD, ['-f', files.config, '-E', files.log]);
    const up = await waitForBanner(SFTP.port, (b) => b?.includes(BANNER_TAG) === true, 10_000);
    if (up?.includes(BANNER_TAG) !== true) {
      const log = await readFile(files.log, 'utf8').catch(() => '');
      throw new Error(`sshd did not come up on 127.0.0.1:${SFTP.port}:\n${log.split('\n').slice(-10).join('\n')}`);
    }
  }

  const listing = await run('ssh-keygen', ['-lf', `${files.hostKey}.pub`]);
  const hostKeyFingerprint = listing.split(' ')[1];
  if (hostKeyFingerprint?.startsWith('SHA256:') !== true) throw new Error(`unexpected ssh-keygen -lf output: ${listing}`);
  return {
    host: '127.0.0.1',
    port: SFTP.port,
    user: SFTP.user,
    password: SFTP.password,
    privateKeyPath: files.clientKey,
    hostKeyFingerprint,
    root,
    dir: '/upload',
  };
}
