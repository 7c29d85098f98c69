/**
 * ferry's own read + map of the reference CSV with an example profile (issue 2's benchmark):
 * decode windows-1252, parse, convert every field, check the key, count records and rejections.
 * First extra argument: the profile id in scripts/bench/profiles (default reference-orders).
 */
import { join } from 'node:path';

import { openReader } from '../../src/formats/open-reader.js';
import { loadProfileSet } from '../../src/profiles/load.js';
import { runCase } from './case-runtime.js';

const PROFILES = join(import.meta.dirname, '..', '..', '..', 'scripts', 'bench', 'profiles');

runCase(async (file, args) => {
  const id = args[0] ?? 'reference-orders';
  const set = await loadProfileSet(PROFILES, { only: id });
  const loaded = set.profiles.get(id);
  if (loaded === undefined) throw new Error(`bench profile ${id}: ${set.problems.map((p) => p.message).join('; ')}`);
  const reader = await openReader({ path: file, name: 'reference.csv' }, loaded.profile.format);
  const map = loaded.mapping.bind(reader.columns, 'reference.csv', undefined, reader.estimatedRows);
  let records = 0;
  let rejected = 0;
  for await (const rows of reader.batches()) {
    for (const row of rows) {
      if (map(row).ok) records++;
      else rejected++;
    }
  }
  if (rejected > 0) throw new Error(`${rejected} rows rejected; the reference file is all valid`);
  return records;
});
