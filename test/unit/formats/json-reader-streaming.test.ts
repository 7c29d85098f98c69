import assert from 'node:assert/strict';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { openJsonReader } from '../../../src/formats/json/json-reader.js';
import { tempFiles, type TempFiles } from '../../support/csv-files.js';

let files: TempFiles;
before(() => {
  files = tempFiles();
});
after(() => files.remove());

const MB = 1024 * 1024;

/** Writes `{"meta": …, "data": {"items": [ … ]}}` of about `size` bytes piece by piece; returns the item count. */
function writeBigJson(path: string, size: number): number {
  const fd = openSync(path, 'w');
  let items = 0;
  let bytes = 0;
  try {
    bytes += writeSync(fd, '{"meta": {"source": "erp", "warnings": []},\n "data": {"items": [\n');
    while (bytes < size) {
      let piece = '';
      for (let k = 0; k < 5000; k++) {
        items++;
        piece += `${items === 1 ? '' : ',\n'}{"id": "ORD-${String(items).padStart(8, '0')}", "customer": {"no": "${String(items % 977).padStart(6, '0')}", "name": "Kunde Ærø ${items % 977}"}, "qty": ${items % 500}, "price": ${(items % 10007) / 100}, "ref": 1234567890123456${String(items % 10000).padStart(4, '0')}, "lines": [{"sku": "000${items % 1000}"}], "note": null}`;
      }
      bytes += writeSync(fd, piece);
    }
    writeSync(fd, '\n]}}\n');
  } finally {
    closeSync(fd);
  }
  return items;
}

describe('openJsonReader: streaming', () => {
  it('streams the items of a 100 MB document one at a time with bounded memory', async (t) => {
    const path = join(files.dir, 'big.json');
    const written = writeBigJson(path, 100 * MB);
    const heapBefore = process.memoryUsage().heapUsed;
    const halfPeaks = [heapBefore, heapBefore];

    const reader = await openJsonReader({ path, name: 'big.json' }, { record: '/data/items' });
    const id = reader.resolve?.('id');
    const ref = reader.resolve?.('ref');
    assert.ok(id && ref);
    let count = 0;
    let batches = 0;
    for await (const batch of reader.batches()) {
      batches++;
      for (const row of batch) {
        count++;
        if (row.row !== count || row.problem !== undefined) assert.fail(`row ${row.row}: ${row.problem?.message ?? 'out of order'}`);
        if (count % 100_000 === 0) {
          assert.equal(id(row), `ORD-${String(count).padStart(8, '0')}`);
          assert.equal(String(ref(row)), `1234567890123456${String(count % 10000).padStart(4, '0')}`, 'a 20-digit number keeps every digit');
        }
      }
      const half = count < written / 2 ? 0 : 1;
      halfPeaks[half] = Math.max(halfPeaks[half] ?? 0, process.memoryUsage().heapUsed);
    }
    assert.equal(count, written);
    assert.ok(batches > 100, `${batches} batches`);
    assert.equal(reader.stats.bytes, statSync(path).size);
    const [first, second] = halfPeaks.map((h) => ((h ?? 0) - heapBefore) / MB);
    t.diagnostic(`${count} items; heap above the start: ${first?.toFixed(1)} MB at most in the first half, ${second?.toFixed(1)} MB in the second`);
    assert.ok((second ?? 0) < 96, `heap grew by ${second?.toFixed(1)} MB while reading 100 MB`);
    assert.ok((second ?? 0) - (first ?? 0) < 32, 'the heap stays flat from the first half of the file to the second');
  });
});
