/**
 * Installs the Debian packages of the real test servers when their programs are missing.
 */
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { run } from './host-tools.js';

const PACKAGES = [
  { name: 'openssh-server', program: '/usr/sbin/sshd' },
  { name: 'openssh-client', program: '/usr/bin/ssh-keygen' },
  { name: 'vsftpd', program: '/usr/sbin/vsftpd' },
  { name: 'openssl', program: '/usr/bin/openssl' },
] as const;

/** Debian's way to keep a package's maintainer scripts from starting its service (on port 22 / 21). */
const POLICY_RC = '/usr/sbin/policy-rc.d';

/** Installs whichever of openssh-server, vsftpd and openssl is missing; throws with apt-get's complaint. */
export async function ensurePackages(): Promise<void> {
  const missing = PACKAGES.filter((p) => !existsSync(p.program)).map((p) => p.name);
  if (missing.length === 0) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = ['install', '-y', '-q', '--no-install-recommends', ...missing];
  const ownPolicy = !existsSync(POLICY_RC);
  if (ownPolicy) await writeFile(POLICY_RC, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    await run('apt-get', install, { env }).catch(async () => {
      // The usual cause is a stale or missing package list.
      await run('apt-get', ['update', '-q'], { env });
      await run('apt-get', install, { env });
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`could not install ${missing.join(', ')} with apt-get (the real-server tests need them):\n${reason}`);
  } finally {
    if (ownPolicy) await rm(POLICY_RC, { force: true });
  }
  const still = PACKAGES.filter((p) => !existsSync(p.program));
  if (still.length > 0) throw new Error(`apt-get ran but ${still.map((p) => p.program).join(', ')} is still missing`);
}
