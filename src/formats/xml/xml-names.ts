const SLOTS = 1024;

/**
 * The element and attribute names of a document as the fast scanner reads them: ASCII names
 * only, each kept once in a small hash table, with its local name (without a prefix).
 */
export class XmlNames {
  /** the local name of the last name returned by `read` */
  local = '';
  readonly #names: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);
  /** the local name of each name in `#names` */
  readonly #locals: string[] = new Array<string>(SLOTS).fill('');
  #hash = 0;

  /** Where an ASCII XML name that starts at `i` ends (`i` when there is none); notes its hash. */
  end(s: string, i: number): number {
    const first = s.charCodeAt(i);
    if (!((first >= 97 && first <= 122) || (first >= 65 && first <= 90) || first === 95 || first === 58)) return i;
    let hash = first;
    let j = i + 1;
    for (;;) {
      const c = s.charCodeAt(j);
      if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 58) || c === 95 || c === 45 || c === 46)) break;
      hash = (Math.imul(hash, 31) + c) | 0;
      j++;
    }
    this.#hash = hash;
    return j;
  }

  /**
   * The name at `s[from, to)` (hashed by the last `end`): the same string each time it
   * recurs, so a name is neither copied out again nor looked up again as a property key.
   */
  read(s: string, from: number, to: number): string {
    const slot = this.#hash & (SLOTS - 1);
    const known = this.#names[slot];
    if (known !== undefined && known.length === to - from) {
      // names are short: comparing here beats a call into startsWith
      let k = 0;
      while (k < known.length && known.charCodeAt(k) === s.charCodeAt(from + k)) k++;
      if (k === known.length) {
        this.local = this.#locals[slot] ?? known;
        return known;
      }
    }
    const name = s.slice(from, to);
    const colon = name.indexOf(':');
    const local = colon === -1 ? name : name.slice(colon + 1);
    this.#names[slot] = name;
    this.#locals[slot] = local;
    this.local = local;
    return name;
  }
}
