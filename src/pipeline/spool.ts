import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { openReader } from '../formats/open-reader.js';
import type { InputFile } from '../formats/types.js';
import { recordJson } from '../json/to-json.js';
import type { CompiledMapping } from '../mapping/compile.js';
import type { RowError } from '../mapping/types.js';
import type { ProfileFormat } from '../profiles/schema.js';

/** Counts of one mapped file. */
export interface SpoolSummary {
  rows: number;
  records: number;
  rejected: number;
}

/** A record as kept in the spool: its row, its key and its JSON text. */
export interface SpooledRecord {
  row: number;
  key: string;
  json: string;
}

const RECORDS = 'records.tsv';
const REJECTED = 'rejected.tsv';

async function write(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await new Promise<void>((resolve) => stream.once('drain', resolve));
}

async function endStream(stream: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.end(resolve);
  });
}

/**
 * Reads and maps a staged file into the spool: `records.tsv` (row, key, record JSON per line) and
 * `rejected.tsv` (row, errors JSON). Delivery then reads the spool, so chunks and their
 * idempotency keys stay exactly the same after a restart, even if the profile was edited since.
 * The spool is written under temporary names and renamed when complete.
 */
export async function writeSpool(dir: string, file: InputFile, format: ProfileFormat | undefined, mapping: CompiledMapping): Promise<SpoolSummary> {
  await mkdir(dir, { recursive: true });
  const records = createWriteStream(join(dir, `${RECORDS}.part`), { highWaterMark: 1 << 20 });
  const rejected = createWriteStream(join(dir, `${REJECTED}.part`));
  const summary: SpoolSummary = { rows: 0, records: 0, rejected: 0 };
  try {
    const reader = await openReader(file, format);
    const map = mapping.bind(reader.columns, file.name, undefined, reader.estimatedRows);
    for await (const rows of reader.batches()) {
      let text = '';
      for (const row of rows) {
        summary.rows++;
        const out = map(row);
        if (out.ok) {
          summary.records++;
          text += `${out.row}\t${(out.key ?? '').replace(/[\t\n\r]/g, ' ')}\t${recordJson(out.record)}\n`;
        } else {
          summary.rejected++;
          await write(rejected, `${out.row}\t${JSON.stringify(out.errors)}\n`);
        }
      }
      if (text.length > 0) await write(records, text);
    }
  } finally {
    await Promise.all([endStream(records), endStream(rejected)]);
  }
  await rename(join(dir, `${RECORDS}.part`), join(dir, RECORDS));
  await rename(join(dir, `${REJECTED}.part`), join(dir, REJECTED));
  return summary;
}

/** The spooled records in row order. */
export async function* readSpooledRecords(dir: string): AsyncGenerator<SpooledRecord> {
  const lines = createInterface({ input: createReadStream(join(dir, RECORDS), { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  for await (const line of lines) {
    const a = line.indexOf('\t');
    const b = line.indexOf('\t', a + 1);
    yield { row: Number(line.slice(0, a)), key: line.slice(a + 1, b), json: line.slice(b + 1) };
  }
}

/** The rejected rows in row order. */
export async function* readSpooledRejections(dir: string): AsyncGenerator<{ row: number; errors: RowError[] }> {
  const lines = createInterface({ input: createReadStream(join(dir, REJECTED)), crlfDelay: Infinity });
  for await (const line of lines) {
    const a = line.indexOf('\t');
    yield { row: Number(line.slice(0, a)), errors: JSON.parse(line.slice(a + 1)) as RowError[] };
  }
}

/** True when a complete spool exists in `dir`. */
export async function spoolExists(dir: string): Promise<boolean> {
  try {
    await access(join(dir, RECORDS));
    await access(join(dir, REJECTED));
    return true;
  } catch {
    return false;
  }
}

/** Removes a batch's spool once the batch is done. */
export async function removeSpool(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
