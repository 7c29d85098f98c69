import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, parse } from 'node:path';

import type { Logger } from '../log.js';
import type { LoadedProfile } from '../profiles/types.js';
import type { BatchRow } from '../store/types.js';
import { doneFileName } from '../sources/local-source.js';
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
  if (action === 'keep') return;
  const template = loaded.profile.source.stable?.doneFile;
  // the done marker goes where its data file goes, so that it cannot announce a file twice
  const paths = [batch.sourcePath, ...(template === undefined ? [] : [join(dirname(batch.sourcePath), doneFileName(template, batch.fileName))])];
  for (const path of paths) {
    if (!existsSync(path)) continue;
    if (action === 'delete') {
      await rm(path, { force: true });
      continue;
    }
    const folder = action.slice('move:'.length);
    const targetDir = isAbsolute(folder) ? folder : join(dirname(path), folder);
    await mkdir(targetDir, { recursive: true });
    let target = join(targetDir, safeFileName(parse(path).base));
    if (existsSync(target)) {
      const { name, ext } = parse(target);
      target = join(targetDir, `${name}.${batch.id}${ext}`);
    }
    await rename(path, target);
    log.debug({ to: target }, 'source settled');
  }
}
