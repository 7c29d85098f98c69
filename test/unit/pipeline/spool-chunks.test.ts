import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { chunkKey, chunkKeyOfLines } from '../../../src/pipeline/deliver-chunks.js';
import { readSpooledChunks } from '../../../src/pipeline/spool.js';
import { tempFiles, type TempFiles } from '../../support/csv-files.js';

let files: TempFiles;
before(() => {
  files = tempFiles();
});
after(() => files.remove());

/** Records long enough that chunks straddle the 1 MiB reads of the spool. */
function records(n: number): string[] {
  return Array.from({ length: n }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat((i * 7919) % 3000), text: 'Vögele € 😀' }));
}

async function chunksOf(lines: string, size: number): Promise<{ records: string[]; key: string; keyOfRecords: string }[]> {
  writeFileSync(join(files.dir, 'records.jsonl'), lines);
  const out: { records: string[]; key: string; keyOfRecords: string }[] = [];
  let seq = 0;
  for await (const chunk of readSpooledChunks(files.dir, size)) {
    out.push({
      records: chunk.records.map((r) => r.toString('utf8')),
      key: chunkKeyOfLines('hash', 'version', seq, chunk.bytes),
      keyOfRecords: chunkKey('hash', 'version', seq, chunk.records),
    });
    seq++;
  }
  return out;
}

describe('reading the spool in chunks', () => {
  it('gives every record once, in chunks of the batch size, across read buffers', async () => {
    const all = records(2500);
    const chunks = await chunksOf(`${all.join('\n')}\n`, 1000);
    assert.deepEqual(chunks.map((c) => c.records.length), [1000, 1000, 500]);
    assert.deepEqual(chunks.flatMap((c) => c.records), all);
  });

  it('keys a chunk by its lines exactly as by its records, so keys stay those of earlier releases', async () => {
    for (const [n, size] of [[1, 3], [9, 3], [10, 3], [2500, 7]] as const) {
      const chunks = await chunksOf(`${records(n).join('\n')}\n`, size);
      for (const c of chunks) assert.equal(c.key, c.keyOfRecords);
    }
  });

  it('reads a last line without its line feed as a record with the same key', async () => {
    const all = records(10);
    const chunks = await chunksOf(all.join('\n'), 3);
    assert.deepEqual(chunks.flatMap((c) => c.records), all);
    for (const c of chunks) assert.equal(c.key, c.keyOfRecords);
  });

  it('gives nothing for an empty spool', async () => {
    assert.deepEqual(await chunksOf('', 3), []);
  });
});
