import { createReadStream } from 'node:fs';

/**
 * The lines of a UTF-8 file in batches (one batch per read), without the final newline. Much
 * cheaper than node:readline for files of millions of short lines: one decode per chunk and one
 * split, and one await per batch instead of per line. Lines must not contain a raw '\n' inside
 * (true of ferry's spool files, whose lines are JSON and tab-separated fields).
 */
export async function* readLineBatches(path: string, chunkBytes = 1 << 20): AsyncGenerator<string[]> {
  let carry: Buffer | undefined;
  for await (const chunk of createReadStream(path, { highWaterMark: chunkBytes })) {
    const bytes = carry === undefined ? (chunk as Buffer) : Buffer.concat([carry, chunk as Buffer]);
    const last = bytes.lastIndexOf(10);
    if (last === -1) {
      carry = bytes;
      continue;
    }
    carry = last + 1 < bytes.length ? bytes.subarray(last + 1) : undefined;
    yield bytes.toString('utf8', 0, last).split('\n');
  }
  if (carry !== undefined && carry.length > 0) yield [carry.toString('utf8')];
}
