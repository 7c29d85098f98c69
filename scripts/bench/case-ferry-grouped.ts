/**
 * Issue 6's benchmark: ferry's read + map of the reference CSV with filter/split/group applied
 * (mapping.process), here the profile reference-orders-grouped: three lookups, five computed
 * fields, 100k groups. Counts rows and does the same work as the plain read + map case it is
 * compared with (no JSON); the group count and the absence of rejections are checked so that a
 * broken profile cannot pass as fast.
 */
import { join } from 'node:path';

import { openReader } from '../../src/formats/open-reader.js';
import type { RowItem } from '../../src/mapping/types.js';
import { loadProfileSet } from '../../src/profiles/load.js';
import { runCase } from './case-runtime.js';

const PROFILES = join(import.meta.dirname, '..', '..', '..', 'scripts', 'bench', 'profiles');

runCase(async (file, args) => {
  const id = args[0] ?? 'reference-orders-grouped';
  const set = await loadProfileSet(PROFILES, { only: id });
  const loaded = set.profiles.get(id);
  if (loaded === undefined) throw new Error(`bench profile ${id}: ${set.problems.map((p) => p.message).join('; ')}`);
  const reader = await openReader({ path: file, name: 'reference.csv' }, loaded.profile.format);
  const processor = loaded.mapping.process(reader, 'reference.csv', undefined, reader.estimatedRows);
  let rows = 0;
  let records = 0;
  let other = 0;
  const emit = (item: RowItem): void => {
    if (item.kind === 'record') records++;
    else other++;
  };
  for await (const batch of reader.batches()) {
    rows += batch.length;
    processor.pushMany(batch, emit);
  }
  processor.end(emit);
  if (other > 0) throw new Error(`${other} rows rejected or skipped; the reference file is all valid`);
  // ORD-00000001…09 make the first group of 9 rows, so 1M rows give 100 001 groups
  if (Math.abs(records - rows / 10) > 1) throw new Error(`${records} groups from ${rows} rows; expected one per 10 rows`);
  return rows;
});
