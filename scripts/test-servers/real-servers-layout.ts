/**
 * Where the real test servers live: fixed ports, users and folders, so that every test process
 * and `.ci/run` find the same servers.
 */

/** Configs, keys, certificates, pid files and logs. */
export const STATE_DIR = '/tmp/ferry-real-servers';

/**
 * Served folders. Not under /tmp: sshd refuses a ChrootDirectory with any path component that is
 * writable by others, and /tmp is world-writable.
 */
export const DATA_DIR = '/srv/ferry-test';

/** Marks our servers in their banners, so that a port taken by something else is told apart. */
export const BANNER_TAG = 'ferry-test';

export const SFTP = {
  port: 2222,
  user: 'ferrysftp',
  password: 'ferry-sftp-secret',
  /** Chroot: root-owned, with the user's writable `upload` folder inside. */
  chroot: `${DATA_DIR}/sftp`,
} as const;

export const FTP_USER = { user: 'ferryftp', password: 'ferry-ftp-secret' } as const;

/** One vsftpd instance per kind, each with its own chroot and passive port range. */
export const VSFTPD = {
  ftp: { port: 2121, chroot: `${DATA_DIR}/ftp`, pasvMin: 40000, pasvMax: 40099 },
  ftps: { port: 2990, chroot: `${DATA_DIR}/ftps`, pasvMin: 40100, pasvMax: 40199 },
} as const;

/** The writable folder inside every chroot, as the servers show it. */
export const UPLOAD_DIR = '/upload';

/** vsftpd's unprivileged processes chroot here: must exist, root-owned, empty. */
export const EMPTY_DIR = `${DATA_DIR}/empty`;

/** Our own PAM service: Debian's `vsftpd` one also demands a login shell (pam_shells). */
export const PAM_SERVICE = 'ferry-test-vsftpd';
