import { resolve } from 'node:path';

import { FerryError } from '../errors.js';
import { openCsvReader } from '../formats/csv/csv-reader.js';
import type { FileLookupSpec, LookupSpec } from '../profiles/field-schema.js';
import type { LookupTable, MappingIssue } from './types.js';

/** Lookup files larger than this are refused: a lookup is held in memory for every row. */
const MAX_LOOKUP_ENTRIES = 1_000_000;

function isFileLookup(spec: LookupSpec): spec is FileLookupSpec {
  return typeof (spec as { file?: unknown }).file === 'string' && /\.(csv|txt|tsv)$/i.test(String((spec as { file?: unknown }).file));
}

async function readLookupFile(name: string, spec: FileLookupSpec, dir: string): Promise<LookupTable> {
  const path = resolve(dir, spec.file);
  const reader = await openCsvReader({ path, name: spec.file }, { encoding: spec.encoding ?? 'auto', delimiter: spec.delimiter ?? 'auto' });
  const keyIndex = spec.key === undefined ? 0 : reader.columns.indexOf(spec.key);
  const valueIndex = spec.value === undefined ? 1 : reader.columns.indexOf(spec.value);
  if (keyIndex < 0 || valueIndex < 0 || valueIndex >= reader.columns.length) {
    const missing = keyIndex < 0 ? spec.key : spec.value ?? 'a second column';
    throw new Error(`${spec.file} has no column "${missing ?? ''}"; its columns are: ${reader.columns.join(', ')}`);
  }
  const table = new Map<string, string>();
  for await (const rows of reader.batches()) {
    for (const row of rows) {
      if (row.problem !== undefined) throw new Error(`${spec.file} line ${row.row}: ${row.problem.message}`);
      const key = row.cells[keyIndex]?.trim() ?? '';
      if (key === '') continue;
      table.set(key, row.cells[valueIndex]?.trim() ?? '');
      if (table.size > MAX_LOOKUP_ENTRIES) throw new Error(`${spec.file} has more than ${MAX_LOOKUP_ENTRIES} entries`);
    }
  }
  return table;
}

/** Loads a profile's lookup tables: inline ones as they are, file ones read from CSV next to the profile. */
export async function loadLookups(lookups: Readonly<Record<string, LookupSpec>> | undefined, dir: string): Promise<{ tables: Map<string, LookupTable>; issues: MappingIssue[] }> {
  const tables = new Map<string, LookupTable>();
  const issues: MappingIssue[] = [];
  for (const [name, spec] of Object.entries(lookups ?? {})) {
    if (isFileLookup(spec)) {
      try {
        tables.set(name, await readLookupFile(name, spec, dir));
      } catch (err) {
        const message = err instanceof FerryError || err instanceof Error ? err.message : String(err);
        issues.push({ path: ['lookups', name, 'file'], message: `cannot be read: ${message}` });
      }
    } else {
      tables.set(name, new Map(Object.entries(spec as Record<string, string | number | boolean | null>)));
    }
  }
  return { tables, issues };
}
