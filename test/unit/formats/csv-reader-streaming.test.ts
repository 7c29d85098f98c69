import assert from 'node:assert/strict';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { openCsvReader } from '../../../src/formats/csv/csv-reader.js';
import { tempFiles, type TempFiles } from '../../support/csv-files.js';

let files: TempFiles;
before(() => {
  files = tempFiles();
});
after(() => files.remove());

const MB = 1024 * 1024;

/** The cells of generated record `i`: every tenth has a note with a delimiter, quotes and a line break. */
function cellsFor(i: number): string[] {
  const note = i % 10 === 0 ? `note; with "quotes"\r\nand a newline ${i}` : `plain note ${i}`;
  return [String(i), `Kunde ${i % 977} Ærø`, String((i % 10007) / 100), `2024-01-${String((i % 28) + 1).padStart(2, '0')}`, note];
}

/** Writes a UTF-8 CSV of about `size` bytes piece by piece, so that the test does not hold it in memory. */
function writeBigCsv(path: string, size: number): { records: number; lines: number; bytes: number } {
  const fd = openSync(path, 'w');
  let records = 0;
  let lines = 1;
  let bytes = 0;
  try {
    const header = 'id;customer;amount;date;note\r\n';
    bytes += writeSync(fd, header);
    while (bytes < size) {
      let piece = '';
      for (let k = 0; k < 10_000; k++) {
        const cells = cellsFor(records++);
        piece += `${cells.map((c) => (c.includes(';') ? `"${c.replaceAll('"', '""')}"` : c)).join(';')}\r\n`;
        lines += cells.join('').split('\n').length;
      }
      bytes += writeSync(fd, piece);
    }
  } finally {
    closeSync(fd);
  }
  return { records, lines, bytes };
}

describe('openCsvReader: streaming', () => {
  it('reads a 50 MB file end to end with bounded memory and every row right', async () => {
    const path = join(files.dir, 'big.csv');
    const written = writeBigCsv(path, 50 * MB);
    const heapBefore = process.memoryUsage().heapUsed;
    const rssBefore = process.memoryUsage.rss();
    let heapPeak = heapBefore;
    let rssPeak = rssBefore;

    const reader = await openCsvReader({ path, name: 'big.csv' }, { encoding: 'auto' });
    assert.equal(reader.detected.delimiter, ';');
    assert.equal(reader.detected.encoding, 'utf-8');
    let count = 0;
    let lastRow = 0;
    let problems = 0;
    let sample: readonly string[] = [];
    for await (const batch of reader.batches()) {
      for (const row of batch) {
        if (row.problem !== undefined) problems++;
        if (Number(row.cells[0]) !== count) assert.fail(`row ${row.row} has id ${row.cells[0]}, expected ${count}`);
        if (row.row <= lastRow) assert.fail(`row numbers go back at ${row.row}`);
        lastRow = row.row;
        if (count === 500_000) sample = row.cells.map((c) => String(c));
        count++;
      }
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
    }

    assert.equal(problems, 0);
    assert.equal(count, written.records);
    assert.equal(lastRow, written.lines);
    assert.equal(reader.stats.lines, written.lines);
    assert.equal(reader.stats.bytes, written.bytes);
    assert.deepEqual(sample, cellsFor(500_000));
    assert.ok(heapPeak - heapBefore < 100 * MB, `heap grew ${Math.round((heapPeak - heapBefore) / MB)} MB`);
    assert.ok(rssPeak - rssBefore < 150 * MB, `RSS grew ${Math.round((rssPeak - rssBefore) / MB)} MB`);
  });
});
