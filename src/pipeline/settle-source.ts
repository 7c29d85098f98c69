import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, parse } from 'node:path';

import type { Logger } from '../log.js';
import type { LoadedProfile } from '../profiles/types.js';
import type { BatchRow } from '../store/types.js';
import { safeFileName } from './result-destination.js';

/**
 * Applies `source.after`: moves the source file to a folder (relative to the source folder, or
 * absolute), deletes it, or keeps it. Successful and skipped batches take `success` (default
 * move:processed), failed ones `failure` (default move:failed). A source that is already gone
 * (settled before a crash) counts as settled. An existing file of the same name in the target
 * folder is not overwritten: the batch id is added to the name.
 */
export async function settleSource(loaded: LoadedProfile, batch: BatchRow, log: Logger): Promise<void> {
  if (batch.reprocessOf !== null || loaded.profile.source?.type !== 'local') return;
  const after = loaded.profile.source.after;
  const action = batch.status === 'failed' ? after?.failure ?? 'move:failed' : after?.success ?? 'move:processed';
  if (action === 'keep' || !existsSync(batch.sourcePath)) return;
  if (action === 'delete') {
    await rm(batch.sourcePath, { force: true });
    return;
  }
  const folder = action.slice('move:'.length);
  const targetDir = isAbsolute(folder) ? folder : join(dirname(batch.sourcePath), folder);
  await mkdir(targetDir, { recursive: true });
  let target = join(targetDir, safeFileName(batch.fileName));
  if (existsSync(target)) {
    const { name, ext } = parse(target);
    target = join(targetDir, `${name}.${batch.id}${ext}`);
  }
  await rename(batch.sourcePath, target);
  log.debug({ to: target }, 'source settled');
}
