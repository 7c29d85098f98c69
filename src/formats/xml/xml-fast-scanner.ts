import type { SourceRow } from '../types.js';
import { decodeEntities } from './xml-entities.js';
import { XmlNames } from './xml-names.js';
import { XmlTreeBuilder, type XmlLimits, type XmlPosition } from './xml-tree-builder.js';

const LT = 60;
const GT = 62;
const SLASH = 47;
const BANG = 33;
const QUESTION = 63;
const EQUALS = 61;
const DQUOTE = 34;
const SQUOTE = 39;
/** a token runs past the end of the text written so far: keep it for the next write */
const INCOMPLETE = -2;
/** something this scanner does not read itself: the general parser takes over */
const DECLINE = -1;

/**
 * Characters this scanner leaves to the general parser: controls that XML forbids, CR (line-end
 * normalisation), surrogates (a lone one is an error), U+FFFE and U+FFFF: {@link unusual} as a
 * pattern, for the rare stretches that are found by indexOf rather than read (comments, CDATA).
 */
const UNUSUAL_CHARS = /[\x00-\x08\x0B-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;
const XML_DECLARATION = /^<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(?:"1\.0"|'1\.0')(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(?:"[A-Za-z][A-Za-z0-9._-]*"|'[A-Za-z][A-Za-z0-9._-]*'))?(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\n]*\?>/;
/** the builder's messages and record lines never reach the user from here: such records decline */
const NO_POSITION: XmlPosition = { line: 0, column: 0 };
const AMP = 38;
const BRACKET = 93;
const MAX_CARRY = 1 << 20;

/**
 * A fast scanner for the plain XML that exports are made of: ASCII element and attribute names,
 * the five predefined entities and character references, comments, CDATA, LF line ends. It feeds
 * the same {@link XmlTreeBuilder} as the general parser (saxes), at several times its speed, and
 * hands out only records it has fully checked. On anything else (a DOCTYPE, a processing
 * instruction, a non-ASCII name, CR, a forbidden character, an undefined entity, a record over
 * the limits, or any fault at all) it declines: `write` or `end` returns false and the reader
 * starts over with the general parser, which reads what this one does not and reports faults
 * with their line and column, skipping the records already handed out.
 */
export class XmlFastScanner {
  readonly #builder: XmlTreeBuilder;
  readonly #limits: XmlLimits;
  /** names of the open elements, as written */
  readonly #open: string[] = [];
  /** an unfinished token from the end of the last write */
  #carry = '';
  readonly #names = new XmlNames();
  /** the attribute names and values of the tag being read, as many as `#openTag` counts (reused) */
  readonly #attributeList: string[] = [];
  #line = 1;
  #started = false;
  #rootClosed = false;
  #declined = false;
  /** open, close, record text and CDATA events so far: what the general parser reports */
  #events = 0;
  /** characters written since the last event */
  #quiet = 0;

  constructor(fileName: string, recordSteps: readonly string[], limits: XmlLimits) {
    this.#limits = limits;
    this.#builder = new XmlTreeBuilder(fileName, recordSteps, limits, NO_POSITION);
  }

  /** the root element as written, once seen */
  get root(): string | undefined {
    return this.#builder.root;
  }

  /** namespace declarations seen so far, prefix to URI */
  get namespaces(): ReadonlyMap<string, string> {
    return this.#builder.namespaces;
  }

  /** record elements seen so far */
  get records(): number {
    return this.#builder.records;
  }

  /** lines written so far (1-based, as the general parser counts them) */
  get line(): number {
    return this.#line;
  }

  /** Hands out the rows completed so far. */
  takeRows(): SourceRow[] {
    const rows = this.#builder.rows;
    if (rows.length > 0) this.#builder.rows = [];
    return rows;
  }

  /** Scans the next piece of text; false when the general parser must read this document. */
  write(text: string): boolean {
    if (this.#declined) return false;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', nl + 1)) this.#line++;
    // joined, not added: `+` makes a rope, and every character read from a rope costs more
    let s = this.#carry.length === 0 ? text : [this.#carry, text].join('');
    this.#carry = '';
    let from = 0;
    if (!this.#started) {
      // the XML declaration is read whole, once it is all there
      if (s.length < 6 || (s.startsWith('<?xml') && !s.includes('?>') && s.length < 4096)) {
        this.#carry = s;
        return true;
      }
      this.#started = true;
      if (s.startsWith('<?xml')) {
        const declaration = XML_DECLARATION.exec(s);
        if (declaration === null) return this.#decline();
        from = declaration[0].length;
      }
    }
    const events = this.#events;
    const stop = this.#scan(s, from);
    if (stop === DECLINE) return this.#decline();
    // the general parser refuses a write after which it has reported nothing for longer than the
    // limit (a run of comments, or of text outside the records): so does this one
    this.#quiet = this.#events === events ? this.#quiet + text.length : 0;
    if (this.#quiet > this.#limits.maxRecordChars) return this.#decline();
    if (stop < s.length) {
      s = s.slice(stop);
      // a token this long is rescanned on every write: the general parser reads such documents
      if (s.length > MAX_CARRY || s.length > this.#limits.maxRecordChars) return this.#decline();
      this.#carry = s;
    }
    return true;
  }

  /** Ends the document; false when the general parser must read it (to report what is wrong). */
  end(): boolean {
    if (this.#declined) return false;
    if (!this.#rootClosed) return this.#decline();
    // only whitespace may follow the root element; a comment left unfinished is a fault
    for (let i = 0; i < this.#carry.length; i++) if (!isSpace(this.#carry.charCodeAt(i))) return this.#decline();
    return true;
  }

  #decline(): false {
    this.#declined = true;
    this.#carry = '';
    this.#builder.rows = [];
    return false;
  }

  /** Reads tokens from `i`; returns where the unfinished rest starts (or `s.length`), or DECLINE. */
  #scan(s: string, from: number): number {
    const n = s.length;
    let i = from;
    while (i < n) {
      const lt = s.indexOf('<', i);
      if (lt === -1) return i;
      if (lt > i && !this.#text(s, i, lt)) return DECLINE;
      if (lt + 1 >= n) return lt;
      const c = s.charCodeAt(lt + 1);
      let next: number;
      if (c === SLASH) next = this.#closeTag(s, lt);
      else if (c === BANG) next = this.#bang(s, lt);
      else if (c === QUESTION) next = DECLINE;
      else next = this.#openTag(s, lt);
      if (next === INCOMPLETE) return lt;
      if (next === DECLINE) return DECLINE;
      i = next;
    }
    return n;
  }

  #text(s: string, from: number, to: number): boolean {
    if (this.#open.length === 0) {
      for (let i = from; i < to; i++) if (!isSpace(s.charCodeAt(i))) return false;
      return true;
    }
    if (!this.#builder.inRecord) {
      // text between records is not kept, but must still be XML
      for (let i = from; i < to; i++) {
        const c = s.charCodeAt(i);
        if (unusual(c)) return false;
        if (c === AMP || c === BRACKET) return decodeEntities(s.slice(from, to)) !== undefined && !s.slice(from, to).includes(']]>');
      }
      return true;
    }
    let entities = false;
    for (let i = from; i < to; i++) {
      const c = s.charCodeAt(i);
      if (c === AMP) entities = true;
      else if (c === BRACKET && s.charCodeAt(i + 1) === BRACKET && s.charCodeAt(i + 2) === GT && i + 2 < to) return false;
      else if (unusual(c)) return false;
    }
    const raw = s.slice(from, to);
    const text = entities ? decodeEntities(raw) : raw;
    if (text === undefined) return false;
    {
      this.#events++;
      this.#builder.text(text);
      if (this.#builder.tooLarge) return false;
    }
    return true;
  }

  #openTag(s: string, lt: number): number {
    const n = s.length;
    let j = this.#names.end(s, lt + 1);
    if (j === lt + 1) return j >= n ? INCOMPLETE : DECLINE;
    if (j >= n) return INCOMPLETE;
    if (this.#rootClosed) return DECLINE;
    const name = this.#names.read(s, lt + 1, j);
    const local = this.#names.local;
    const attributes = this.#attributeList;
    let length = 0;
    let selfClosing = false;
    for (;;) {
      let c = s.charCodeAt(j);
      if (c === GT) {
        j++;
        break;
      }
      if (c === SLASH) {
        if (j + 1 >= n) return INCOMPLETE;
        if (s.charCodeAt(j + 1) !== GT) return DECLINE;
        selfClosing = true;
        j += 2;
        break;
      }
      if (!isSpace(c)) return j >= n ? INCOMPLETE : DECLINE;
      while (isSpace(s.charCodeAt(j))) j++;
      c = s.charCodeAt(j);
      if (c === GT || c === SLASH) continue;
      const start = j;
      j = this.#names.end(s, j);
      if (j === start || j >= n) return j >= n ? INCOMPLETE : DECLINE;
      const attribute = this.#names.read(s, start, j);
      while (isSpace(s.charCodeAt(j))) j++;
      if (s.charCodeAt(j) !== EQUALS) return j >= n ? INCOMPLETE : DECLINE;
      j++;
      while (isSpace(s.charCodeAt(j))) j++;
      const quote = s.charCodeAt(j);
      if (quote !== DQUOTE && quote !== SQUOTE) return j >= n ? INCOMPLETE : DECLINE;
      const close = s.indexOf(quote === DQUOTE ? '"' : "'", j + 1);
      if (close === -1) return INCOMPLETE;
      let entities = false;
      for (let k = j + 1; k < close; k++) {
        const v = s.charCodeAt(k);
        // tabs and line ends in a value are normalised to spaces: the general parser does that
        if (v === LT || v < 32 || unusual(v)) return DECLINE;
        if (v === AMP) entities = true;
      }
      const raw = s.slice(j + 1, close);
      const value = entities ? decodeEntities(raw) : raw;
      if (value === undefined) return DECLINE;
      // names are interned by #name: the same name is the same string
      for (let a = 0; a < length; a += 2) if (attributes[a] === attribute) return DECLINE;
      attributes[length++] = attribute;
      attributes[length++] = value;
      j = close + 1;
    }
    const builder = this.#builder;
    if (this.#open.length >= this.#limits.maxDepth) return DECLINE;
    try {
      this.#events++;
      builder.open(name, local, attributes, length);
    } catch {
      // a record path that does not fit the root: the general parser reports it where it is
      return DECLINE;
    }
    if (builder.tooLarge) return DECLINE;
    if (selfClosing) {
      builder.close();
      if (this.#open.length === 0) this.#rootClosed = true;
    } else {
      this.#open.push(name);
    }
    return j;
  }

  #closeTag(s: string, lt: number): number {
    const name = this.#open[this.#open.length - 1];
    if (name === undefined) return DECLINE;
    const n = s.length;
    const at = lt + 2;
    if (n - at < name.length) return name.startsWith(s.slice(at)) ? INCOMPLETE : DECLINE;
    if (!s.startsWith(name, at)) return DECLINE;
    let j = at + name.length;
    while (isSpace(s.charCodeAt(j))) j++;
    if (j >= n) return INCOMPLETE;
    if (s.charCodeAt(j) !== GT) return DECLINE;
    this.#open.pop();
    this.#events++;
    this.#builder.close();
    if (this.#open.length === 0) this.#rootClosed = true;
    return j + 1;
  }

  #bang(s: string, lt: number): number {
    if (s.startsWith('<!--', lt)) {
      const end = s.indexOf('-->', lt + 4);
      if (end === -1) return INCOMPLETE;
      // "--" inside a comment, or a comment ending in "-", is not XML
      const dashes = s.indexOf('--', lt + 4);
      if (dashes < end || UNUSUAL_CHARS.test(s.slice(lt + 4, end))) return DECLINE;
      return end + 3;
    }
    if (s.startsWith('<![CDATA[', lt)) {
      if (this.#open.length === 0) return DECLINE;
      const end = s.indexOf(']]>', lt + 9);
      if (end === -1) return INCOMPLETE;
      if (UNUSUAL_CHARS.test(s.slice(lt + 9, end))) return DECLINE;
      this.#events++;
      if (this.#builder.inRecord) {
        this.#builder.text(s.slice(lt + 9, end));
        if (this.#builder.tooLarge) return DECLINE;
      }
      return end + 3;
    }
    // a DOCTYPE or anything else: the general parser refuses it with the right message
    return s.length - lt < 9 ? INCOMPLETE : DECLINE;
  }
}

/**
 * A character this scanner leaves to the general parser: one XML forbids (control characters,
 * U+FFFE, U+FFFF), CR (line ends are normalised there), or half of a surrogate pair. Tested where
 * the scanner reads characters one by one anyway (text, attribute values) instead of by a regular
 * expression over every piece, which cost as much as the rest of reading text; names are ASCII
 * and whitespace is tested on its own, so everything else is covered.
 */
function unusual(c: number): boolean {
  return c < 32 ? c !== 9 && c !== 10 : c >= 0xd800 && (c <= 0xdfff || c >= 0xfffe);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9;
}
