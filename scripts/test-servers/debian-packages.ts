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

/**
 * Installs Debian packages with apt-get (non-interactive, no recommends, waiting for dpkg's lock
 * when another test file installs at the same moment), with a policy-rc.d that keeps their
 * services from starting; an update of the package lists is tried once when the install fails.
 * `purpose` says in the error who needed them.
 */
export async function installDebianPackages(names: readonly string[], purpose: string): Promise<void> {
  if (names.length === 0) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '-q', '--no-install-recommends', ...names];
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
    throw new Error(`could not install ${names.join(', ')} with apt-get (${purpose}):\n${reason}`);
  } finally {
    if (ownPolicy) await rm(POLICY_RC, { force: true });
  }
}

/** Installs whichever of openssh-server, vsftpd and openssl is missing; throws with apt-get's complaint. */
export async function ensurePackages(): Promise<void> {
  const missing = PACKAGES.filter((p) => !existsSync(p.program)).map((p) => p.name);
  await installDebianPackages(missing, 'the real-server tests need them');
  const still = PACKAGES.filter((p) => !existsSync(p.program));
  if (still.length > 0) throw new Error(`apt-get ran but ${still.map((p) => p.program).join(', ')} is still missing`);
}
