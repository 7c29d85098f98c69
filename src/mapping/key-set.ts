import { tmpdir } from 'node:os';

import { KeyRun } from './key-run.js';

/**
 * Keys held in the in-memory table before it is spilled to a scratch file: 2²⁰ (a 16.8 MB table),
 * so that a file of a million rows never spills. `FERRY_KEY_MEMORY` sets another number (a
 * machine with little memory, or a test that wants to see a spill without a million rows).
 */
export const MEMORY_KEYS = positiveInteger(process.env.FERRY_KEY_MEMORY) ?? 1 << 20;

/** Where and when a key set spills. */
export interface KeySetOptions {
  /** folder for scratch files (default: the system's temporary folder) */
  readonly scratchDir?: string;
  /** keys kept in memory before a spill (default {@link MEMORY_KEYS}); tests set it low */
  readonly memoryKeys?: number;
}

// closes the scratch files of a key set that is dropped without release() (a read that failed half-way)
const orphans = new FinalizationRegistry<KeyRun[]>((runs) => {
  for (const run of runs) run.close();
});

/**
 * The keys seen in one batch, kept as 64-bit fingerprints with the row each was first seen on, in
 * an open-addressing table of typed arrays: 12 bytes per key instead of a string and a Map entry
 * (~90 bytes). Two different keys share a fingerprint with a probability of about n²/2⁶⁵ (3·10⁻⁷
 * for three million keys). Past `memoryKeys` keys the full table is spilled to a scratch file
 * ({@link KeyRun}, ~3 bytes of memory a key) and emptied, so that memory stays nearly flat however
 * many rows a file has.
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
  private readonly scratchDir: string;

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
    return this.runs.length;
  }

  /** Closes the scratch files; the set must not be used afterwards. Safe to call more than once. */
  release(): void {
    orphans.unregister(this);
    for (const run of this.runs.splice(0)) run.close();
  }

  /** Adds a key first seen on `row`; returns the earlier row when the key was already there, else 0. */
  addOrGet(key: string, row: number): number {
    // grow at 3/4 full: linear probing stays short, and the table is a third smaller than at 1/2
    if (this.count * 4 >= this.slots * 3) {
      if (this.slots >= this.maxSlots) this.spill();
      else this.grow();
    }
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193 ^ key.length;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    h1 = (h1 ^ (h1 >>> 16)) >>> 0;
    h2 = (h2 | 1) >>> 0;
    for (let i = 0; i < this.runs.length; i++) {
      const earlier = this.runs[i]?.find(h1, h2) ?? 0;
      if (earlier !== 0) return earlier;
    }
    return this.insert(h1, h2, row);
  }

  private spill(): void {
    if (this.runs.length === 0) orphans.register(this, this.runs, this);
    this.runs.push(KeyRun.spill({ hi: this.hi, lo: this.lo, rows: this.rows, count: this.count }, this.scratchDir));
    this.spilledKeys += this.count;
    this.count = 0;
    this.lo.fill(0);
  }

  private insert(h1: number, h2: number, row: number): number {
    let slot = ((h1 ^ Math.imul(h2, 0x9e3779b1)) >>> 0) % this.slots;
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

  private grow(): void {
    const { hi, lo, rows } = this;
    this.slots = Math.min(this.maxSlots, this.slots * 2);
    this.hi = new Uint32Array(this.slots);
    this.lo = new Uint32Array(this.slots);
    this.rows = new Uint32Array(this.slots);
    this.count = 0;
    for (let i = 0; i < lo.length; i++) {
      const l = lo[i] ?? 0;
      if (l !== 0) this.insert(hi[i] ?? 0, l, rows[i] ?? 0);
    }
  }
}

function slotsFor(keys: number): number {
  return Math.max(16, Math.ceil((keys * 4) / 3) + 1);
}

function positiveInteger(text: string | undefined): number | undefined {
  const n = Number(text);
  return text !== undefined && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
