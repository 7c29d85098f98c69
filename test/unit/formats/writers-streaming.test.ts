import assert from 'node:assert/strict';
import { createWriteStream, statSync } from 'node:fs';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';

import { createTableWriter, type TableFormat } from '../../../src/formats/writers/create-writer.js';
import type { WriterValue } from '../../../src/formats/writers/types.js';
import { Decimal } from '../../../src/mapping/decimal.js';
import { tempFiles, type TempFiles } from '../../support/csv-files.js';
import { CollectingStream } from '../../support/writer-output.js';

let files: TempFiles;
before(() => {
  files = tempFiles();
});
after(() => files.remove());

const FORMATS: readonly TableFormat[] = ['csv', 'xlsx', 'xml', 'json'];
const COLUMNS = ['row', 'status', 'key', 'id', 'error', 'amount', 'date', 'flag', 'text', 'neg'];
const amount = Decimal.parse('1234.56') ?? assert.fail('bad decimal');

function row(i: number): WriterValue[] {
  return [i, 'delivered', `ORD-${i}`, `T-${i * 7}`, i % 3 === 0 ? `HTTP 422: field ${i} is invalid` : null, amount, new Date(Date.UTC(2024, 0, 1 + (i % 365))), i % 2 === 0, 'Müller & Söhne', -5];
}

/** A stream that fails once it has taken `limit` bytes, as a full disk would. */
class FailingStream extends Writable {
  private taken = 0;
  constructor(private readonly limit: number) {
    super({ highWaterMark: 16 * 1024 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.taken += chunk.length;
    setImmediate(() => callback(this.taken > this.limit ? new Error('ENOSPC: no space left on device') : null));
  }
}

describe('table writers: streaming', () => {
  for (const format of FORMATS) {
    it(`${format}: waits for a slow output instead of piling rows up in its buffer`, async () => {
      const out = new CollectingStream({ keep: false, slow: true });
      const writer = createTableWriter(format, out, { columns: COLUMNS });
      for (let i = 0; i < 20_000; i++) await writer.writeRow(row(i));
      await writer.end();
      assert.ok(out.bytesWritten > 400_000, `${out.bytesWritten} bytes written`);
      // one 64 Ki-character piece (up to 3 bytes a character) on top of the stream's 16 KiB
      assert.ok(out.maxBuffered < 16 * 1024 + 3 * 65 * 1024, `at most ${out.maxBuffered} bytes waited in the stream`);
      assert.ok(out.writableFinished, 'end() ended the stream');
    });

    it(`${format}: reports an error of the output instead of hanging`, async () => {
      const writer = createTableWriter(format, new FailingStream(100_000), { columns: COLUMNS });
      await assert.rejects(async () => {
        for (let i = 0; i < 50_000; i++) await writer.writeRow(row(i));
        await writer.end();
      }, /ENOSPC/);
    });
  }

  for (const format of ['csv', 'xlsx'] as const) {
    it(`${format}: writes 200,000 rows × 10 columns with flat memory`, async () => {
      const path = `${files.dir}/big.${format}`;
      const writer = createTableWriter(format, createWriteStream(path), { columns: COLUMNS });
      let baseline = 0;
      let peak = 0;
      for (let i = 0; i < 200_000; i++) {
        await writer.writeRow(row(i));
        if (i % 5_000 === 0) {
          const rss = process.memoryUsage().rss;
          if (i === 20_000) baseline = rss;
          peak = Math.max(peak, rss);
        }
      }
      await writer.end();
      const growth = (peak - baseline) / 2 ** 20;
      assert.ok(statSync(path).size > (format === 'csv' ? 15e6 : 4e6), `${statSync(path).size} bytes`);
      // the rows written are ~20 MB of CSV, ~80 MB of sheet XML: memory that grew with them would show
      assert.ok(growth < 40, `RSS grew by ${growth.toFixed(1)} MB after the first 20,000 rows`);
    });
  }
});
