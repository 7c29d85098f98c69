import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { extname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { BodyTooLarge } from './read-body.js';

/** Samples older than this are removed when the next one arrives. */
const SAMPLE_TTL_MS = 24 * 3600_000;

/** The folder uploaded samples are kept in. */
export function samplesDir(dataDir: string): string {
  return join(dataDir, 'samples');
}

/** The extension a sample keeps: readers and the format guess go by it; nothing else of the name is used. */
export function sampleExtension(name: string): string {
  return extname(name).toLowerCase().replace(/[^a-z0-9.]/g, '').slice(0, 10);
}

/**
 * Streams a request body into `path`, refusing it beyond `limit` bytes (the partial file is
 * removed), so memory stays flat whatever the sample's size.
 */
export async function saveBody(req: IncomingMessage, path: string, limit: number): Promise<number> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyTooLarge(`the body is ${declared} bytes; the limit is ${limit}`);
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      done(size > limit ? new BodyTooLarge(`the body is larger than the limit of ${limit} bytes`) : null, chunk);
    },
  });
  try {
    await pipeline(req, counter, createWriteStream(path, { flags: 'wx' }));
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  }
  return size;
}

/** The stored file of sample `id` (its name is `<id><ext>`), or undefined. */
export async function findSample(dataDir: string, id: string): Promise<string | undefined> {
  const names = await readdir(samplesDir(dataDir)).catch(() => [] as string[]);
  const name = names.find((n) => n === id || (n.startsWith(id) && n.charAt(id.length) === '.'));
  return name === undefined ? undefined : join(samplesDir(dataDir), name);
}

/** Removes samples older than a day. */
export async function pruneSamples(dataDir: string, now = Date.now()): Promise<void> {
  const dir = samplesDir(dataDir);
  await mkdir(dir, { recursive: true });
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    const s = await stat(path).catch(() => undefined);
    if (s !== undefined && now - s.mtimeMs > SAMPLE_TTL_MS) await rm(path, { force: true });
  }
}
