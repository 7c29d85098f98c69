import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { openCsvReader, type CsvOptions } from '../../src/formats/csv/csv-reader.js';
import type { InputFile, RowReader, SourceRow } from '../../src/formats/types.js';

/** A temporary folder for generated input files. */
export interface TempFiles {
  readonly dir: string;
  /** writes `content` (a string is written as UTF-8) and returns it as a reader input */
  write(name: string, content: Buffer | string): InputFile;
  remove(): void;
}

/** Creates a fresh temporary folder under the OS temp dir. */
export function tempFiles(): TempFiles {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-csv-'));
  return {
    dir,
    write(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return { path, name };
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Opens a CSV file and reads all its rows. */
export async function readCsv(file: InputFile, options: CsvOptions = {}): Promise<{ reader: RowReader; rows: SourceRow[] }> {
  const reader = await openCsvReader(file, options);
  const rows: SourceRow[] = [];
  for await (const batch of reader.batches()) rows.push(...batch);
  return { reader, rows };
}

/** Row numbers and cells, as a person would check them. */
export function cellsOf(rows: readonly SourceRow[]): [number, readonly string[]][] {
  return rows.map((r) => [r.row, r.cells.map((c) => (typeof c === 'string' ? c : String(c)))]);
}

/** How many file descriptors this process has open, or undefined where /proc is not available. */
export function openFileCount(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}

/** A small deterministic PRNG so that generated files are the same on every run. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
