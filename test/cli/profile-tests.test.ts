import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { REPO_ROOT, runCli } from '../support/run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'ferry-ptest-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('ferry test (profile tests as data)', () => {
  it('passes every profile test of the repository, so npm test runs them all', async () => {
    const r = await runCli(['test']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /✔ erp-orders\.test\.yaml/);
  });

  it('fails with a readable diff when an edit changes what the profile makes of its sample', async () => {
    const profiles = join(tmp, 'profiles');
    cpSync(join(REPO_ROOT, 'profiles'), profiles, { recursive: true });
    writeFileSync(join(profiles, 'erp-orders.test.yaml'), readFileSync(join(profiles, 'erp-orders.test.yaml'), 'utf8').replace('../samples/', `${join(REPO_ROOT, 'samples')}/`));
    const profile = join(profiles, 'erp-orders.yaml');
    writeFileSync(profile, readFileSync(profile, 'utf8').replace('gross:     { expr: "price * qty * 1.25"', 'gross:     { expr: "price * qty * 1.20"').replace('qty:       { from: "Qty", type: integer, min: 1', 'qty:       { from: "Qty", type: integer, min: 0'));
    const r = await runCli(['test', 'erp-orders', '--profiles', profiles]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /✖ erp-orders\.test\.yaml/);
    assert.match(r.stdout, /record 1 \(row 2\): gross expected 15432, got 14814\.72/);
    assert.match(r.stdout, /rejected 2: expected row 4, got row 6/);
  });
});
