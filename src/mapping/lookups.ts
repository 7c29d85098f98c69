import { resolve } from 'node:path';

import { FerryError } from '../errors.js';
import { openCsvReader } from '../formats/csv/csv-reader.js';
import type { CellValue } from '../formats/types.js';
import type { FileLookupSpec, LookupSpec } from '../profiles/field-schema.js';
import type { LookupTable, MappingIssue } from './types.js';

function cellText(v: CellValue): string {
  return v === undefined ? '' : (typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : String(v)).trim();
}

/** Lookup files larger than this are refused: a lookup is held in memory for every row. */
const MAX_LOOKUP_ENTRIES = 1_000_000;

const FILE_LOOKUP_KEYS = new Set(['file', 'key', 'value', 'delimiter', 'encoding']);
const LOOKUP_FILE_RE = /\.(csv|txt|tsv)$/i;

/** `{ file: … }` with only the keys of a file lookup; an inline table would hardly look like that. */
function isFileLookup(spec: LookupSpec): spec is FileLookupSpec {
  return typeof (spec as { file?: unknown }).file === 'string' && Object.keys(spec).every((k) => FILE_LOOKUP_KEYS.has(k));
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
      const key = cellText(row.cells[keyIndex]);
      if (key === '') continue;
      const value = cellText(row.cells[valueIndex]);
      const earlier = table.get(key);
      // The same key twice with different values: whichever won, some rows would go out wrong.
      if (earlier !== undefined && earlier !== value) throw new Error(`${spec.file} line ${row.row}: the key "${key}" appears a second time, with "${value}" instead of "${earlier}"`);
      table.set(key, value);
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
      if (!LOOKUP_FILE_RE.test(spec.file)) {
        issues.push({ path: ['lookups', name, 'file'], message: `"${spec.file}" is not a CSV file; a lookup file is read as CSV and named *.csv, *.txt or *.tsv` });
        continue;
      }
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
