import { LineSlab } from '../util/line-slab.js';

const TAB = 0x09;
const COMMA = 0x2c;

/**
 * Collects the spool's index lines (`rows<TAB>key`, rows comma-separated; a tab or line break in
 * the key becomes a space), written byte by byte like `RecordJsonSlab` writes records, rather than
 * as a template string per record that must be flattened and encoded.
 */
export class IndexSlab extends LineSlab {
  /** Appends the index line of one record. */
  entry(rows: readonly number[], key: string): void {
    this.start = this.used;
    this.room(rows.length * 17 + key.length * 3 + 2);
    const buf = this.buf;
    let at = this.used;
    for (let i = 0; i < rows.length; i++) {
      if (i > 0) buf[at++] = COMMA;
      at = writeRow(buf, at, rows[i] ?? 0);
    }
    buf[at++] = TAB;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      if (c < 0x80) {
        buf[at++] = c === TAB || c === 0x0a || c === 0x0d ? 0x20 : c;
      } else if (c < 0x800) {
        buf[at++] = 0xc0 | (c >> 6);
        buf[at++] = 0x80 | (c & 0x3f);
      } else if (c >= 0xd800 && c <= 0xdfff) {
        // a surrogate pair or a lone surrogate: Buffer#write encodes it as every other text is
        this.used = at;
        this.room(key.length * 3 + 1);
        this.used += this.buf.write(key.slice(i).replace(/[\t\n\r]/g, ' '), this.used, 'utf8');
        this.finish(this.used);
        return;
      } else {
        buf[at++] = 0xe0 | (c >> 12);
        buf[at++] = 0x80 | ((c >> 6) & 0x3f);
        buf[at++] = 0x80 | (c & 0x3f);
      }
    }
    this.finish(at);
  }

  private finish(at: number): void {
    this.buf[at++] = 0x0a;
    this.used = at;
  }
}

/** Writes a row number (a non-negative safe integer) in decimal at `at`; returns where it ends. */
function writeRow(buf: Buffer, at: number, row: number): number {
  if (row < 10) {
    buf[at] = 0x30 + row;
    return at + 1;
  }
  let width = 1;
  for (let p = 10; p <= row; p *= 10) width++;
  let n = row;
  for (let i = width - 1; i >= 0; i--) {
    buf[at + i] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
  return at + width;
}
