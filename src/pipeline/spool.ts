import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { openReader } from '../formats/open-reader.js';
import type { InputFile } from '../formats/types.js';
import { recordJson } from '../json/to-json.js';
import type { CompiledMapping } from '../mapping/compile.js';
import type { RowError } from '../mapping/types.js';
import type { ProfileFormat } from '../profiles/schema.js';
import { readLineBatches } from '../util/read-lines.js';

/** Counts of one mapped file. */
export interface SpoolSummary {
  rows: number;
  records: number;
  rejected: number;
}

/** What the result file needs of a spooled record: its row and its key. */
export interface SpooledIndex {
  row: number;
  key: string;
}

/** one record's JSON per line, sent to the target as bytes without being decoded again */
const BODIES = 'records.jsonl';
/** row and key per line, in the same order: all the result file needs */
const INDEX = 'records.idx';
const REJECTED = 'rejected.tsv';
const FILES = [BODIES, INDEX, REJECTED];

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
  const bodies = createWriteStream(join(dir, `${BODIES}.part`), { highWaterMark: 1 << 20 });
  const index = createWriteStream(join(dir, `${INDEX}.part`), { highWaterMark: 1 << 18 });
  const rejected = createWriteStream(join(dir, `${REJECTED}.part`));
  const summary: SpoolSummary = { rows: 0, records: 0, rejected: 0 };
  try {
    const reader = await openReader(file, format);
    const map = mapping.bind(reader, file.name, undefined, reader.estimatedRows);
    for await (const rows of reader.batches()) {
      let json = '';
      let idx = '';
      for (const row of rows) {
        summary.rows++;
        const out = map(row);
        if (out.ok) {
          summary.records++;
          json += `${recordJson(out.record)}\n`;
          const key = out.key ?? '';
          idx += `${out.row}\t${/[\t\n\r]/.test(key) ? key.replace(/[\t\n\r]/g, ' ') : key}\n`;
        } else {
          summary.rejected++;
          await write(rejected, `${out.row}\t${JSON.stringify(out.errors)}\n`);
        }
      }
      if (json.length > 0) {
        await write(bodies, json);
        await write(index, idx);
      }
    }
  } finally {
    await Promise.all([endStream(bodies), endStream(index), endStream(rejected)]);
  }
  for (const name of FILES) await rename(join(dir, `${name}.part`), join(dir, name));
  return summary;
}

/** The JSON of each spooled record, as bytes (views into the read buffer), in batches. */
export async function* readSpooledBodies(dir: string): AsyncGenerator<Buffer[]> {
  let carry: Buffer | undefined;
  for await (const chunk of createReadStream(join(dir, BODIES), { highWaterMark: 1 << 20 })) {
    const bytes = carry === undefined ? (chunk as Buffer) : Buffer.concat([carry, chunk as Buffer]);
    const out: Buffer[] = [];
    let start = 0;
    for (let nl = bytes.indexOf(10, start); nl !== -1; nl = bytes.indexOf(10, start)) {
      out.push(bytes.subarray(start, nl));
      start = nl + 1;
    }
    carry = start < bytes.length ? bytes.subarray(start) : undefined;
    if (out.length > 0) yield out;
  }
  if (carry !== undefined && carry.length > 0) yield [carry];
}

/** Row and key of each spooled record, in batches. */
export async function* readSpooledIndex(dir: string): AsyncGenerator<SpooledIndex[]> {
  for await (const lines of readLineBatches(join(dir, INDEX))) {
    const out = new Array<SpooledIndex>(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] ?? '';
      const tab = line.indexOf('\t');
      out[i] = { row: Number(line.slice(0, tab)), key: line.slice(tab + 1) };
    }
    yield out;
  }
}

/** The rejected rows in row order. */
export async function* readSpooledRejections(dir: string): AsyncGenerator<{ row: number; errors: RowError[] }> {
  for await (const lines of readLineBatches(join(dir, REJECTED))) {
    for (const line of lines) {
      const a = line.indexOf('\t');
      yield { row: Number(line.slice(0, a)), errors: JSON.parse(line.slice(a + 1)) as RowError[] };
    }
  }
}

/** True when a complete spool exists in `dir`. */
export async function spoolExists(dir: string): Promise<boolean> {
  try {
    for (const name of FILES) await access(join(dir, name));
    return true;
  } catch {
    return false;
  }
}

/** Removes a batch's spool once the batch is done. */
export async function removeSpool(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
