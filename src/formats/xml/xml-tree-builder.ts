import { InputError } from '../../errors.js';
import type { RawObject, RawValue, SourceRow } from '../types.js';

/** Limits that keep a hostile document from taking the process down. */
export interface XmlLimits {
  /** deepest element nesting in the whole document */
  readonly maxDepth: number;
  /** characters of text and attribute values in one record; also the longest run without markup */
  readonly maxRecordChars: number;
}

/** Where the event source is in the document, for messages. */
export interface XmlPosition {
  readonly line: number;
  readonly column: number;
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
 * Builds one null-prototype tree per element at the record path from parse events (open, text,
 * close) and drops it once handed out. Elements and attributes are keyed by local name; repeated
 * children become arrays. Text is kept exactly, except that whitespace-only text (indentation)
 * is dropped; CDATA is text. Values are never converted: "0006" stays "0006".
 */
export class XmlTreeBuilder {
  /** rows completed so far; the event source hands them out and empties the list */
  rows: SourceRow[] = [];
  /** the root element as written, once seen */
  root: string | undefined;
  /** namespace declarations seen so far, prefix to URI */
  readonly namespaces = new Map<string, string>();
  /** record elements seen so far */
  records = 0;
  /** the last event was the end of a record */
  closedRecord = false;

  readonly #steps: readonly string[];
  readonly #file: string;
  readonly #limits: XmlLimits;
  readonly #position: XmlPosition;
  readonly #localNames = new Map<string, string>();
  readonly #attributeKeys = new Map<string, string | null>();
  #depth = 0;
  /** how many leading steps of the record path the open elements match */
  #matched = 0;
  /** open elements of the current record, the record element first (reused: `#top` are open) */
  readonly #frames: Frame[] = [];
  #top = 0;
  #recordChars = 0;
  #recordLine = 0;
  #tooLarge = false;

  constructor(fileName: string, recordSteps: readonly string[], limits: XmlLimits, position: XmlPosition) {
    this.#file = fileName;
    this.#steps = recordSteps;
    this.#limits = limits;
    this.#position = position;
  }

  /** an element of a record is open: its text counts */
  get inRecord(): boolean {
    return this.#top > 0;
  }

  /** the open record has more text than the limit and will be reported instead of read */
  get tooLarge(): boolean {
    return this.#tooLarge;
  }

  /**
   * An element opens: its name as written and its local name (without a prefix), and its
   * attributes, names and values in turn, as written, in the first `length` items of `attributes`.
   */
  open(written: string, name: string, attributes: readonly string[], length: number): void {
    this.closedRecord = false;
    const depth = ++this.#depth;
    if (depth > this.#limits.maxDepth) {
      throw new InputError('E_XML_DEPTH', `${this.#file} nests elements more than ${this.#limits.maxDepth} levels deep (line ${this.#position.line}); ferry refuses such documents`, {
        location: { file: this.#file, line: this.#position.line, column: this.#position.column },
      });
    }
    if (this.#top > 0) {
      this.#push(name, this.#attributes(attributes, length));
      return;
    }
    if (depth === 1) this.#openRoot(written, name);
    const steps = this.#steps;
    if (depth > steps.length) return;
    const step = steps[depth - 1];
    const onPath = depth === this.#matched + 1 && (step === name || step === '*');
    if (onPath) this.#matched = depth;
    if (!onPath || depth < steps.length) {
      // namespaces are declared on the root or around the records; elsewhere they are not looked for
      this.#declarations(attributes, length);
      return;
    }
    this.#recordChars = 0;
    this.#tooLarge = false;
    this.#recordLine = this.#position.line;
    this.records++;
    this.#push(name, this.#attributes(attributes, length) ?? newNode());
  }

  /** Character data (CDATA included) of the innermost open element. */
  text(text: string): void {
    this.closedRecord = false;
    const frame = this.#frames[this.#top - 1];
    if (frame === undefined || this.#top === 0) return;
    this.#count(text.length);
    if (!this.#tooLarge) frame.text = frame.text.length === 0 ? text : frame.text + text;
  }

  /** The innermost open element closes. */
  close(): void {
    this.closedRecord = false;
    const depth = this.#depth--;
    if (this.#top === 0) {
      if (this.#matched === depth) this.#matched--;
      return;
    }
    const frame = this.#frames[--this.#top];
    if (frame === undefined) return;
    if (this.#top === 0) {
      this.#matched--;
      this.rows.push(this.#finishRecord(frame));
      this.closedRecord = true;
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

  /** The local name of an element or attribute name as written (the name itself without a prefix). */
  localName(name: string): string {
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
      key = name === 'xmlns' || name.startsWith('xmlns:') ? null : `@${this.localName(name)}`;
      if (this.#attributeKeys.size < 10_000) this.#attributeKeys.set(name, key);
    }
    return key;
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
        location: { file: this.#file, line: this.#position.line },
      });
    }
  }

  #declarations(attributes: readonly string[], length: number): void {
    for (let i = 0; i < length; i += 2) {
      const name = attributes[i] ?? '';
      if (this.#attributeKey(name) === null) this.#declare(name, attributes[i + 1] ?? '');
    }
  }

  #declare(name: string, uri: string): void {
    const prefix = name === 'xmlns' ? '' : name.slice(6);
    if (!this.namespaces.has(prefix) && this.namespaces.size < 50) this.namespaces.set(prefix, uri);
  }

  /** The attributes as `@local` keys of a new node (undefined when there are none); notes namespace declarations. */
  #attributes(attributes: readonly string[], length: number): Node | undefined {
    let node: Node | undefined;
    for (let i = 0; i < length; i += 2) {
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
 * Nodes are made by a constructor whose prototype object inherits nothing and holds nothing, so
 * that a node answers only for its own members, as a null-prototype object does. Why not
 * `Object.create(null)`: that makes a dictionary-mode object, whose every store and read is a hash
 * lookup. Why a constructor rather than `{}`: V8 gives the objects of one constructor room for the
 * members they come to have (slack tracking), so a record's ten or so members sit inside the object
 * instead of in a second, growing array.
 */
const RecordNode = function RecordNode(this: object) {} as unknown as new () => Node;
Object.setPrototypeOf(RecordNode.prototype, null);
Reflect.deleteProperty(RecordNode.prototype, 'constructor');
// not frozen: stores into nodes whose prototype is frozen measured 3-5 % slower on the XML
// benchmark, and without Object.prototype on the chain no `__proto__` in the data can reach it

function newNode(): Node {
  return new RecordNode();
}

/** "16 MB" or "1000 characters" */
export function describeChars(n: number): string {
  return n >= 1 << 20 ? `${Math.round(n / (1 << 20))} MB` : `${n} characters`;
}
