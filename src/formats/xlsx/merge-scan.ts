import { MAX_COLUMNS, parseRange, type CellRange } from './cell-ref.js';

const NAME = Buffer.from('mergeCell', 'latin1');
/** a `<mergeCell .../>` tag is some 30 bytes; one longer than this is not one */
const MAX_TAG = 4096;
const REF = /\bref\s*=\s*["']([^"']*)["']/;

/**
 * The merged ranges of a sheet that `wanted` accepts (at most one per column). Sheet XML lists
 * merges in `<mergeCells>` after all the rows, so they are found by a byte scan of the inflated
 * part, which costs an inflate but no XML parse. Text in cells cannot contain a `<`, so every
 * `<mergeCell ` (with or without a namespace prefix) in the part is a merge.
 */
export async function scanMerges(chunks: AsyncIterable<Buffer>, wanted: (range: CellRange) => boolean): Promise<CellRange[]> {
  const found: CellRange[] = [];
  let carry: Buffer | undefined;
  for await (const chunk of chunks) {
    const buf = carry === undefined ? chunk : Buffer.concat([carry, chunk]);
    carry = undefined;
    let at = 0;
    for (;;) {
      const hit = buf.indexOf(NAME, at);
      if (hit === -1) {
        // keep enough to find a name (and the byte before it) split by the chunk boundary
        carry = Buffer.from(buf.subarray(Math.max(at, buf.length - NAME.length)));
        break;
      }
      const before = hit === 0 ? 0 : buf[hit - 1];
      const after = buf[hit + NAME.length];
      if (after === undefined) {
        carry = Buffer.from(buf.subarray(Math.max(0, hit - 1)));
        break;
      }
      at = hit + NAME.length;
      if ((before !== 0x3c && before !== 0x3a) || !isSpace(after)) continue;
      const close = buf.indexOf(0x3e, at);
      if (close === -1) {
        if (buf.length - hit < MAX_TAG) carry = Buffer.from(buf.subarray(hit - 1));
        break;
      }
      const ref = REF.exec(buf.toString('latin1', at, Math.min(close, at + MAX_TAG)))?.[1];
      const range = ref === undefined ? undefined : parseRange(ref);
      if (range !== undefined && found.length < MAX_COLUMNS && wanted(range)) found.push(range);
      at = close + 1;
    }
  }
  return found;
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}
