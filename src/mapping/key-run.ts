import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/** Records written per write call when a run is spilled: 48 KiB at a time. */
const BLOCK = 4096;
/** hi, lo, row: three 32-bit words per key on disk. */
const WORDS = 3;

/**
 * The keys of one full in-memory table: hi and lo fingerprint halves and first rows by slot; `lo`
 * 0 marks an empty slot. A spill reorders the arrays in place, so the table must be emptied after.
 */
export interface KeyTable {
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
  readonly rows: Uint32Array;
  readonly count: number;
}

/**
 * Keys moved out of memory: every (fingerprint, first row) of a full table, written to a scratch
 * file grouped by bucket (the top bits of `hi`), with only a bucket index and a 16-bit tag per key
 * kept in memory (about 3 bytes a key instead of 16). A lookup reads its bucket's tags; only a tag
 * that matches (a duplicate, or about one lookup in 20,000 by chance) reads the 12-byte record from
 * the file to compare the whole fingerprint. The file is unlinked as soon as it is open, so that it
 * leaves nothing behind however the process ends; the space returns when the descriptor closes.
 */
export class KeyRun {
  private readonly shift: number;
  private readonly offsets: Uint32Array;
  private readonly tags: Uint16Array;
  private readonly scratch = new Uint32Array(WORDS);
  private readonly scratchBytes = new Uint8Array(this.scratch.buffer);

  private constructor(
    private readonly fd: number,
    bits: number,
    offsets: Uint32Array,
    tags: Uint16Array,
  ) {
    this.shift = 32 - bits;
    this.offsets = offsets;
    this.tags = tags;
  }

  /**
   * Writes the keys of `table` to a new scratch file in `dir`. The keys are sorted by bucket inside
   * the table's own arrays (it is emptied next anyway), so a spill needs no copy of the table.
   */
  static spill(table: KeyTable, dir: string): KeyRun {
    // two to four keys per bucket: the index costs about 1 byte a key and a lookup scans a few tags
    const bits = Math.max(1, Math.min(30, Math.floor(Math.log2(Math.max(4, table.count))) - 2));
    const count = compact(table);
    const offsets = bucketOffsets(table, count, 32 - bits);
    sortByBucket(table, offsets, 32 - bits);
    const fd = openScratch(dir);
    try {
      const tags = new Uint16Array(count);
      writeRecords(fd, table, count, tags);
      return new KeyRun(fd, bits, offsets, tags);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** The first row of the key with this fingerprint, or 0 when the run does not hold it. */
  find(hi: number, lo: number): number {
    const b = hi >>> this.shift;
    const end = this.offsets[b + 1] ?? 0;
    const tag = lo >>> 16;
    for (let i = this.offsets[b] ?? 0; i < end; i++) {
      if (this.tags[i] !== tag) continue;
      const read = readSync(this.fd, this.scratchBytes, 0, WORDS * 4, i * WORDS * 4);
      if (read === WORDS * 4 && this.scratch[0] === hi && this.scratch[1] === lo) return this.scratch[2] ?? 0;
    }
    return 0;
  }

  /** Reads the index word a {@link find} of `hi` starts with (see KeySet.addOrGetMany). */
  touch(hi: number): number {
    return this.tags[this.offsets[hi >>> this.shift] ?? 0] ?? 0;
  }

  /** Bytes of memory the run keeps (its index and tags). */
  get memoryBytes(): number {
    return this.offsets.byteLength + this.tags.byteLength;
  }

  /** Closes the scratch file; the run must not be used afterwards. */
  close(): void {
    closeSync(this.fd);
  }
}

/**
 * The keys of a full table set aside while keys ascend (see KeySet): written to a scratch file as
 * they lie, in arrival order, without the bucket sort and tags of a {@link KeyRun}, and with nothing
 * kept in memory. No key can be looked up while keys ascend, so they are needed only if a later key
 * comes out of order; {@link index} then makes them a KeyRun. A file whose keys ascend to the end
 * (the usual export) so pays one sequential write per spill instead of a sort.
 */
export class ParkedKeys {
  private open = true;

  private constructor(
    private readonly fd: number,
    /** keys in the file */
    readonly count: number,
  ) {}

  /** Writes the first `table.count` keys of the table (in arrival order) to a new scratch file in `dir`. */
  static park(table: KeyTable, dir: string): ParkedKeys {
    const fd = openScratch(dir);
    try {
      writeRecords(fd, table, table.count);
      return new ParkedKeys(fd, table.count);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /**
   * Reads the keys back into `work` (arrays of at least {@link count} entries, overwritten) and
   * makes a {@link KeyRun} of them in `dir`; closes this file.
   */
  index(work: Omit<KeyTable, 'count'>, dir: string): KeyRun {
    const { hi, lo, rows } = work;
    const block = new Uint32Array(BLOCK * WORDS);
    const bytes = new Uint8Array(block.buffer);
    for (let at = 0; at < this.count; at += BLOCK) {
      const n = Math.min(BLOCK, this.count - at);
      const want = n * WORDS * 4;
      let read = 0;
      while (read < want) {
        const got = readSync(this.fd, bytes, read, want - read, at * WORDS * 4 + read);
        if (got === 0) throw new Error(`a parked key file ended after ${at + read / (WORDS * 4)} of ${this.count} keys`);
        read += got;
      }
      for (let i = 0; i < n; i++) {
        hi[at + i] = block[i * WORDS] ?? 0;
        lo[at + i] = block[i * WORDS + 1] ?? 0;
        rows[at + i] = block[i * WORDS + 2] ?? 0;
      }
    }
    // the spill takes every non-empty slot of the arrays: what lies past the keys must be empty
    lo.fill(0, this.count);
    const run = KeyRun.spill({ hi, lo, rows, count: this.count }, dir);
    this.close();
    return run;
  }

  /** Closes the scratch file; safe to call more than once. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    closeSync(this.fd);
  }
}

/** Moves the keys to the front of the table's arrays, in slot order; returns how many there are. */
function compact(table: KeyTable): number {
  const { hi, lo, rows } = table;
  let j = 0;
  for (let s = 0; s < lo.length; s++) {
    const l = lo[s] ?? 0;
    if (l === 0) continue;
    if (j !== s) {
      hi[j] = hi[s] ?? 0;
      lo[j] = l;
      rows[j] = rows[s] ?? 0;
    }
    j++;
  }
  return j;
}

/** Where each bucket's keys start (a prefix sum of the bucket sizes of the first `count` keys); one more entry than buckets. */
function bucketOffsets(table: KeyTable, count: number, shift: number): Uint32Array {
  const { hi } = table;
  const buckets = 2 ** (32 - shift);
  const offsets = new Uint32Array(buckets + 1);
  for (let i = 0; i < count; i++) {
    const b = ((hi[i] ?? 0) >>> shift) + 1;
    offsets[b] = (offsets[b] ?? 0) + 1;
  }
  let sum = 0;
  for (let b = 0; b <= buckets; b++) {
    sum += offsets[b] ?? 0;
    offsets[b] = sum;
  }
  return offsets;
}

/**
 * Sorts the first keys of the table by bucket in place (American flag sort): each key is swapped
 * into the next free place of its bucket until the place being filled gets a key of its own bucket.
 */
function sortByBucket(table: KeyTable, offsets: Uint32Array, shift: number): void {
  const { hi, lo, rows } = table;
  const buckets = offsets.length - 1;
  const next = offsets.slice(0, buckets);
  for (let b = 0; b < buckets; b++) {
    const end = offsets[b + 1] ?? 0;
    for (let i = next[b] ?? 0; i < end; i = next[b] ?? 0) {
      let h = hi[i] ?? 0;
      let l = lo[i] ?? 0;
      let r = rows[i] ?? 0;
      for (let target = h >>> shift; target !== b; target = h >>> shift) {
        const k = next[target] ?? 0;
        next[target] = k + 1;
        const h2 = hi[k] ?? 0;
        const l2 = lo[k] ?? 0;
        const r2 = rows[k] ?? 0;
        hi[k] = h;
        lo[k] = l;
        rows[k] = r;
        h = h2;
        l = l2;
        r = r2;
      }
      hi[i] = h;
      lo[i] = l;
      rows[i] = r;
      next[b] = i + 1;
    }
  }
}

/** Writes (hi, lo, row) of the first `count` keys of the table to `fd` from offset 0, and each key's 16-bit tag to `tags`. */
function writeRecords(fd: number, table: KeyTable, count: number, tags?: Uint16Array): void {
  const { hi, lo, rows } = table;
  const block = new Uint32Array(BLOCK * WORDS);
  const bytes = new Uint8Array(block.buffer);
  let filled = 0;
  let position = 0;
  for (let i = 0; i < count; i++) {
    const l = lo[i] ?? 0;
    if (tags !== undefined) tags[i] = l >>> 16;
    const w = filled * WORDS;
    block[w] = hi[i] ?? 0;
    block[w + 1] = l;
    block[w + 2] = rows[i] ?? 0;
    if (++filled === BLOCK || i === count - 1) {
      position += writeAll(fd, bytes, filled * WORDS * 4, position);
      filled = 0;
    }
  }
}

/** A new scratch file in `dir`, unlinked at once: it leaves nothing behind however the process ends. */
function openScratch(dir: string): number {
  const path = join(dir, `ferry-keys-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(path, 'wx+', 0o600);
  try {
    unlinkSync(path);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}

function writeAll(fd: number, bytes: Uint8Array, length: number, position: number): number {
  let written = 0;
  while (written < length) written += writeSync(fd, bytes, written, length - written, position + written);
  return length;
}
