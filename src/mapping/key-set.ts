import { tmpdir } from 'node:os';

import { KeyRun, ParkedKeys } from './key-run.js';

/**
 * Keys held in the in-memory table before it is spilled to a scratch file: 2²⁰ (a 16.8 MB table),
 * so that a file of a million rows never spills. `FERRY_KEY_MEMORY` sets another number (a
 * machine with little memory, or a test that wants to see a spill without a million rows).
 */
/**
 * Keys hashed and touched before they are added, in {@link KeySet.addOrGetMany}: few enough that
 * the table pages they touch stay in the processor's address cache (TLB) until they are added.
 */
const GROUP = 256;

export const MEMORY_KEYS = positiveInteger(process.env.FERRY_KEY_MEMORY) ?? 1 << 20;

/** Where and when a key set spills. */
export interface KeySetOptions {
  /** folder for scratch files (default: the system's temporary folder) */
  readonly scratchDir?: string;
  /** keys kept in memory before a spill (default {@link MEMORY_KEYS}); tests set it low */
  readonly memoryKeys?: number;
}

// closes the scratch files of a key set that is dropped without release() (a read that failed half-way)
const orphans = new FinalizationRegistry<{ close(): void }[]>((files) => {
  for (const file of files) file.close();
});

/**
 * The keys seen in one batch, kept as 64-bit fingerprints with the row each was first seen on, in
 * an open-addressing table of typed arrays: 12 bytes per key instead of a string and a Map entry
 * (~90 bytes). Two different keys share a fingerprint with a probability of about n²/2⁶⁵ (3·10⁻⁷
 * for three million keys). Past `memoryKeys` keys the full table is spilled to a scratch file
 * ({@link KeyRun}, ~3 bytes of memory a key) and emptied, so that memory stays nearly flat however
 * many rows a file has.
 *
 * ERP exports usually list their documents in order of number. While every key has been greater
 * than the one before, no key can have been seen already: the set then only appends fingerprints
 * in arrival order, which writes memory sequentially instead of one random slot per key (the
 * table is far larger than the processor's caches for a big file), and a full table is set aside
 * as it lies ({@link ParkedKeys}: one sequential write, no sort). The first key out of order
 * indexes what was set aside and builds the hash table from what was appended, once, and from then
 * on every key is looked up.
 */
export class KeySet {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private rows: Uint32Array;
  /** slots in the table; any size (not a power of two), so that a presized table is not doubled by rounding */
  private slots: number;
  private readonly maxSlots: number;
  private count = 0;
  private spilledKeys = 0;
  private readonly runs: KeyRun[] = [];
  /** full tables set aside while keys ascend; indexed as runs when a key comes out of order */
  private parked: ParkedKeys[] = [];
  /** every scratch file, runs and parked keys, for {@link release} */
  private readonly files: { close(): void }[] = [];
  private readonly scratchDir: string;
  /** true while every key came in strictly ascending order: the arrays then hold keys in arrival order */
  private ascending = true;
  /** the greatest key so far, while {@link ascending} */
  private last: string | undefined;
  /** the two halves of the fingerprints of a batch being added */
  private readonly hashes = new Uint32Array(GROUP * 2);
  /**
   * What the touching reads of the last batch came to; meaningless, but a field outside the class
   * could read, so that the compiler cannot drop the reads as unused.
   */
  touched = 0;

  constructor(initialCapacity = 1 << 12, options: KeySetOptions = {}) {
    const memoryKeys = Math.max(16, options.memoryKeys ?? MEMORY_KEYS);
    this.maxSlots = slotsFor(memoryKeys);
    this.slots = Math.min(this.maxSlots, slotsFor(initialCapacity));
    this.hi = new Uint32Array(this.slots);
    this.lo = new Uint32Array(this.slots);
    this.rows = new Uint32Array(this.slots);
    this.scratchDir = options.scratchDir ?? tmpdir();
  }

  /** Number of distinct keys. */
  get size(): number {
    return this.count + this.spilledKeys;
  }

  /** Scratch files written so far. */
  get spills(): number {
    return this.runs.length + this.parked.length;
  }

  /** Closes the scratch files; the set must not be used afterwards. Safe to call more than once. */
  release(): void {
    orphans.unregister(this);
    // parked keys indexed since are closed already; closing them again does nothing
    for (const file of this.files.splice(0)) file.close();
    this.runs.length = 0;
    this.parked = [];
  }

  /** Adds a key first seen on `row`; returns the earlier row when the key was already there, else 0. */
  addOrGet(key: string, row: number): number {
    if (this.ascending) {
      if (this.last === undefined || key > this.last) {
        this.last = key;
        hashKey(key, this.hashes, 0);
        this.append(this.hashes[0] ?? 0, this.hashes[1] ?? 0, row);
        return 0;
      }
      this.leaveAscending();
    }
    hashKey(key, this.hashes, 0);
    return this.addHashed(this.hashes[0] ?? 0, this.hashes[1] ?? 0, row);
  }

  /**
   * {@link addOrGet} for `count` keys in order, the answers written to `out`: the same answers as
   * one call per key, duplicates within the batch included. Hashing a group of keys first and
   * touching each key's slot before any is inserted turns a cache miss per key, each waited for in
   * turn between two rows' mapping, into misses the processor overlaps: the table is far larger
   * than the caches once a file has a few hundred thousand keys.
   */
  addOrGetMany(keys: readonly string[], rows: readonly number[], count: number, out: number[]): void {
    const hashes = this.hashes;
    let first = 0;
    if (this.ascending) {
      let last = this.last;
      for (; first < count; first++) {
        const key = keys[first] ?? '';
        if (last !== undefined && !(key > last)) break;
        last = key;
        hashKey(key, hashes, 0);
        this.append(hashes[0] ?? 0, hashes[1] ?? 0, rows[first] ?? 0);
        out[first] = 0;
      }
      this.last = last;
      if (first === count) return;
      this.leaveAscending();
    }
    let touched = 0;
    for (let from = first; from < count; from += GROUP) {
      const to = Math.min(count, from + GROUP);
      for (let i = from; i < to; i++) {
        hashKey(keys[i] ?? '', hashes, (i - from) * 2);
        touched ^= this.touch(hashes[(i - from) * 2] ?? 0, hashes[(i - from) * 2 + 1] ?? 0);
      }
      for (let i = from; i < to; i++) out[i] = this.addHashed(hashes[(i - from) * 2] ?? 0, hashes[(i - from) * 2 + 1] ?? 0, rows[i] ?? 0);
    }
    this.touched = touched;
  }

  /** Adds a key known to be new while keys ascend: next to the one before, not at its slot. */
  private append(h1: number, h2: number, row: number): void {
    if (this.count * 4 >= this.slots * 3) {
      if (this.slots >= this.maxSlots) this.park();
      else this.resize(false);
    }
    const i = this.count++;
    this.hi[i] = h1;
    this.lo[i] = h2;
    this.rows[i] = row;
  }

  /** The first key out of order: parked and appended keys are indexed, and lookups begin. */
  private leaveAscending(): void {
    this.ascending = false;
    this.last = undefined;
    if (this.parked.length > 0) {
      const size = Math.max(...this.parked.map((p) => p.count));
      const work = { hi: new Uint32Array(size), lo: new Uint32Array(size), rows: new Uint32Array(size) };
      for (const p of this.parked) this.keepFile(p.index(work, this.scratchDir), this.runs);
      this.parked = [];
    }
    this.resize(true);
  }

  /** Sets the full table aside while keys ascend (see {@link ParkedKeys}) and empties it. */
  private park(): void {
    this.keepFile(ParkedKeys.park({ hi: this.hi, lo: this.lo, rows: this.rows, count: this.count }, this.scratchDir), this.parked);
    this.emptyTable();
  }

  /** The table's keys are in a scratch file now: counted as spilled, and the table starts empty. */
  private emptyTable(): void {
    this.spilledKeys += this.count;
    this.count = 0;
    this.lo.fill(0);
  }

  private keepFile<T extends { close(): void }>(file: T, list: T[]): void {
    if (this.files.length === 0) orphans.register(this, this.files, this);
    this.files.push(file);
    list.push(file);
  }

  /** Reads the words a lookup of (h1, h2) starts with, so that they are in the cache when it comes. */
  private touch(h1: number, h2: number): number {
    const slot = this.slotOf(h1, h2);
    let word = (this.lo[slot] ?? 0) ^ (this.hi[slot] ?? 0) ^ (this.rows[slot] ?? 0);
    for (let i = 0; i < this.runs.length; i++) word ^= this.runs[i]?.touch(h1) ?? 0;
    return word;
  }

  private addHashed(h1: number, h2: number, row: number): number {
    // grow at 3/4 full: linear probing stays short, and the table is a third smaller than at 1/2
    if (this.count * 4 >= this.slots * 3) {
      if (this.slots >= this.maxSlots) this.spill();
      else this.resize(true);
    }
    for (let i = 0; i < this.runs.length; i++) {
      const earlier = this.runs[i]?.find(h1, h2) ?? 0;
      if (earlier !== 0) return earlier;
    }
    return this.insert(h1, h2, row);
  }

  private slotOf(h1: number, h2: number): number {
    return ((h1 ^ Math.imul(h2, 0x9e3779b1)) >>> 0) % this.slots;
  }

  private spill(): void {
    this.keepFile(KeyRun.spill({ hi: this.hi, lo: this.lo, rows: this.rows, count: this.count }, this.scratchDir), this.runs);
    this.emptyTable();
  }

  private insert(h1: number, h2: number, row: number): number {
    let slot = this.slotOf(h1, h2);
    for (;;) {
      const lo = this.lo[slot] ?? 0;
      if (lo === 0) {
        this.hi[slot] = h1;
        this.lo[slot] = h2;
        this.rows[slot] = row;
        this.count++;
        return 0;
      }
      if (lo === h2 && this.hi[slot] === h1) return this.rows[slot] ?? 0;
      slot = slot + 1 === this.slots ? 0 : slot + 1;
    }
  }

  /**
   * New arrays, twice as large unless only `rehash` is asked for at the same size: the keys are
   * inserted at their slots (`rehash`), or copied in arrival order while keys ascend.
   */
  private resize(rehash: boolean): void {
    const { hi, lo, rows } = this;
    const grown = this.count * 4 >= this.slots * 3;
    if (grown) this.slots = Math.min(this.maxSlots, this.slots * 2);
    this.hi = new Uint32Array(this.slots);
    this.lo = new Uint32Array(this.slots);
    this.rows = new Uint32Array(this.slots);
    if (!rehash) {
      this.hi.set(hi.subarray(0, this.count));
      this.lo.set(lo.subarray(0, this.count));
      this.rows.set(rows.subarray(0, this.count));
      return;
    }
    this.count = 0;
    for (let i = 0; i < lo.length; i++) {
      const l = lo[i] ?? 0;
      if (l !== 0) this.insert(hi[i] ?? 0, l, rows[i] ?? 0);
    }
  }
}

/** Writes the 64-bit fingerprint of `key` as two 32-bit halves to `out` at `at`. */
function hashKey(key: string, out: Uint32Array, at: number): void {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ key.length;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  out[at] = (h1 ^ (h1 >>> 16)) >>> 0;
  out[at + 1] = (h2 | 1) >>> 0;
}

function slotsFor(keys: number): number {
  return Math.max(16, Math.ceil((keys * 4) / 3) + 1);
}

function positiveInteger(text: string | undefined): number | undefined {
  const n = Number(text);
  return text !== undefined && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
