import { posix } from 'node:path';

import type { Logger } from '../log.js';
import type { LoadedProfile } from '../profiles/types.js';
import type { RemoteFs } from '../remote/types.js';
import { doneFileName } from '../sources/folder-source.js';
import type { BatchRow } from '../store/types.js';
import { safeFileName } from './result-destination.js';

/** Where `move:<folder>` puts a file: relative to the source folder, or absolute. */
function moveTarget(loaded: LoadedProfile, folder: string, name: string): string {
  const dir = loaded.profile.source?.dir ?? '.';
  return posix.isAbsolute(folder) ? posix.join(folder, name) : posix.join(dir, folder, name);
}

/**
 * Applies `source.after` on the server (or disk) the file came from, after the batch has settled:
 * move it to a folder (default `processed/`, and `failed/` for a failed batch), delete it, or keep
 * it. Its done file goes with it. A file that is already gone (settled before a crash) counts as
 * settled. A name already taken in the target folder gets the batch id added. If the move fails,
 * the batch stays done and the file is not processed again (its listing is known); the failure is
 * logged for an operator to clean up.
 */
export async function settleSource(loaded: LoadedProfile, batch: BatchRow, fs: RemoteFs, log: Logger): Promise<void> {
  const source = loaded.profile.source;
  if (batch.reprocessOf !== null || source === undefined || source.type === 'http' || source.type === 'amqp' || batch.sourceKind !== (source.type === 'local' ? 'local' : 'remote')) return;
  if (batch.sourceKind === 'local' && !batch.sourcePath.startsWith(`${posix.resolve(source.dir ?? '.')}/`)) return;
  const action = batch.status === 'failed' ? source.after?.failure ?? 'move:failed' : source.after?.success ?? 'move:processed';
  if (action === 'keep') return;
  const dir = posix.dirname(batch.sourcePath);
  const paths = [batch.sourcePath, ...(source.stable?.doneFile === undefined ? [] : [posix.join(dir, doneFileName(source.stable.doneFile, batch.fileName))])];
  for (const path of paths) {
    try {
      if ((await fs.stat(path)) === undefined) continue;
      if (action === 'delete') {
        await fs.remove(path);
        continue;
      }
      const name = safeFileName(posix.basename(path));
      let target = moveTarget(loaded, action.slice('move:'.length), name);
      if ((await fs.stat(target)) !== undefined) {
        const ext = posix.extname(name);
        target = posix.join(posix.dirname(target), `${name.slice(0, name.length - ext.length)}.${batch.id}${ext}`);
      }
      await fs.mkdirp(posix.dirname(target));
      await fs.rename(path, target);
      log.debug({ to: target }, 'source settled');
    } catch (err) {
      log.warn({ err, path, action }, 'the batch is done, but the source file could not be settled; it will not be processed again');
    }
  }
}
