import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import iconv from 'iconv-lite';

import type { RowError } from '../mapping/types.js';
import type { ChunkRecord } from '../store/types.js';
import { crashPoint } from '../util/crash-point.js';
import { readSpooledIndex, readSpooledRejections } from './spool.js';

/** How the result file is written. */
export interface ResultFileOptions {
  readonly spoolDir: string;
  /** the recorded outcome of chunk `seq`, read one chunk at a time so memory stays flat */
  readonly chunk: (seq: number) => Promise<ChunkRecord | undefined>;
  readonly batchSize: number;
  /** why records without a chunk outcome were not delivered (file rejected, target unreachable) */
  readonly undeliveredReason: string;
  readonly path: string;
  readonly delimiter: string;
  readonly encoding: string;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** A CSV cell: quoted when needed, and with a leading `'` when a spreadsheet would run it as a formula. */
export function csvCell(value: string, delimiter: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /["\r\n]/.test(safe) || safe.includes(delimiter) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function describeErrors(errors: readonly RowError[]): string {
  return errors.map((e) => `${e.field}: ${e.message} [${e.code}]`).join('; ');
}

async function write(stream: WriteStream, text: string, encoding: string): Promise<void> {
  const bytes = encoding === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, encoding);
  if (!stream.write(bytes)) await new Promise<void>((resolve) => stream.once('drain', resolve));
}

/**
 * Writes the row-level result file: `row,status,key,targetId,error`, one line per source row in
 * source order (records from the spool merged with rejected rows). It is written under a
 * temporary name and renamed, so the customer never sees half a file; a rerun after a crash
 * overwrites the same final name.
 */
export async function writeResultFile(o: ResultFileOptions): Promise<{ delivered: number; failed: number; rejected: number }> {
  await mkdir(dirname(o.path), { recursive: true });
  const temp = join(dirname(o.path), `.${basename(o.path)}.part`);
  const out = createWriteStream(temp);
  const d = o.delimiter;
  const counts = { delivered: 0, failed: 0, rejected: 0 };
  let chunkSeq = -1;
  let chunk: ChunkRecord | undefined;
  const rejections = readSpooledRejections(o.spoolDir);
  let nextRejected = await rejections.next();
  let text = ['row', 'status', 'key', 'targetId', 'error'].join(d) + '\r\n';
  const flushRejectedBefore = async (row: number): Promise<void> => {
    while (nextRejected.done !== true && nextRejected.value.row < row) {
      const r = nextRejected.value;
      text += [String(r.row), 'rejected', '', '', csvCell(describeErrors(r.errors), d)].join(d) + '\r\n';
      counts.rejected++;
      nextRejected = await rejections.next();
    }
  };
  try {
    let index = 0;
    for await (const batch of readSpooledIndex(o.spoolDir)) {
      for (const rec of batch) {
        if (nextRejected.done !== true && nextRejected.value.row < rec.row) await flushRejectedBefore(rec.row);
        const seq = Math.floor(index / o.batchSize);
        if (seq !== chunkSeq) {
          chunk = await o.chunk(seq);
          chunkSeq = seq;
        }
        const pos = index % o.batchSize;
        const error = chunk === undefined ? o.undeliveredReason : chunk.errors[pos] ?? null;
        const id = chunk?.ids[pos] ?? '';
        if (error === null) counts.delivered++;
        else counts.failed++;
        text += `${rec.row}${d}${error === null ? 'delivered' : 'failed'}${d}${csvCell(rec.key, d)}${d}${id === '' ? '' : csvCell(id, d)}${d}${error === null ? '' : csvCell(error, d)}\r\n`;
        index++;
      }
      if (text.length > 1 << 16) {
        await write(out, text, o.encoding);
        text = '';
      }
    }
    await flushRejectedBefore(Number.MAX_SAFE_INTEGER);
    await write(out, text, o.encoding);
    await new Promise<void>((resolve, reject) => {
      out.once('error', reject);
      out.end(resolve);
    });
  } catch (err) {
    out.destroy();
    await rm(temp, { force: true });
    throw err;
  }
  crashPoint('before-result-rename');
  await rename(temp, o.path);
  return counts;
}
