import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { IndexSlab } from '../../../src/pipeline/index-slab.js';

/** The index line as the spool wrote it before IndexSlab: the format readSpooledIndex reads. */
function expectedLine(rows: readonly number[], key: string): string {
  return `${rows.join(',')}\t${key.replace(/[\t\n\r]/g, ' ')}\n`;
}

const ENTRIES: readonly [number[], string][] = [
  [[2], 'ORD-00000001'],
  [[10, 11, 12], 'SKU-1|XL'],
  [[9007199254740991], ''],
  [[0], 'tab\there\nand\rbreaks'],
  [[1234567], 'Größe € 😀 and a lone \ud800 after\tit'],
  [[99, 100, 101, 1000], 'ÆØÅ'.repeat(200)],
];

describe('IndexSlab', () => {
  it('writes rows and key as the spool index reads them, whatever the key holds', () => {
    for (const size of [32, 100, 1 << 16]) {
      const slab = new IndexSlab(size);
      const parts: Buffer[] = [];
      for (let round = 0; round < 20; round++) {
        for (const [rows, key] of ENTRIES) slab.entry(rows, key);
        if (round % 3 === 0) parts.push(...slab.take());
      }
      parts.push(...slab.take());
      const expected = ENTRIES.map(([rows, key]) => expectedLine(rows, key)).join('').repeat(20);
      // bytes, not text: a lone surrogate is encoded as Buffer#write encodes it, and reads back as U+FFFD
      assert.ok(Buffer.concat(parts).equals(Buffer.from(expected, 'utf8')), `slab size ${size}`);
    }
  });
});
