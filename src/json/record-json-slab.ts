import { Decimal } from '../mapping/decimal.js';
import { LineSlab } from '../util/line-slab.js';
import { memberName, toJson } from './to-json.js';

const QUOTE = 0x22;
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const EMPTY = new Uint8Array(0);
/** Room asked for before the fixed bytes of a member: separator, quotes, braces, a short number. */
const SLACK = 64;

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
 * (see README, Performance). Strings are encoded to UTF-8 here, code unit by code unit; the rare
 * string with a character JSON escapes or a surrogate pair is written through `JSON.stringify`.
 */
export class RecordJsonSlab extends LineSlab {
  /** a decimal's digits, last first: a safe integer has at most 16, its scale adds up to 30 zeros */
  private readonly digits = new Uint8Array(48);

  /** the member names of the last record and their bytes: a mapping's records share their names */
  private lastKeys: readonly string[] = [];
  private lastNames: Uint8Array[] = [];

  /** Appends one record's JSON and a line feed. */
  record(record: Readonly<Record<string, unknown>>): void {
    this.start = this.used;
    this.room(SLACK);
    this.buf[this.used++] = 0x7b;
    let first = true;
    const keys = Object.keys(record);
    // in the same order as the keys, in one call rather than a keyed read per member
    const values = Object.values(record);
    const names = this.namesOf(keys);
    for (let i = 0; i < keys.length; i++) {
      const v = values[i];
      if (v === undefined) continue;
      const name = names[i] ?? EMPTY;
      this.room(name.length + SLACK);
      if (!first) this.buf[this.used++] = COMMA;
      first = false;
      this.copy(name);
      if (typeof v === 'string') this.string(v);
      else if (typeof v === 'number') this.number(v);
      else if (typeof v === 'boolean') this.ascii(v ? 'true' : 'false');
      else if (v instanceof Decimal) this.decimal(v);
      else this.utf8(toJson(v));
    }
    this.room(2);
    this.buf[this.used++] = 0x7d;
    this.buf[this.used++] = NEWLINE;
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

  /** Text known to be ASCII without characters JSON escapes (numbers, literals). */
  private ascii(text: string): void {
    this.room(text.length);
    const buf = this.buf;
    let at = this.used;
    for (let i = 0; i < text.length; i++) buf[at++] = text.charCodeAt(i);
    this.used = at;
  }

  /** The digits of a decimal, as `Decimal#toString` writes them, without making the string. */
  private decimal(d: Decimal): void {
    const c = d.safeCoefficient();
    const scale = d.scale;
    if (c === undefined || scale < 0 || scale > 30) this.ascii(d.toString());
    else this.scaled(c, scale);
  }

  /** `c / 10^scale` for a safe integer `c`: its digits, a point before the last `scale` of them. */
  private scaled(c: number, scale: number): void {
    const digits = this.digits;
    let n = c < 0 ? -c : c;
    let count = 0;
    do {
      digits[count++] = n % 10;
      n = Math.floor(n / 10);
    } while (n > 0);
    // "0.05": at least one digit before the point
    while (count <= scale && scale > 0) digits[count++] = 0;
    this.room(count + 2);
    const buf = this.buf;
    let at = this.used;
    if (c < 0) buf[at++] = 0x2d;
    for (let i = count - 1; i >= 0; i--) {
      if (i === scale - 1) buf[at++] = 0x2e;
      buf[at++] = 0x30 + (digits[i] ?? 0);
    }
    this.used = at;
  }

  private utf8(text: string): void {
    this.room(text.length * 3);
    this.used += this.buf.write(text, this.used, 'utf8');
  }

  /**
   * A JSON string, encoded here as UTF-8; a string with a character JSON escapes (control
   * characters, '"', '\') or a surrogate goes through JSON.stringify instead, which is rare.
   */
  private string(s: string): void {
    this.room(s.length * 3 + 2);
    const buf = this.buf;
    const begin = this.used;
    let at = begin;
    buf[at++] = QUOTE;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        if (c < 0x20 || c === QUOTE || c === 0x5c) return this.stringified(s, begin);
        buf[at++] = c;
      } else if (c < 0x800) {
        buf[at++] = 0xc0 | (c >> 6);
        buf[at++] = 0x80 | (c & 0x3f);
      } else {
        if (c >= 0xd800 && c <= 0xdfff) return this.stringified(s, begin);
        buf[at++] = 0xe0 | (c >> 12);
        buf[at++] = 0x80 | ((c >> 6) & 0x3f);
        buf[at++] = 0x80 | (c & 0x3f);
      }
    }
    buf[at++] = QUOTE;
    this.used = at;
  }

  private stringified(s: string, begin: number): void {
    this.used = begin;
    this.utf8(JSON.stringify(s));
  }
}
