/**
 * The browser of the console tests: Debian's chromium, driven by playwright-core (which downloads
 * no browser of its own). Installed with apt-get when missing, so that `npm install && npm test`
 * works on a fresh Debian machine as the README promises.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

import { installDebianPackages } from '../../scripts/test-servers/debian-packages.js';

/** Where Debian's package puts its launcher. */
export const CHROMIUM = '/usr/bin/chromium';

/** Installs Debian's chromium unless it is there; throws with apt-get's complaint. */
export async function ensureChromium(): Promise<void> {
  if (existsSync(CHROMIUM)) return;
  await installDebianPackages(['chromium'], "the console's browser tests need it");
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is still missing`);
}

/** Starts a headless chromium (installing it first when needed). */
export async function launchChromium(): Promise<Browser> {
  await ensureChromium();
  // --no-sandbox: tests run as root in containers, where chromium's sandbox cannot start
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}
