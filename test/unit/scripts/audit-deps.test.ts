// Issue 11 point 3 / research S12: the offline dependency gate finds no known advisory in the
// shipped tree of the real lockfile, and reports a doctored one.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { REPO_ROOT } from '../../support/run-cli.js';
import { compareVersions, inRange } from '../../../scripts/lib/version-compare.js';

const GATE = join(REPO_ROOT, 'dist', 'scripts', 'audit-deps.js');
const run = promisify(execFile);

interface Lock {
  packages: Record<string, { version?: string; dev?: boolean; resolved?: string }>;
}

async function gate(args: readonly string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(process.execPath, [GATE, ...args], { encoding: 'utf8' });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string };
    return { code: e.code ?? -1, out: e.stdout ?? '' };
  }
}

describe('dependency audit gate (offline advisory table)', () => {
  let dir = '';
  const real = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as Lock;
  const doctored = (name: string, change: (lock: Lock) => void): string => {
    const lock = structuredClone(real);
    change(lock);
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify(lock));
    return path;
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-audit-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('compares versions as semver does (prereleases before their release)', () => {
    assert.equal(compareVersions('6.2.6', '6.2.3'), 1);
    assert.equal(compareVersions('1.17.0', '1.17.0'), 0);
    assert.equal(compareVersions('10.0.0-rc.1', '10.0.0'), -1);
    assert.equal(compareVersions('5.10.0', '5.9.3'), 1);
    assert.ok(inRange('5.10.0', '5.9.3', '5.10.1') && !inRange('5.10.1', '5.9.3', '5.10.1') && inRange('99.0.0', '0.0.0', null));
  });

  it('finds the shipped tree of the real lockfile clean', async () => {
    const { code, out } = await gate([]);
    assert.equal(code, 0, out);
    assert.match(out, /shipped \(non-dev\) packages/);
    assert.match(out, /audit-deps: clean/);
  });

  it('reports a vulnerable or too old shipped package, a banned one, and exits 1', async () => {
    const lock = doctored('old', (l) => {
      const ftp = l.packages['node_modules/basic-ftp'];
      assert.ok(ftp !== undefined, 'basic-ftp is in the lockfile');
      ftp.version = '5.1.0';
      l.packages['node_modules/exceljs/node_modules/fast-xml-parser'] = { version: '5.10.0' };
      l.packages['node_modules/xlsx'] = { version: '0.18.5' };
    });
    const { code, out } = await gate(['--lockfile', lock]);
    assert.equal(code, 1, out);
    assert.match(out, /HIT: basic-ftp@5\.1\.0 \(node_modules\/basic-ftp\): GHSA-5rq4-664w-9x2c \[critical\]/);
    assert.match(out, /HIT: basic-ftp@5\.1\.0 .*below the minimum 6\.2\.3/);
    assert.match(out, /HIT: fast-xml-parser@5\.10\.0 \(node_modules\/exceljs\/node_modules\/fast-xml-parser\): GHSA-8r6m-32jq-jx6q/);
    assert.match(out, /HIT: fast-xml-parser@5\.10\.0 .*below the minimum 5\.12\.1/);
    assert.match(out, /HIT: xlsx@0\.18\.5 .*banned package/);
    assert.doesNotMatch(out, /HIT: ssh2|HIT: pino/);
  });

  it('ignores dev-only packages unless asked, and requires the pinned minimums to be present', async () => {
    const devOnly = doctored('dev', (l) => {
      l.packages['node_modules/some-tool/node_modules/jszip'] = { version: '3.6.0', dev: true };
    });
    assert.equal((await gate(['--lockfile', devOnly])).code, 0);
    const withDev = await gate(['--lockfile', devOnly, '--include-dev']);
    assert.equal(withDev.code, 1);
    assert.match(withDev.out, /HIT: jszip@3\.6\.0 .*GHSA-jg8v-48h5-wgxg/);
    const noPino = doctored('nopino', (l) => {
      delete l.packages['node_modules/pino'];
    });
    assert.match((await gate(['--lockfile', noPino])).out, /HIT: pino: not in the shipped tree, but required at >= 10\.0\.0/);
    assert.equal((await gate(['--lockfile', join(dir, 'missing.json')])).code, 2);
  });
});
