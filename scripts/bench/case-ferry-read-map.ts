/**
 * ferry's own read + map of the reference CSV with an example profile (issue 2's benchmark):
 * decode windows-1252, parse, convert every field, check the key, count records and rejections,
 * through the record processor as the pipeline does (map-all-rows.ts).
 * First extra argument: the profile id in scripts/bench/profiles (default reference-orders).
 */
import { join } from 'node:path';

import { openReader } from '../../src/formats/open-reader.js';
import { loadProfileSet } from '../../src/profiles/load.js';
import { runCase } from './case-runtime.js';
import { mapAllRows } from './map-all-rows.js';

const PROFILES = join(import.meta.dirname, '..', '..', '..', 'scripts', 'bench', 'profiles');

runCase(async (file, args) => {
  const id = args[0] ?? 'reference-orders';
  const set = await loadProfileSet(PROFILES, { only: id });
  const loaded = set.profiles.get(id);
  if (loaded === undefined) throw new Error(`bench profile ${id}: ${set.problems.map((p) => p.message).join('; ')}`);
  const reader = await openReader({ path: file, name: 'reference.csv' }, loaded.profile.format);
  const { records, other } = await mapAllRows(loaded.mapping, reader, 'reference.csv');
  if (other > 0) throw new Error(`${other} rows rejected; the reference file is all valid`);
  return records;
});
