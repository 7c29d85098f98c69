/**
 * The browser of the console tests: Debian's chromium, driven by playwright-core (which downloads
 * no browser of its own). Installed with apt-get when missing, so that `npm install && npm test`
 * works on a fresh Debian machine as the README promises.
 */
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';

import { run } from '../../scripts/test-servers/host-tools.js';

/** Where Debian's package puts its launcher. */
export const CHROMIUM = '/usr/bin/chromium';

/** Debian's way to keep maintainer scripts from starting services while we install. */
const POLICY_RC = '/usr/sbin/policy-rc.d';

/** Installs Debian's chromium unless it is there; throws with apt-get's complaint. */
export async function ensureChromium(): Promise<void> {
  if (existsSync(CHROMIUM)) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // other test files may be installing their servers' packages at the same moment: wait for dpkg's lock
  const install = ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '-q', '--no-install-recommends', 'chromium'];
  const ownPolicy = !existsSync(POLICY_RC);
  if (ownPolicy) await writeFile(POLICY_RC, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    await run('apt-get', install, { env }).catch(async () => {
      // the usual cause is a stale or missing package list
      await run('apt-get', ['update', '-q'], { env });
      await run('apt-get', install, { env });
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`could not install chromium with apt-get (the console's browser tests need it):\n${reason}`);
  } finally {
    if (ownPolicy) await rm(POLICY_RC, { force: true });
  }
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is still missing`);
}

/** Starts a headless chromium (installing it first when needed). */
export async function launchChromium(): Promise<Browser> {
  await ensureChromium();
  // --no-sandbox: tests run as root in containers, where chromium's sandbox cannot start
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}
