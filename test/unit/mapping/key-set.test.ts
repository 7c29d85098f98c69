import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { KeySet } from '../../../src/mapping/key-set.js';

const openFiles = (): number => readdirSync('/proc/self/fd').length;

describe('key set beyond its memory limit', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-keyset-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds every duplicate, with the row it first appeared on, across spilled and in-memory keys', () => {
    const keys = new KeySet(100, { scratchDir: dir, memoryKeys: 1000 });
    const n = 25_000;
    for (let i = 0; i < n; i++) assert.equal(keys.addOrGet(`ORD-${String(i).padStart(7, '0')}`, i + 2), 0, `key ${i} is new`);
    assert.ok(keys.spills >= 20, `${keys.spills} spills`);
    assert.equal(keys.size, n);
    // every key again, oldest (spilled first) to newest (still in memory)
    for (let i = 0; i < n; i++) assert.equal(keys.addOrGet(`ORD-${String(i).padStart(7, '0')}`, n + i + 2), i + 2);
    assert.equal(keys.size, n, 'duplicates are not added');
    assert.equal(keys.addOrGet('ORD-9999999', 99_999), 0);
    keys.release();
  });

  it('keeps its scratch files unlinked and closes them on release', async () => {
    const before = openFiles();
    const keys = new KeySet(16, { scratchDir: dir, memoryKeys: 100 });
    for (let i = 0; i < 1000; i++) keys.addOrGet(`k${i}`, i + 1);
    assert.ok(keys.spills > 0);
    assert.deepEqual(await readdir(dir), [], 'nothing is left in the scratch folder, even while in use');
    assert.equal(openFiles(), before + keys.spills);
    keys.release();
    keys.release();
    assert.equal(openFiles(), before);
  });

  it('tells a spilled key apart from a new one whose short tag is the same', () => {
    // 200,000 keys through a 2,000-key table: about 100 runs, so that 16-bit tags meet by chance
    const keys = new KeySet(2000, { scratchDir: dir, memoryKeys: 2000 });
    for (let i = 0; i < 200_000; i++) assert.equal(keys.addOrGet(`A${i}`, i + 1), 0);
    for (let i = 0; i < 200_000; i++) assert.equal(keys.addOrGet(`B${i}`, i + 1), 0, `B${i} is new`);
    keys.release();
  });

  it('answers a batch exactly as one key at a time, duplicates within the batch and across spills included', () => {
    const one = new KeySet(16, { scratchDir: dir, memoryKeys: 500 });
    const many = new KeySet(16, { scratchDir: dir, memoryKeys: 500 });
    // keys repeat at every distance: within a batch, a batch back, and many spills back
    const keyOf = (i: number): string => `K${(i * 7919) % 6000}`;
    const out: number[] = [];
    let row = 2;
    for (let size = 1; row < 20_000; size = (size * 3) % 997 + 1) {
      const keys: string[] = [];
      const rows: number[] = [];
      for (let i = 0; i < size; i++, row++) {
        keys.push(keyOf(row));
        rows.push(row);
      }
      many.addOrGetMany(keys, rows, keys.length, out);
      assert.deepEqual(out.slice(0, keys.length), keys.map((k, i) => one.addOrGet(k, rows[i] ?? 0)), `batch ending at row ${row}`);
    }
    assert.ok(many.spills >= 5, `${many.spills} spills`);
    assert.equal(many.size, one.size);
    one.release();
    many.release();
  });

  it('finds a key out of order after a long ascending run, across spills, with its first row', () => {
    for (const batched of [false, true]) {
      const keys = new KeySet(16, { scratchDir: dir, memoryKeys: 1000 });
      const add = (key: string, row: number): number => {
        if (!batched) return keys.addOrGet(key, row);
        const out: number[] = [];
        keys.addOrGetMany([key], [row], 1, out);
        return out[0] ?? -1;
      };
      const id = (i: number): string => `ORD-${String(i).padStart(8, '0')}`;
      for (let i = 1; i <= 5000; i++) assert.equal(add(id(i), i + 1), 0);
      assert.ok(keys.spills >= 4, `${keys.spills} spills while ascending`);
      // the same key twice in a row is not ascending: it is a duplicate
      assert.equal(add(id(5000), 9001), 5001);
      // from here on every key is looked up: spilled, in memory, and new ones
      assert.equal(add(id(1), 9002), 2);
      assert.equal(add(id(4990), 9003), 4991);
      assert.equal(add(id(5001), 9004), 0);
      assert.equal(add(id(5001), 9005), 9004);
      assert.equal(keys.size, 5001);
      keys.release();
    }
  });

  it('answers mostly ascending batches exactly as one key at a time', () => {
    const one = new KeySet(16, { scratchDir: dir, memoryKeys: 700 });
    const many = new KeySet(16, { scratchDir: dir, memoryKeys: 700 });
    // ascending for 3,000 rows, then ascending again with every 50th row repeating an early key
    const keyOf = (i: number): string => (i > 3000 && i % 50 === 0 ? `K${String(i % 997).padStart(6, '0')}` : `K${String(i).padStart(6, '0')}`);
    const out: number[] = [];
    for (let start = 1; start < 8000; start += 333) {
      const keys = Array.from({ length: 333 }, (_, i) => keyOf(start + i));
      const rows = keys.map((_, i) => start + i + 1);
      many.addOrGetMany(keys, rows, keys.length, out);
      assert.deepEqual(out.slice(0, keys.length), keys.map((k, i) => one.addOrGet(k, rows[i] ?? 0)), `batch from row ${start}`);
    }
    assert.equal(many.size, one.size);
    one.release();
    many.release();
  });

  it('sets full tables aside while keys ascend, and finds their keys once one comes out of order', async () => {
    const before = openFiles();
    const keys = new KeySet(16, { scratchDir: dir, memoryKeys: 500 });
    const id = (i: number): string => `A${String(i).padStart(6, '0')}`;
    for (let i = 1; i <= 3000; i++) assert.equal(keys.addOrGet(id(i), i), 0);
    assert.ok(keys.spills >= 5, `${keys.spills} tables set aside`);
    assert.deepEqual(await readdir(dir), [], 'nothing is left in the scratch folder');
    assert.equal(openFiles(), before + keys.spills);
    // out of order: every set-aside key is found with its first row, new keys are new
    for (let i = 3000; i >= 1; i -= 7) assert.equal(keys.addOrGet(id(i), 10_000 + i), i, id(i));
    assert.equal(keys.addOrGet('A999999', 1), 0);
    assert.equal(keys.addOrGet('0', 2), 0);
    assert.equal(keys.size, 3002);
    keys.release();
    keys.release();
    assert.equal(openFiles(), before, 'every scratch file is closed, the indexed ones once');
  });
});
