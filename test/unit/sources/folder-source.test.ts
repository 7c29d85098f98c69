import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { createLocalFs } from '../../../src/remote/local/local-fs.js';
import { CHECK_GAP_MS, FolderSource, globToRegExp } from '../../../src/sources/folder-source.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-src-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text = 'a;b\r\n1;2\r\n', ageMs = 60_000): void {
  writeFileSync(join(dir, name), text);
  const t = (Date.now() - ageMs) / 1000;
  utimesSync(join(dir, name), t, t);
}

const fs = createLocalFs();
function folder(config: ConstructorParameters<typeof FolderSource>[0]): FolderSource {
  return new FolderSource(config, fs);
}

describe('FolderSource on a local folder', () => {
  it('matches globs case-insensitively and leaves temp and hidden files alone', async () => {
    assert.ok(globToRegExp('*.csv').test('ORDERS.CSV'));
    assert.ok(!globToRegExp('*.csv').test('orders.csv.part'));
    assert.ok(globToRegExp('orders-[0-9]?.csv').test('orders-12.csv'));
    const sub = join(dir, 'globs');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(sub);
    for (const n of ['a.csv', 'b.CSV', 'c.csv.part', '.hidden.csv', 'd.tmp', 'e.txt']) writeFileSync(join(sub, n), 'x');
    const source = folder({ type: 'local', dir: sub, include: ['*.csv'], stable: { minAge: 0 } });
    assert.deepEqual((await source.list()).map((f) => f.name).sort(), ['a.csv', 'b.CSV']);
  });

  it('waits for minAge, for equal listings (checks) and for the done file', async () => {
    file('young.csv', 'x', 0);
    file('old.csv');
    file('marked.csv');
    const byAge = folder({ type: 'local', dir, include: ['young.csv', 'old.csv'], stable: { minAge: '5s' } });
    assert.deepEqual((await byAge.listStable()).ready.map((f) => f.name), ['old.csv']);

    let clock = Date.now();
    const byChecks = new FolderSource({ type: 'local', dir, include: ['old.csv'], stable: { minAge: 0, checks: 2 } }, fs, undefined, Date.now, () => clock);
    assert.deepEqual((await byChecks.listStable()).ready, [], 'one listing is not enough');
    clock += 50;
    assert.deepEqual((await byChecks.listStable()).ready, [], `a listing ${50} ms later is not another check`);
    clock += CHECK_GAP_MS;
    assert.deepEqual((await byChecks.listStable()).ready.map((f) => f.name), ['old.csv']);
    file('old.csv', 'grown;x\r\n');
    clock += CHECK_GAP_MS;
    assert.deepEqual((await byChecks.listStable()).ready, [], 'a change starts the count again');

    const byDone = folder({ type: 'local', dir, include: ['marked*'], stable: { minAge: 0, doneFile: '{name}.done' } });
    assert.deepEqual((await byDone.listStable()).ready, []);
    file('marked.csv.done', '');
    const ready = (await byDone.listStable()).ready.map((f) => f.name);
    assert.deepEqual(ready, ['marked.csv'], 'the data file is ready and the marker is not a batch');
  });
});

describe('FolderSource when the wall clock steps (F30)', () => {
  it('measures age on a server and the gap between checks on the monotonic clock, whatever the wall clock does', async () => {
    const sub = join(dir, 'clock');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(sub);
    writeFileSync(join(sub, 'a.csv'), 'x');
    let wall = Date.parse('2026-10-25T00:59:00Z');
    let mono = 1_000;
    // a server source: ferry's own clock measures minAge from when it first saw the file unchanged
    const source = new FolderSource({ type: 'sftp', dir: sub, include: ['*.csv'], stable: { minAge: '5s', checks: 2 } }, fs, undefined, () => wall, () => mono);
    assert.deepEqual((await source.listStable()).ready, []);
    wall -= 3_600_000;
    mono += 1_000;
    assert.deepEqual((await source.listStable()).ready, [], 'a step back of an hour holds nothing back, and hurries nothing');
    wall += 7_200_000;
    mono += 1_000;
    assert.deepEqual((await source.listStable()).ready, [], 'a step forward of two hours does not make a 2 s old file 5 s old');
    mono += 3_000;
    assert.deepEqual((await source.listStable()).ready.map((f) => f.name), ['a.csv'], 'taken once 5 s passed on the monotonic clock');
  });
});
