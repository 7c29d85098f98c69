import { Decimal } from '../mapping/decimal.js';
import { LineSlab } from '../util/line-slab.js';
import { memberName, toJson } from './to-json.js';

const QUOTE = 0x22;
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const EMPTY = new Uint8Array(0);

/**
 * `"name":` as bytes for each member name seen. Bounded, in case
 * records carry names from the data.
 */
const NAME_BYTES = new Map<string, Uint8Array>();
const NAME_BYTES_LIMIT = 4096;

function nameBytes(name: string): Uint8Array {
  const known = NAME_BYTES.get(name);
  if (known !== undefined) return known;
  const bytes = Buffer.from(memberName(name), 'utf8');
  if (NAME_BYTES.size < NAME_BYTES_LIMIT) NAME_BYTES.set(name, bytes);
  return bytes;
}

/**
 * Collects records as JSON lines, written byte by byte into the slab: the same bytes as
 * `recordJson(record)` in UTF-8 and a line feed, without building a string per record.
 *
 * Why: concatenating a record's pieces makes a rope that `Buffer#write` must flatten before it
 * encodes it; on the spool's million records that was the largest single cost of writing the spool
 * (see README, Performance). Strings are encoded to UTF-8 here, code unit by code unit
 * (`LineSlab#plain`); the rare string with a character JSON escapes or a surrogate pair is written
 * through `JSON.stringify`.
 */
export class RecordJsonSlab extends LineSlab {
  /** the member names of the last record and their bytes: a mapping's records share their names */
  private lastKeys: readonly string[] = [];
  private lastNames: Uint8Array[] = [];

  /** Appends one record's JSON and a line feed. */
  record(record: Readonly<Record<string, unknown>>): void {
    this.start = this.used;
    this.byte(0x7b);
    let first = true;
    const keys = Object.keys(record);
    // in the same order as the keys, in one call rather than a keyed read per member
    const values = Object.values(record);
    const names = this.namesOf(keys);
    for (let i = 0; i < keys.length; i++) {
      const v = values[i];
      if (v === undefined) continue;
      const name = names[i] ?? EMPTY;
      this.room(name.length + 1);
      if (!first) this.buf[this.used++] = COMMA;
      first = false;
      this.copy(name);
      if (typeof v === 'string') this.string(v);
      else if (typeof v === 'number') this.number(v);
      else if (typeof v === 'boolean') this.ascii(v ? 'true' : 'false');
      else if (v instanceof Decimal) this.decimal(v);
      else this.utf8(toJson(v));
    }
    this.byte(0x7d);
    this.byte(NEWLINE);
  }

  /** `"name":` as bytes for each of `keys`; the same names as last time are compared, not looked up. */
  private namesOf(keys: readonly string[]): readonly Uint8Array[] {
    const last = this.lastKeys;
    if (keys.length === last.length) {
      let same = true;
      for (let i = 0; i < keys.length && same; i++) same = keys[i] === last[i];
      if (same) return this.lastNames;
    }
    this.lastKeys = keys;
    this.lastNames = keys.map(nameBytes);
    return this.lastNames;
  }

  /** A number as JSON.stringify writes it; safe integers digit by digit, without a string. */
  private number(v: number): void {
    if (Number.isSafeInteger(v)) this.scaled(v, 0);
    else this.ascii(Number.isFinite(v) ? String(v) : 'null');
  }

  private copy(b: Uint8Array): void {
    const buf = this.buf;
    let at = this.used;
    for (let i = 0; i < b.length; i++) buf[at++] = b[i] ?? 0;
    this.used = at;
  }

  /** The digits of a decimal, as `Decimal#toString` writes them, without making the string. */
  private decimal(d: Decimal): void {
    const c = d.safeCoefficient();
    const scale = d.scale;
    if (c === undefined || scale < 0 || scale > 30) this.ascii(d.toString());
    else this.scaled(c, scale);
  }

  /** A JSON string: encoded here, or through JSON.stringify when it holds a character JSON escapes. */
  private string(s: string): void {
    // both quotes and the most UTF-8 can take, so that plain() finds its room made
    this.room(s.length * 3 + 2);
    this.buf[this.used++] = QUOTE;
    if (this.plain(s)) {
      this.buf[this.used++] = QUOTE;
      return;
    }
    this.used--;
    this.utf8(JSON.stringify(s));
  }
}
