import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { openXmlReader } from '../../../src/formats/xml/xml-reader.js';
import { generateReferenceXml, REFERENCE_XML_RECORD } from '../../../scripts/bench/generate-xml.js';
import { tempFiles, type TempFiles } from '../../support/csv-files.js';

let files: TempFiles;
before(() => {
  files = tempFiles();
});
after(() => files.remove());

const MB = 1024 * 1024;

describe('openXmlReader: streaming', () => {
  it('streams a 100 MB document record by record with bounded memory', async (t) => {
    const path = join(files.dir, 'big.xml');
    // 222 bytes a record: 450,000 records make about 100 MB
    const written = await generateReferenceXml(path, 450_000);
    assert.ok(written.bytes > 95 * MB, `${written.bytes} bytes`);
    globalThis.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    // peaks of the first and the second half of the file: flat when nothing is kept
    const halfPeaks = [heapBefore, heapBefore];

    const reader = await openXmlReader({ path, name: 'big.xml' }, { record: REFERENCE_XML_RECORD });
    assert.ok(reader.estimatedRows !== undefined && Math.abs(reader.estimatedRows - 450_000) < 50_000, `estimate ${reader.estimatedRows}`);
    const id = reader.resolve?.('@id');
    const unit = reader.resolve?.('Qty/@unit');
    assert.ok(id && unit);
    let count = 0;
    let batches = 0;
    for await (const batch of reader.batches()) {
      batches++;
      for (const row of batch) {
        count++;
        if (row.row !== count) assert.fail(`row ${row.row} where ${count} was expected`);
        if (row.problem !== undefined) assert.fail(`row ${row.row}: ${row.problem.message}`);
        if (count % 100_000 === 0) {
          assert.equal(id(row), `ORD-${String(count).padStart(8, '0')}`);
          assert.equal(unit(row), 'EA');
        }
      }
      const half = count < 225_000 ? 0 : 1;
      halfPeaks[half] = Math.max(halfPeaks[half] ?? 0, process.memoryUsage().heapUsed);
    }
    assert.equal(count, 450_000);
    assert.ok(batches > 100, `${batches} batches: rows arrive as the file is read, not at the end`);
    assert.equal(reader.stats.bytes, statSync(path).size);
    const [first, second] = halfPeaks.map((h) => ((h ?? 0) - heapBefore) / MB);
    t.diagnostic(`heap above the start: ${first?.toFixed(1)} MB at most in the first half, ${second?.toFixed(1)} MB in the second (${batches} batches)`);
    // a reader that kept its records would hold hundreds of MB here; what remains is garbage not yet collected
    assert.ok((second ?? 0) < 96, `heap grew by ${second?.toFixed(1)} MB while reading 100 MB`);
    assert.ok((second ?? 0) - (first ?? 0) < 32, 'the heap stays flat from the first half of the file to the second');
  });
});
