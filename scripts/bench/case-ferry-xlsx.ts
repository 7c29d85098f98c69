/**
 * ferry's read + map of the reference workbook (issue 5's XLSX benchmark) with the example profile
 * scripts/bench/profiles/reference-orders-xlsx.yaml: open the workbook, resolve shared strings and
 * date styles, convert every field (dates from date cells, decimals from number cells), check the
 * key. First extra argument: `read-only` to read the rows without mapping them (the reader's share).
 */
import { join } from 'node:path';

import { openReader } from '../../src/formats/open-reader.js';
import { loadProfileSet } from '../../src/profiles/load.js';
import { runCase } from './case-runtime.js';
import { mapAllRows } from './map-all-rows.js';

const PROFILES = join(import.meta.dirname, '..', '..', '..', 'scripts', 'bench', 'profiles');
const PROFILE = 'reference-orders-xlsx';

runCase(async (file, args) => {
  const set = await loadProfileSet(PROFILES, { only: PROFILE });
  const loaded = set.profiles.get(PROFILE);
  if (loaded === undefined) throw new Error(`bench profile ${PROFILE}: ${set.problems.map((p) => p.message).join('; ')}`);
  const reader = await openReader({ path: file, name: 'reference.xlsx' }, loaded.profile.format);
  if (args[0] === 'read-only') {
    let rows = 0;
    for await (const batch of reader.batches()) rows += batch.length;
    return rows;
  }
  const { records, other } = await mapAllRows(loaded.mapping, reader, 'reference.xlsx');
  if (other > 0) throw new Error(`${other} rows rejected; the reference workbook is all valid`);
  return records;
});
