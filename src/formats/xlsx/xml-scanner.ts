/**
 * A small streaming XML scanner for the two big parts of a workbook, the sheet and the shared
 * strings, where a general parser spends most of the read time building objects nobody looks at.
 * It checks what a reader of those parts can rely on (tags nest and match, entities are known,
 * no DOCTYPE) and decodes text and attribute values as XML says (entities, character references,
 * CDATA, line ends); attributes are read on demand, so a tag costs no allocation beyond its name.
 */

/** Reads one attribute of the tag being reported; valid only during the `open` call. */
export interface TagAttributes {
  get(name: string): string | undefined;
  /** the text that holds the tag; its attributes are `source.slice(attrStart, attrEnd)`, for readers that parse hot tags themselves */
  readonly source: string;
  readonly attrStart: number;
  readonly attrEnd: number;
}

/** What a scan reports. Names come without their namespace prefix. */
export interface ScanHandlers {
  open(name: string, attributes: TagAttributes): void;
  /** also called right after `open` for an empty element (`<c/>`) */
  close(name: string): void;
  /** character data, possibly in pieces */
  text(text: string): void;
}

/** Thrown for input that is not well-formed XML; the caller names the part. */
export class XmlScanError extends Error {}

const LT = 60;
const GT = 62;
const SLASH = 47;
const BANG = 33;
const QUESTION = 63;
/** no tag, comment or CDATA section of a workbook comes near this; a longer one is refused rather than rescanned chunk after chunk */
const MAX_CARRY = 1 << 20;
const ENTITY = /&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|([A-Za-z]+));/g;
const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** The scanner; feed it decoded text with {@link XmlScanner.write}, then {@link XmlScanner.end}. */
export class XmlScanner implements TagAttributes {
  readonly #handlers: ScanHandlers;
  #carry = '';
  readonly #stack: string[] = [];
  /** the local names of the open elements, beside their qualified names in #stack */
  readonly #names: string[] = [];
  #sawRoot = false;
  // the tag being reported, for get()
  #tag = '';
  #attrStart = 0;
  #attrEnd = 0;

  constructor(handlers: ScanHandlers) {
    this.#handlers = handlers;
  }

  write(chunk: string): void {
    if (this.#carry.length > MAX_CARRY) throw new XmlScanError('a tag, comment or CDATA section longer than 1 MB');
    const buf = this.#carry.length === 0 ? chunk : this.#carry + chunk;
    this.#carry = '';
    let pos = 0;
    const length = buf.length;
    while (pos < length) {
      const lt = buf.indexOf('<', pos);
      if (lt === -1) {
        // an entity cut by the chunk boundary waits for the rest, and so does a CR that may start a CRLF
        const amp = buf.lastIndexOf('&');
        let cut = amp >= pos && buf.indexOf(';', amp) === -1 ? amp : length;
        if (cut > pos && buf.charCodeAt(cut - 1) === 13) cut--;
        if (cut > pos) this.#text(buf.slice(pos, cut));
        this.#carry = buf.slice(cut);
        return;
      }
      if (lt > pos) this.#text(buf.slice(pos, lt));
      const next = buf.charCodeAt(lt + 1);
      if (Number.isNaN(next)) {
        this.#carry = buf.slice(lt);
        return;
      }
      let end: number;
      if (next === SLASH) end = this.#closeTag(buf, lt);
      else if (next === QUESTION) end = skipTo(buf, lt, '?>');
      else if (next === BANG) end = this.#special(buf, lt);
      else end = this.#openTag(buf, lt);
      if (end === -1) {
        this.#carry = buf.slice(lt);
        return;
      }
      pos = end;
    }
  }

  end(): void {
    if (this.#carry.trim().length > 0) throw new XmlScanError('the part ends in the middle of a tag');
    if (!this.#sawRoot) throw new XmlScanError('the part has no root element');
    const open = this.#stack.at(-1);
    if (open !== undefined) throw new XmlScanError(`the part ends before </${open}>`);
  }

  get source(): string {
    return this.#tag;
  }

  get attrStart(): number {
    return this.#attrStart;
  }

  get attrEnd(): number {
    return this.#attrEnd;
  }

  get(name: string): string | undefined {
    const tag = this.#tag;
    let i = this.#attrStart;
    const end = this.#attrEnd;
    while (i < end) {
      while (i < end && isSpace(tag.charCodeAt(i))) i++;
      const eq = tag.indexOf('=', i);
      if (eq === -1 || eq >= end) return undefined;
      let keyEnd = eq;
      while (keyEnd > i && isSpace(tag.charCodeAt(keyEnd - 1))) keyEnd--;
      let q = eq + 1;
      while (q < end && isSpace(tag.charCodeAt(q))) q++;
      const quote = tag[q];
      if (quote !== '"' && quote !== "'") throw new XmlScanError(`an attribute of <${tag.slice(1, 40)} is not quoted`);
      const close = tag.indexOf(quote, q + 1);
      if (close === -1 || close >= end) throw new XmlScanError(`an attribute of <${tag.slice(1, 40)} is not closed`);
      if (keyEnd - i === name.length && tag.startsWith(name, i)) return attributeValue(tag.slice(q + 1, close));
      i = close + 1;
    }
    return undefined;
  }

  #text(raw: string): void {
    if (this.#stack.length === 0) {
      if (raw.trim().length > 0) throw new XmlScanError('text outside the root element');
      return;
    }
    this.#handlers.text(decodeText(raw));
  }

  #openTag(buf: string, lt: number): number {
    // '>' may appear inside quoted attribute values, so the tag's end is found quote by quote
    let i = lt + 1;
    let quote = 0;
    const length = buf.length;
    for (; i < length; i++) {
      const c = buf.charCodeAt(i);
      if (quote !== 0) {
        if (c === quote) quote = 0;
      } else if (c === GT) break;
      else if (c === 34 || c === 39) quote = c;
      else if (c === LT) throw new XmlScanError('a "<" inside a tag');
    }
    if (i === length) return -1;
    const selfClosing = buf.charCodeAt(i - 1) === SLASH;
    let nameEnd = lt + 1;
    while (nameEnd < i && !isSpace(buf.charCodeAt(nameEnd)) && buf.charCodeAt(nameEnd) !== SLASH) nameEnd++;
    const qname = buf.slice(lt + 1, nameEnd);
    if (qname.length === 0) throw new XmlScanError('a tag without a name');
    if (this.#stack.length === 0 && this.#sawRoot) throw new XmlScanError('a second root element');
    this.#sawRoot = true;
    const name = local(qname);
    this.#tag = buf;
    this.#attrStart = nameEnd;
    this.#attrEnd = selfClosing ? i - 1 : i;
    this.#handlers.open(name, this);
    this.#tag = '';
    if (selfClosing) {
      this.#handlers.close(name);
    } else {
      this.#stack.push(qname);
      this.#names.push(name);
    }
    return i + 1;
  }

  #closeTag(buf: string, lt: number): number {
    const gt = buf.indexOf('>', lt);
    if (gt === -1) return -1;
    const open = this.#stack.pop();
    const name = this.#names.pop();
    // compared in place: a slice per end tag would be garbage for nothing
    const end = lt + 2 + (open?.length ?? 0);
    if (open === undefined || name === undefined || !buf.startsWith(open, lt + 2) || (end !== gt && buf.slice(end, gt).trim() !== '')) {
      const qname = buf.slice(lt + 2, gt).trim();
      throw new XmlScanError(open === undefined ? `</${qname}> closes nothing` : `</${qname}> closes <${open}>`);
    }
    this.#handlers.close(name);
    return gt + 1;
  }

  #special(buf: string, lt: number): number {
    if (buf.length - lt < 4) return -1;
    if (buf.startsWith('<!--', lt)) return skipTo(buf, lt + 4, '-->');
    if (buf.length - lt < 9) return -1;
    if (buf.startsWith('<![CDATA[', lt)) {
      const end = buf.indexOf(']]>', lt + 9);
      if (end === -1) return -1;
      if (this.#stack.length === 0) throw new XmlScanError('CDATA outside the root element');
      this.#handlers.text(normaliseLineEnds(buf.slice(lt + 9, end)));
      return end + 3;
    }
    if (buf.startsWith('<!DOCTYPE', lt)) throw new XmlScanError('the part declares a DOCTYPE, which workbooks never do');
    throw new XmlScanError(`unexpected "${buf.slice(lt, lt + 9)}"`);
  }
}

function skipTo(buf: string, from: number, marker: string): number {
  const end = buf.indexOf(marker, from);
  return end === -1 ? -1 : end + marker.length;
}

function local(qname: string): string {
  const colon = qname.indexOf(':');
  return colon === -1 ? qname : qname.slice(colon + 1);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function normaliseLineEnds(text: string): string {
  return text.indexOf('\r') === -1 ? text : text.replace(/\r\n?/g, '\n');
}

function decodeText(raw: string): string {
  const text = normaliseLineEnds(raw);
  return text.indexOf('&') === -1 ? text : decodeEntities(text);
}

function attributeValue(raw: string): string {
  const text = /[\t\n\r]/.test(raw) ? raw.replace(/\r\n|[\t\n\r]/g, ' ') : raw;
  if (text.indexOf('<') !== -1) throw new XmlScanError('a "<" in an attribute value');
  return text.indexOf('&') === -1 ? text : decodeEntities(text);
}

function decodeEntities(text: string): string {
  let decoded = 0;
  const out = text.replace(ENTITY, (_, hex: string | undefined, dec: string | undefined, named: string | undefined) => {
    decoded++;
    if (named !== undefined) {
      const ch = NAMED[named];
      if (ch === undefined) throw new XmlScanError(`the entity &${named}; is not defined`);
      return ch;
    }
    const code = hex !== undefined ? parseInt(hex, 16) : Number(dec);
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw new XmlScanError(`&#${hex === undefined ? dec : `x${hex}`}; is not a character`);
    return String.fromCodePoint(code);
  });
  // every "&" must have started a reference
  let amps = 0;
  for (let i = text.indexOf('&'); i !== -1; i = text.indexOf('&', i + 1)) amps++;
  if (amps !== decoded) throw new XmlScanError('a bare "&" in text');
  return out;
}
