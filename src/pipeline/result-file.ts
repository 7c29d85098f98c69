import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { createTableWriter, type TableFormat } from '../formats/writers/create-writer.js';
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
  /** csv (the default), xlsx, xml or json: `results.format` of the profile */
  readonly format?: TableFormat;
  /** csv only */
  readonly delimiter: string;
  /** csv only */
  readonly encoding: string;
}

const COLUMNS = ['row', 'status', 'key', 'targetId', 'error'];

function describeErrors(errors: readonly RowError[]): string {
  return errors.map((e) => `${e.field}: ${e.message} [${e.code}]`).join('; ');
}

/**
 * Writes the row-level result file: `row,status,key,targetId,error`, one row per source row in
 * source order (records from the spool merged with rejected rows), as CSV (CRLF, the given
 * delimiter and encoding), XLSX, XML or JSON. Keys, ids and errors come from input, so values a
 * spreadsheet would run as formulas are neutralised. It is written under a temporary name and
 * renamed, so the customer never sees half a file; a rerun after a crash overwrites the same final
 * name.
 */
export async function writeResultFile(o: ResultFileOptions): Promise<{ delivered: number; failed: number; rejected: number }> {
  await mkdir(dirname(o.path), { recursive: true });
  const temp = join(dirname(o.path), `.${basename(o.path)}.part`);
  const out = createWriteStream(temp, { highWaterMark: 1 << 20 });
  const counts = { delivered: 0, failed: 0, rejected: 0 };
  let chunkSeq = -1;
  let chunk: ChunkRecord | undefined;
  const rejections = readSpooledRejections(o.spoolDir);
  try {
    const writer = createTableWriter(o.format ?? 'csv', out, {
      columns: COLUMNS, delimiter: o.delimiter, encoding: o.encoding, lineEnding: 'CRLF',
      sheetName: 'Results', rootElement: 'results', recordElement: 'result',
    });
    let nextRejected = await rejections.next();
    const writeRejectedBefore = async (row: number): Promise<void> => {
      while (nextRejected.done !== true && nextRejected.value.row < row) {
        const r = nextRejected.value;
        await writer.writeRow([r.row, 'rejected', null, null, describeErrors(r.errors)]);
        counts.rejected++;
        nextRejected = await rejections.next();
      }
    };
    let index = 0;
    for await (const batch of readSpooledIndex(o.spoolDir)) {
      for (const rec of batch) {
        if (nextRejected.done !== true && nextRejected.value.row < rec.row) await writeRejectedBefore(rec.row);
        const seq = Math.floor(index / o.batchSize);
        if (seq !== chunkSeq) {
          chunk = await o.chunk(seq);
          chunkSeq = seq;
        }
        const pos = index % o.batchSize;
        const error = chunk === undefined ? o.undeliveredReason : chunk.errors[pos] ?? null;
        const id = chunk?.ids[pos] ?? null;
        if (error === null) counts.delivered++;
        else counts.failed++;
        await writer.writeRow([rec.row, error === null ? 'delivered' : 'failed', rec.key, id === '' ? null : id, error]);
        index++;
      }
    }
    await writeRejectedBefore(Number.MAX_SAFE_INTEGER);
    await writer.end();
  } catch (err) {
    out.destroy();
    await rm(temp, { force: true });
    throw err;
  }
  crashPoint('before-result-rename');
  await rename(temp, o.path);
  return counts;
}
