import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { TransientError } from '../errors.js';

/** A pass-through stream that hashes (sha256) and counts the bytes going through it. */
export function hashingTap(): { stream: Transform; size(): number; digest(): string } {
  const hash = createHash('sha256');
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  return { stream, size: () => size, digest: () => hash.digest('hex') };
}

/** sha256 (hex) of a local file, streamed. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Copies a source file into the staging area under a name of ours, hashing it on the way, and
 * checks the byte count against the size the listing reported. The copy goes to a temporary name
 * first, so a staged file under its final name is always complete.
 */
export async function stageLocalFile(source: string, target: string, expectedSize: number): Promise<{ hash: string; size: number }> {
  await mkdir(dirname(target), { recursive: true });
  const temp = `${target}.part`;
  const tap = hashingTap();
  try {
    await pipeline(createReadStream(source, { highWaterMark: 1 << 20 }), tap.stream, createWriteStream(temp));
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  const size = tap.size();
  if (size !== expectedSize) {
    await rm(temp, { force: true });
    throw new TransientError('E_IO', `${source} changed while it was copied (listed ${expectedSize} bytes, read ${size}); it is taken again once it is stable`);
  }
  await rename(temp, target);
  return { hash: tap.digest(), size };
}

/** True when a staged file exists with the expected size. */
export async function stagedIsIntact(path: string, size: number): Promise<boolean> {
  try {
    return (await stat(path)).size === size;
  } catch {
    return false;
  }
}
