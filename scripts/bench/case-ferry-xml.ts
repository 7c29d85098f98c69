/**
 * ferry's own read + map of the reference XML (issue 5's benchmark): stream the records with the
 * XML reader, map every field with the profile in scripts/bench/profiles/reference-orders-xml.yaml,
 * check the key, and count records and rejections. Argument `read-only`: the reader alone, every
 * record tree built and counted but nothing mapped.
 */
import { join } from 'node:path';

import { openReader } from '../../src/formats/open-reader.js';
import { loadProfileSet } from '../../src/profiles/load.js';
import { runCase } from './case-runtime.js';
import { mapAllRows } from './map-all-rows.js';

const PROFILES = join(import.meta.dirname, '..', '..', '..', 'scripts', 'bench', 'profiles');

runCase(async (file, args) => {
  const readOnly = args[0] === 'read-only';
  const id = readOnly ? 'reference-orders-xml' : (args[0] ?? 'reference-orders-xml');
  const set = await loadProfileSet(PROFILES, { only: id });
  const loaded = set.profiles.get(id);
  if (loaded === undefined) throw new Error(`bench profile ${id}: ${set.problems.map((p) => p.message).join('; ')}`);
  const reader = await openReader({ path: file, name: 'reference.xml' }, loaded.profile.format);
  if (readOnly) {
    let count = 0;
    for await (const rows of reader.batches()) {
      for (const row of rows) if (row.record !== undefined) count++;
    }
    return count;
  }
  // the reader itself is the layout: record formats resolve `from` paths
  const { records, other } = await mapAllRows(loaded.mapping, reader, 'reference.xml');
  if (other > 0) throw new Error(`${other} rows rejected; the reference file is all valid`);
  return records;
});
