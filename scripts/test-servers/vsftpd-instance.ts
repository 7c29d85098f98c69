/**
 * vsftpd on 127.0.0.1, one process per kind with its own config: plain FTP, and explicit FTPS
 * that insists on TLS for login and data and on TLS session reuse for data connections.
 */
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSelfSignedCert } from './self-signed-cert.js';
import { ensureDir, ensureUser, readBanner, ROOT, stopPidFile, waitForBanner, writeIfChanged } from './host-tools.js';
import { BANNER_TAG, EMPTY_DIR, FTP_USER, PAM_SERVICE, STATE_DIR, UPLOAD_DIR, VSFTPD } from './real-servers-layout.js';

/** How to reach one vsftpd instance (the `ftp` and `ftps` parts of RealServers). */
export interface RealFtpServer {
  host: '127.0.0.1';
  port: number;
  user: string;
  password: string;
  /** Local path of the chroot's writable folder, which the server shows as `dir`. */
  root: string;
  dir: string;
}

/** The FTPS instance: its self-signed certificate, to pin as CA. */
export interface RealFtpsServer extends RealFtpServer {
  caPem: string;
  /** SHA-256 fingerprint, `AB:CD:…` as Node's `getPeerCertificate().fingerprint256`. */
  certFingerprint: string;
}

const VSFTPD_BIN = '/usr/sbin/vsftpd';
const CERT = join(STATE_DIR, 'vsftpd-cert.pem');
const KEY = join(STATE_DIR, 'vsftpd-key.pem');
const PAM_FILE = `/etc/pam.d/${PAM_SERVICE}`;
/** Password check against /etc/shadow only: no shell, /etc/ftpusers or session modules. */
const PAM_CONFIG = 'auth required pam_unix.so\naccount required pam_unix.so\nsession required pam_permit.so\n';

type Kind = keyof typeof VSFTPD;

const paths = (kind: Kind): { config: string; pid: string; log: string; stderr: string } => ({
  config: join(STATE_DIR, `vsftpd-${kind}.conf`),
  pid: join(STATE_DIR, `vsftpd-${kind}.pid`),
  log: join(STATE_DIR, `vsftpd-${kind}.log`),
  stderr: join(STATE_DIR, `vsftpd-${kind}.stderr`),
});

function vsftpdConfig(kind: Kind): string {
  const instance = VSFTPD[kind];
  const common = `# ferry's real ${kind.toUpperCase()} test server, written by scripts/test-servers/vsftpd-instance.ts
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=${instance.port}
# Run in the foreground: ferry's setup starts it detached and keeps its pid.
background=NO
ftpd_banner=${BANNER_TAG} vsftpd ${kind}
anonymous_enable=NO
local_enable=YES
write_enable=YES
local_umask=022
pam_service_name=${PAM_SERVICE}
userlist_enable=NO
# Each instance serves its own folder: login lands in local_root and is chrooted there.
local_root=${instance.chroot}
chroot_local_user=YES
allow_writeable_chroot=YES
secure_chroot_dir=${EMPTY_DIR}
pasv_enable=YES
pasv_address=127.0.0.1
pasv_addr_resolve=NO
pasv_min_port=${instance.pasvMin}
pasv_max_port=${instance.pasvMax}
port_enable=NO
# Containers and some kernels refuse vsftpd's seccomp filter and its network namespaces.
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
max_per_ip=0
max_clients=0
use_localtime=NO
syslog_enable=NO
xferlog_enable=YES
xferlog_std_format=NO
log_ftp_protocol=NO
vsftpd_log_file=${paths(kind).log}
`;
  if (kind === 'ftp') return common;
  return `${common}ssl_enable=YES
rsa_cert_file=${CERT}
rsa_private_key_file=${KEY}
allow_anon_ssl=NO
force_local_logins_ssl=YES
force_local_data_ssl=YES
require_ssl_reuse=YES
implicit_ssl=NO
ssl_sslv2=NO
ssl_sslv3=NO
ssl_tlsv1=YES
# vsftpd's built-in default (DES-CBC3-SHA) is disabled in OpenSSL 3.
ssl_ciphers=HIGH
`;
}

/** A self-signed RSA certificate, kept across runs while it is valid for another day. */
async function ensureCertificate(): Promise<{ pem: string; changed: boolean }> {
  const current = await readFile(CERT, 'utf8').catch(() => undefined);
  if (current !== undefined && existsSync(KEY) && Date.parse(new X509Certificate(current).validTo) > Date.now() + 86_400_000) {
    return { pem: current, changed: false };
  }
  const cert = await createSelfSignedCert({ keyType: 'rsa', days: 365 });
  await writeFile(KEY, cert.keyPem, { mode: 0o600 });
  await writeFile(CERT, cert.certPem, { mode: 0o644 });
  return { pem: cert.certPem, changed: true };
}

async function start(kind: Kind): Promise<void> {
  const { config, pid, stderr } = paths(kind);
  const errors = await open(stderr, 'w');
  try {
    const child = spawn(VSFTPD_BIN, [config], { detached: true, stdio: ['ignore', errors.fd, errors.fd] });
    const exited = new Promise<string>((resolve) => {
      child.once('error', (error) => resolve(error.message));
      child.once('exit', (code, signal) => resolve(`exited (${signal ?? code})`));
    });
    if (child.pid !== undefined) await writeFile(pid, `${child.pid}\n`);
    child.unref();
    const port = VSFTPD[kind].port;
    const up = await Promise.race([waitForBanner(port, (b) => b?.includes(BANNER_TAG) === true, 10_000), exited]);
    if (up?.includes(BANNER_TAG) !== true) {
      const said = (await readFile(stderr, 'utf8').catch(() => '')).trim();
      throw new Error(`vsftpd (${kind}) did not come up on 127.0.0.1:${port}: ${up ?? 'no banner'} ${said}`.trim());
    }
  } finally {
    await errors.close();
  }
}

/** Starts (or reuses) one vsftpd instance; restarts it when its config or certificate changed. */
export async function ensureVsftpd(kind: 'ftp'): Promise<RealFtpServer>;
export async function ensureVsftpd(kind: 'ftps'): Promise<RealFtpsServer>;
export async function ensureVsftpd(kind: Kind): Promise<RealFtpServer | RealFtpsServer> {
  const instance = VSFTPD[kind];
  const account = await ensureUser(FTP_USER.user, VSFTPD.ftp.chroot, FTP_USER.password, STATE_DIR);
  await writeIfChanged(PAM_FILE, PAM_CONFIG);
  await ensureDir(EMPTY_DIR, ROOT, 0o755);
  await ensureDir(instance.chroot, ROOT, 0o755);
  const root = join(instance.chroot, UPLOAD_DIR);
  await ensureDir(root, account, 0o755);
  const cert = kind === 'ftps' ? await ensureCertificate() : undefined;
  const configChanged = await writeIfChanged(paths(kind).config, vsftpdConfig(kind));

  const banner = await readBanner(instance.port);
  const ours = banner?.includes(BANNER_TAG) === true;
  if (banner !== undefined && !ours) {
    throw new Error(`127.0.0.1:${instance.port} is taken by another server (${banner}); stop it to run the ${kind.toUpperCase()} tests`);
  }
  if (!ours || configChanged || cert?.changed === true) {
    await stopPidFile(paths(kind).pid);
    await start(kind);
  }

  const server: RealFtpServer = { host: '127.0.0.1', port: instance.port, user: FTP_USER.user, password: FTP_USER.password, root, dir: UPLOAD_DIR };
  if (cert === undefined) return server;
  return { ...server, caPem: cert.pem, certFingerprint: new X509Certificate(cert.pem).fingerprint256 };
}
