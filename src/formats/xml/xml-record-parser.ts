import { SaxesParser, type SaxesTagPlain } from 'saxes';

import { FerryError, InputError } from '../../errors.js';
import type { RawObject, RawValue, SourceRow } from '../types.js';

/** Limits that keep a hostile document from taking the process down. */
export interface XmlLimits {
  /** deepest element nesting in the whole document */
  readonly maxDepth: number;
  /** characters of text and attribute values in one record; also the longest run without markup */
  readonly maxRecordChars: number;
}

type Node = Record<string, RawValue>;

/** An element being built inside a record. */
interface Frame {
  name: string;
  /** created once the element has an attribute or a child: a leaf stays a plain string */
  node: Node | undefined;
  text: string;
}

const NO_CELLS: readonly never[] = Object.freeze([]);
const NOT_SPACE = /[^ \t\r\n]/;

/**
 * A streaming XML parser (saxes) that builds one null-prototype tree per element at the record
 * path and drops it once handed out. Elements and attributes are keyed by local name; repeated
 * children become arrays. Text is kept exactly, except that whitespace-only text (indentation)
 * is dropped; CDATA is text. Values are never converted: "0006" stays "0006".
 */
export class XmlRecordParser {
  /** rows completed by the last `write`/`end`; the caller takes them and empties the list */
  rows: SourceRow[] = [];
  /** the root element as written, once seen */
  root: string | undefined;
  /** namespace declarations seen so far, prefix to URI */
  readonly namespaces = new Map<string, string>();
  /** record elements seen so far */
  records = 0;

  readonly #parser = new SaxesParser({ xmlns: false, position: true });
  readonly #steps: readonly string[];
  readonly #file: string;
  readonly #limits: XmlLimits;
  readonly #localNames = new Map<string, string>();
  #depth = 0;
  /** how many leading steps of the record path the open elements match */
  #matched = 0;
  /** open elements of the current record, the record element first (reused: `#top` are open) */
  readonly #frames: Frame[] = [];
  #top = 0;
  readonly #attributeKeys = new Map<string, string | null>();
  #recordChars = 0;
  #recordLine = 0;
  #tooLarge = false;
  /** characters written since saxes last reported anything: what it holds in its own buffers */
  #quiet = 0;
  #eventSeen = false;
  /** the last thing saxes reported was the end of a record */
  #closedRecord = false;
  readonly #onText = (text: string): void => this.#text(text);
  /**
   * The open tag's attributes as saxes reports them one by one, name then value: reading them off
   * `tag.attributes` (a null-prototype dictionary) with for…in costs more than building the record.
   */
  #attributeList: string[] = [];

  constructor(fileName: string, recordSteps: readonly string[], limits: XmlLimits) {
    this.#file = fileName;
    this.#steps = recordSteps;
    this.#limits = limits;
    // few handlers: with a seventh V8 turns the parser object into a dictionary and every read of
    // its state slows parsing about threefold. So errors are thrown by saxes itself, not handled.
    const p = this.#parser;
    p.on('doctype', () => this.#refuseDtd());
    p.on('attribute', (attribute) => this.#attributeList.push(attribute.name, attribute.value));
    p.on('opentag', (tag) => this.#open(tag));
    p.on('closetag', () => this.#close());
    p.on('cdata', (text) => this.#text(text));
  }

  /** line the parser has reached (1-based) */
  get line(): number {
    return this.#parser.line;
  }

  /** Parses the next piece of text; completed records are added to `rows`. */
  write(text: string): void {
    this.#eventSeen = false;
    try {
      this.#parser.write(text);
    } catch (err) {
      this.#fail(err);
    }
    this.#quiet = this.#eventSeen ? 0 : this.#quiet + text.length;
    // saxes keeps a text, a comment or an attribute value whole until it ends
    if (this.#quiet > this.#limits.maxRecordChars) {
      throw new InputError('E_XML_RECORD_TOO_LARGE', `${this.#file} has a text, comment or tag longer than ${describeChars(this.#limits.maxRecordChars)} before line ${this.line}; ferry does not read values that large`, {
        location: { file: this.#file, line: this.line },
      });
    }
  }

  /** Ends the document: an unclosed element or no root at all is malformed. */
  end(): void {
    try {
      this.#parser.close();
    } catch (err) {
      this.#fail(err);
    }
  }

  #local(name: string): string {
    const colon = name.indexOf(':');
    if (colon === -1) return name;
    // prefixed names repeat in every record: one local-name string each, not one per element
    let local = this.#localNames.get(name);
    if (local === undefined) {
      local = name.slice(colon + 1);
      if (this.#localNames.size < 10_000) this.#localNames.set(name, local);
    }
    return local;
  }

  /** `@local` for an attribute name; null for a namespace declaration */
  #attributeKey(name: string): string | null {
    let key = this.#attributeKeys.get(name);
    if (key === undefined) {
      key = name === 'xmlns' || name.startsWith('xmlns:') ? null : `@${this.#local(name)}`;
      if (this.#attributeKeys.size < 10_000) this.#attributeKeys.set(name, key);
    }
    return key;
  }

  #open(tag: SaxesTagPlain): void {
    const attributes = this.#attributeList;
    if (attributes.length > 0) this.#attributeList = [];
    this.#eventSeen = true;
    this.#closedRecord = false;
    const depth = ++this.#depth;
    if (depth > this.#limits.maxDepth) {
      throw new InputError('E_XML_DEPTH', `${this.#file} nests elements more than ${this.#limits.maxDepth} levels deep (line ${this.line}); ferry refuses such documents`, {
        location: { file: this.#file, line: this.line, column: this.#parser.column },
      });
    }
    const name = this.#local(tag.name);
    if (this.#top > 0) {
      this.#push(name, this.#attributes(attributes));
      return;
    }
    if (depth === 1) this.#openRoot(tag.name, name);
    const steps = this.#steps;
    if (depth > steps.length) return;
    const step = steps[depth - 1];
    const onPath = depth === this.#matched + 1 && (step === name || step === '*');
    if (onPath) this.#matched = depth;
    if (!onPath || depth < steps.length) {
      // namespaces are declared on the root or around the records; elsewhere they are not looked for
      this.#declarations(attributes);
      return;
    }
    this.#recordChars = 0;
    this.#tooLarge = false;
    this.#recordLine = this.line;
    this.records++;
    this.#push(name, this.#attributes(attributes) ?? newNode());
    this.#parser.on('text', this.#onText);
  }

  #push(name: string, node: Node | undefined): void {
    const frame = this.#frames[this.#top];
    if (frame === undefined) {
      this.#frames.push({ name, node, text: '' });
    } else {
      frame.name = name;
      frame.node = node;
      frame.text = '';
    }
    this.#top++;
  }

  #openRoot(written: string, local: string): void {
    this.root = written;
    const first = this.#steps[0];
    if (first !== undefined && first !== '*' && first !== local) {
      throw new InputError('E_FORMAT_MISMATCH', `the root element of ${this.#file} is <${written}>, but format.record starts at <${first}>; set format.record to the path of the repeating element, such as /${local}/…`, {
        location: { file: this.#file, line: this.line },
      });
    }
  }

  #declarations(attributes: readonly string[]): void {
    for (let i = 0; i < attributes.length; i += 2) {
      const name = attributes[i] ?? '';
      if (this.#attributeKey(name) === null) this.#declare(name, attributes[i + 1] ?? '');
    }
  }

  #declare(name: string, uri: string): void {
    const prefix = name === 'xmlns' ? '' : name.slice(6);
    if (!this.namespaces.has(prefix) && this.namespaces.size < 50) this.namespaces.set(prefix, uri);
  }

  /** The attributes as `@local` keys of a new node (undefined when there are none); notes namespace declarations. */
  #attributes(attributes: readonly string[]): Node | undefined {
    let node: Node | undefined;
    for (let i = 0; i < attributes.length; i += 2) {
      const name = attributes[i] ?? '';
      const value = attributes[i + 1] ?? '';
      const key = this.#attributeKey(name);
      if (key === null) {
        this.#declare(name, value);
        continue;
      }
      this.#count(value.length);
      node ??= newNode();
      // two attributes with the same local name (xml:lang and lang): the first one counts
      if (node[key] === undefined) node[key] = value;
    }
    return node;
  }

  #text(text: string): void {
    this.#eventSeen = true;
    this.#closedRecord = false;
    const frame = this.#frames[this.#top - 1];
    if (frame === undefined) return;
    this.#count(text.length);
    if (!this.#tooLarge) frame.text = frame.text.length === 0 ? text : frame.text + text;
  }

  #count(chars: number): void {
    this.#recordChars += chars;
    if (this.#recordChars > this.#limits.maxRecordChars && !this.#tooLarge) {
      // the record is dropped and reported on its row; the rest of the file is read on
      this.#tooLarge = true;
      for (let i = 0; i < this.#top; i++) {
        const f = this.#frames[i];
        if (f === undefined) continue;
        f.node = undefined;
        f.text = '';
      }
    }
  }

  #close(): void {
    this.#eventSeen = true;
    this.#closedRecord = false;
    const depth = this.#depth--;
    if (this.#top === 0) {
      if (this.#matched === depth) this.#matched--;
      return;
    }
    const frame = this.#frames[--this.#top];
    if (frame === undefined) return;
    if (this.#top === 0) {
      this.#matched--;
      this.#parser.off('text');
      this.rows.push(this.#finishRecord(frame));
      this.#closedRecord = true;
      frame.node = undefined;
      frame.text = '';
      return;
    }
    const parent = this.#frames[this.#top - 1];
    if (parent === undefined || this.#tooLarge) return;
    const value = finish(frame);
    frame.node = undefined;
    const node = (parent.node ??= newNode());
    const existing = node[frame.name];
    if (existing === undefined) node[frame.name] = value;
    else if (Array.isArray(existing)) (existing as RawValue[]).push(value);
    else node[frame.name] = [existing, value];
  }

  #finishRecord(frame: Frame): SourceRow {
    const row = this.records;
    if (this.#tooLarge) {
      return {
        row,
        cells: NO_CELLS,
        problem: { code: 'E_XML_RECORD_TOO_LARGE', message: `is larger than ${describeChars(this.#limits.maxRecordChars)} of text; ferry does not read records that large`, line: this.#recordLine },
      };
    }
    const node = frame.node ?? newNode();
    if (isText(frame.text)) node['#text'] = frame.text;
    return { row, cells: NO_CELLS, record: node as RawObject };
  }

  #refuseDtd(): never {
    throw new InputError('E_XML_DTD', `${this.#file} has a document type declaration (<!DOCTYPE …>) at line ${this.line}; ferry refuses DTDs and entity declarations, which can expand without bound or read other files`, {
      location: { file: this.#file, line: this.line },
    });
  }

  /** Errors from the handlers go on as they are; anything else is saxes finding the XML broken. */
  #fail(err: unknown): never {
    if (err instanceof FerryError || !(err instanceof Error)) throw err;
    const reason = err.message.replace(/^\d+:\d+: /, '').replace(/\.$/, '');
    // saxes reports the close tag that ended a record (`</Orders>` for an open <Order>) before it
    // finds the tag wrong: that record is not complete and must not be handed out
    if (this.#closedRecord && reason === 'unexpected close tag') this.rows.pop();
    if (/doctype/i.test(reason)) this.#refuseDtd();
    throw new InputError('E_XML_MALFORMED', `${this.#file} is not well-formed XML at line ${this.line}, column ${this.#parser.column}: ${reason}`, {
      location: { file: this.#file, line: this.line, column: this.#parser.column },
    });
  }
}

/** The value of a closed element inside a record: its text alone when it has nothing else. */
function finish(frame: Frame): RawValue {
  const hasText = isText(frame.text);
  if (frame.node === undefined) return hasText ? frame.text : '';
  if (hasText) frame.node['#text'] = frame.text;
  return frame.node;
}

/** Whether text is more than indentation: whitespace-only text between elements is dropped. */
function isText(text: string): boolean {
  if (text.length === 0) return false;
  return text.charCodeAt(0) > 32 || NOT_SPACE.test(text);
}

/**
 * A null-prototype node in V8's fast mode: `Object.create(null)` makes a dictionary-mode object,
 * whose every property store and read is a hash lookup; a record's nodes share a few shapes.
 */
function newNode(): Node {
  return Object.setPrototypeOf({}, null) as Node;
}

function describeChars(n: number): string {
  return n >= 1 << 20 ? `${Math.round(n / (1 << 20))} MB` : `${n} characters`;
}
