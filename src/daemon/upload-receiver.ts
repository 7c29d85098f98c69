import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { InputError } from '../errors.js';
import type { Logger } from '../log.js';
import { type PipelineContext, uploadsDir } from '../pipeline/process-batch.js';
import { safeFileName } from '../pipeline/result-destination.js';
import { combineStatus, defaultParams, processClaimed } from '../pipeline/run-profile.js';
import { sizeBytes } from '../profiles/schema-helpers.js';
import type { LoadedProfile } from '../profiles/types.js';
import { newId } from '../util/ids.js';
import { RunSlots } from './run-slots.js';

/** Uploads larger than this are refused unless the profile sets `source.maxSize`. */
export const DEFAULT_UPLOAD_MAX_BYTES = 100_000_000;

/** A received upload: committed as a batch before the caller is answered. */
export interface ReceivedUpload {
  readonly runId: string;
  readonly batchId: string;
  readonly fileName: string;
  readonly size: number;
}

/**
 * Takes files uploaded to `POST /upload/<profile>` for a `source.type: http` profile: streams the
 * body to disk (refusing it past `source.maxSize`), commits a run and a batch for it, and only then
 * lets the caller have the batch id; the batches of one profile are then processed one after
 * another, like the files of a folder.
 */
export class UploadReceiver {
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;
  readonly maxBytes: number;
  private readonly log: Logger;

  constructor(readonly loaded: LoadedProfile, private readonly ctx: PipelineContext, private readonly slots: RunSlots = new RunSlots(Number.MAX_SAFE_INTEGER)) {
    const max = loaded.profile.source?.maxSize;
    this.maxBytes = max === undefined ? DEFAULT_UPLOAD_MAX_BYTES : sizeBytes(max);
    this.log = ctx.log.child({ profile: loaded.id });
  }

  /** The bearer token uploads must carry; undefined refuses every upload. */
  get token(): string | undefined {
    return this.loaded.profile.source?.token;
  }

  /** Writes one upload to disk and commits its batch. Throws E_UPLOAD_TOO_LARGE past the limit. */
  async receive(name: string, body: Readable): Promise<ReceivedUpload> {
    if (this.stopped) throw new Error('ferry is stopping');
    const { ctx, loaded } = this;
    const dir = uploadsDir(ctx.dataDir);
    await mkdir(dir, { recursive: true });
    const batchId = newId('b');
    const fileName = safeFileName(name);
    const ext = extname(fileName).replace(/[^A-Za-z0-9.]/g, '').slice(0, 10);
    const temp = join(dir, `${batchId}${ext}.part`);
    const path = join(dir, `${batchId}${ext}`);
    let size = 0;
    const hash = createHash('sha256');
    const max = this.maxBytes;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > max) {
          done(new InputError('E_UPLOAD_TOO_LARGE', `${fileName} is larger than ${max} bytes, the most profile ${loaded.id} takes (source.maxSize)`, { location: { file: fileName } }));
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, counter, createWriteStream(temp));
      await rename(temp, path);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    const mtimeMs = Math.trunc((await stat(path)).mtimeMs);
    const params = defaultParams(loaded);
    const runId = newId('r');
    await ctx.store.createRun({ id: runId, profile: loaded.id, trigger: 'upload', params: params.texts });
    await ctx.store.profileVersion(loaded.id, loaded.contentHash, loaded.text);
    const batch = await ctx.store.createBatch({
      id: batchId, runId, profile: loaded.id, profileVersion: loaded.contentHash, fileName,
      sourceKind: 'local', sourcePath: path, sourceSize: size, sourceMtimeMs: mtimeMs, reprocessOf: null,
    });
    this.log.info({ batch: batchId, file: fileName, size, sha256: hash.digest('hex') }, 'upload received');
    this.queue = this.queue.then(async () => {
      const release = await this.slots.acquire();
      try {
        const done = await processClaimed(ctx, batch, loaded);
        await ctx.store.finishRun(runId, combineStatus([done.status]));
      } finally {
        release();
      }
    }).catch((err: unknown) => {
      if (!ctx.signal.aborted) this.log.error({ err, batch: batchId }, 'the uploaded batch stopped; it resumes at the next start');
    });
    return { runId, batchId, fileName, size };
  }

  /** Refuses new uploads; resolves when the batches taken have stopped. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.queue;
  }
}
