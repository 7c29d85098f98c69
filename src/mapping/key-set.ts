/**
 * The keys seen in one batch, kept as 64-bit fingerprints with the row each was first seen on, in
 * an open-addressing table of typed arrays: 12 bytes per key instead of a string and a Map entry
 * (~90 bytes), so that a million-row file stays within the memory budget. Two different keys share
 * a fingerprint with a probability of about n²/2⁶⁵ (3·10⁻⁷ for three million keys).
 */
export class KeySet {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private rows: Uint32Array;
  /** slots in the table; any size (not a power of two), so that a presized table is not doubled by rounding */
  private slots: number;
  private count = 0;

  constructor(initialCapacity = 1 << 12) {
    this.slots = Math.max(16, Math.ceil((initialCapacity * 4) / 3) + 1);
    this.hi = new Uint32Array(this.slots);
    this.lo = new Uint32Array(this.slots);
    this.rows = new Uint32Array(this.slots);
  }

  /** Number of distinct keys. */
  get size(): number {
    return this.count;
  }

  /** Adds a key first seen on `row`; returns the earlier row when the key was already there, else 0. */
  addOrGet(key: string, row: number): number {
    // grow at 3/4 full: linear probing stays short, and the table is a third smaller than at 1/2
    if (this.count * 4 >= this.slots * 3) this.grow();
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
    return this.insert(h1, h2, row);
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
    this.slots *= 2;
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
