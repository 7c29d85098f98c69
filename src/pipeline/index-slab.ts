import { LineSlab } from '../util/line-slab.js';

const TAB = 0x09;
const COMMA = 0x2c;
const NEWLINE = 0x0a;

/**
 * Collects the spool's index lines (`rows<TAB>key`, rows comma-separated; a tab or line break in
 * the key becomes a space), written byte by byte as `RecordJsonSlab` writes records, rather than
 * as a template string per record that must be flattened and encoded.
 */
export class IndexSlab extends LineSlab {
  /** Appends the index line of one record. */
  entry(rows: readonly number[], key: string): void {
    this.start = this.used;
    for (let i = 0; i < rows.length; i++) {
      if (i > 0) this.byte(COMMA);
      this.scaled(rows[i] ?? 0, 0);
    }
    this.byte(TAB);
    // a key with a tab, a line break, another control character, a quote or a surrogate: rare
    if (!this.plain(key)) this.utf8(key.replace(/[\t\n\r]/g, ' '));
    this.byte(NEWLINE);
  }
}
