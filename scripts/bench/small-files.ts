/**
 * The small files of issue 3's many-files case: consecutive slices of the reference CSV, each with
 * the header line, kept as raw windows-1252 bytes. Every slice holds different orders, so ferry's
 * same-content check never skips one.
 */
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const CRLF = Buffer.from('\r\n');

/** Reads the first `count × rowsPerFile` data rows of `reference` and cuts them into files' bytes. */
export async function sliceReferenceCsv(reference: string, count: number, rowsPerFile: number): Promise<Buffer[]> {
  const wanted = count * rowsPerFile + 1;
  const handle = await open(reference, 'r');
  const lines: Buffer[] = [];
  try {
    let carry = Buffer.alloc(0);
    const block = Buffer.alloc(1 << 20);
    while (lines.length < wanted) {
      const { bytesRead } = await handle.read(block, 0, block.length, null);
      if (bytesRead === 0) break;
      let text = Buffer.concat([carry, block.subarray(0, bytesRead)]);
      for (let end = text.indexOf(CRLF); end >= 0 && lines.length < wanted; end = text.indexOf(CRLF)) {
        lines.push(Buffer.from(text.subarray(0, end)));
        text = text.subarray(end + CRLF.length);
      }
      carry = Buffer.from(text);
    }
  } finally {
    await handle.close();
  }
  const [header, ...rows] = lines;
  if (header === undefined || rows.length < count * rowsPerFile) {
    throw new Error(`${reference} has fewer than ${count * rowsPerFile} data rows`);
  }
  const files: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const slice = rows.slice(i * rowsPerFile, (i + 1) * rowsPerFile);
    files.push(Buffer.concat([header, ...slice].flatMap((line) => [line, CRLF])));
  }
  return files;
}

/** Writes the slices into `dir` as `small-00001.csv` …; returns their names. */
export async function writeSmallFiles(dir: string, files: readonly Buffer[]): Promise<string[]> {
  const names = files.map((_, i) => `small-${String(i + 1).padStart(5, '0')}.csv`);
  await Promise.all(files.map((bytes, i) => writeFile(join(dir, names[i] ?? `small-${i}.csv`), bytes)));
  return names;
}
