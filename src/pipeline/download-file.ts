import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';

import { coerceError, TransientError } from '../errors.js';
import type { Logger } from '../log.js';
import type { RemoteFs } from '../remote/types.js';
import { hashingTap } from './stage-file.js';

/** What came of a download into the staging area. */
export type DownloadOutcome =
  | { readonly kind: 'staged'; readonly hash: string; readonly size: number }
  | { readonly kind: 'vanished' }
  | { readonly kind: 'changed'; readonly size: number };

/**
 * Cuts a download that sends more than the listing said: a hostile server (or a link to
 * /dev/zero) could otherwise fill the staging disk. A file that grew meanwhile is caught by the
 * stat that follows, as before.
 */
function sizeCap(path: string, expectedSize: number): Transform {
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > expectedSize) done(new TransientError('E_SIZE_MISMATCH', `${path}: the server sent more than the ${expectedSize} bytes listed`));
      else done(null, chunk);
    },
  });
}

/**
 * Streams a remote file into the staging area under our own name, hashing it and counting its
 * bytes. A transfer that is cut (an error, or fewer bytes than listed while the file itself is
 * unchanged) deletes the partial file and starts again from byte 0, up to `attempts` times. A file
 * that is gone is `vanished`; one whose size changed since the listing is `changed` (the next
 * listing takes it as a new version).
 */
export async function downloadToStaging(fs: RemoteFs, path: string, target: string, expectedSize: number, options: { signal: AbortSignal; log: Logger; attempts?: number }): Promise<DownloadOutcome> {
  await mkdir(dirname(target), { recursive: true });
  const temp = `${target}.part`;
  const attempts = options.attempts ?? 3;
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const tap = hashingTap();
    try {
      const stream = await fs.read(path, options.signal);
      await pipeline(stream, sizeCap(path, expectedSize), tap.stream, createWriteStream(temp), { signal: options.signal });
      const size = tap.size();
      if (size === expectedSize) {
        await rename(temp, target);
        return { kind: 'staged', hash: tap.digest(), size };
      }
      lastError = new TransientError('E_SIZE_MISMATCH', `${path}: ${size} bytes arrived, the listing said ${expectedSize}`);
    } catch (err) {
      lastError = coerceError(err);
    }
    await rm(temp, { force: true });
    if (options.signal.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : lastError;
    const now = await fs.stat(path, options.signal).catch(() => 'unknown' as const);
    if (now === undefined) return { kind: 'vanished' };
    if (now !== 'unknown' && now.size !== expectedSize) return { kind: 'changed', size: now.size };
    options.log.warn({ err: lastError, attempt, path }, 'download cut short; starting again from the beginning');
    if (attempt < attempts) await delay(Math.min(500 * 2 ** (attempt - 1), 10_000), undefined, { signal: options.signal });
  }
  throw new TransientError('E_REMOTE_UNAVAILABLE', `${path} could not be downloaded in ${attempts} attempts: ${lastError?.message ?? 'unknown error'}`, { cause: lastError });
}
