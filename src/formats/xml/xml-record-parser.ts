import { SaxesParser, type SaxesTagPlain } from 'saxes';

import { FerryError, InputError } from '../../errors.js';
import type { SourceRow } from '../types.js';
import { describeChars, XmlTreeBuilder, type XmlLimits } from './xml-tree-builder.js';

export type { XmlLimits } from './xml-tree-builder.js';

/**
 * The general XML parser (saxes, streaming) feeding an {@link XmlTreeBuilder}: reads any
 * well-formed document and reports the first fault with saxes's line, column and reason.
 */
export class XmlRecordParser {
  readonly #parser = new SaxesParser({ xmlns: false, position: true });
  readonly #builder: XmlTreeBuilder;
  readonly #file: string;
  readonly #limits: XmlLimits;
  /** characters written since saxes last reported anything: what it holds in its own buffers */
  #quiet = 0;
  #eventSeen = false;
  #textOn = false;
  readonly #onText = (text: string): void => {
    this.#eventSeen = true;
    this.#builder.text(text);
  };
  /**
   * The open tag's attributes as saxes reports them one by one, name then value: reading them off
   * `tag.attributes` (a null-prototype dictionary) with for…in costs more than building the record.
   */
  #attributeList: string[] = [];

  constructor(fileName: string, recordSteps: readonly string[], limits: XmlLimits) {
    this.#file = fileName;
    this.#limits = limits;
    this.#builder = new XmlTreeBuilder(fileName, recordSteps, limits, this.#parser);
    // few handlers: with a seventh V8 turns the parser object into a dictionary and every read of
    // its state slows parsing about threefold. So errors are thrown by saxes itself, not handled.
    const p = this.#parser;
    p.on('doctype', () => this.#refuseDtd());
    p.on('attribute', (attribute) => this.#attributeList.push(attribute.name, attribute.value));
    p.on('opentag', (tag) => this.#open(tag));
    p.on('closetag', () => this.#close());
    p.on('cdata', (text) => this.#onText(text));
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

  /** line the parser has reached (1-based) */
  get line(): number {
    return this.#parser.line;
  }

  /** Hands out the rows completed so far. */
  takeRows(): SourceRow[] {
    const rows = this.#builder.rows;
    if (rows.length > 0) this.#builder.rows = [];
    return rows;
  }

  /** Parses the next piece of text; completed records are kept for {@link takeRows}. */
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

  #open(tag: SaxesTagPlain): void {
    const attributes = this.#attributeList;
    if (attributes.length > 0) this.#attributeList = [];
    this.#eventSeen = true;
    this.#builder.open(tag.name, this.#builder.localName(tag.name), attributes, attributes.length);
    // text outside records is not wanted: saxes does not even slice it out without a handler
    if (!this.#textOn && this.#builder.inRecord) {
      this.#parser.on('text', this.#onText);
      this.#textOn = true;
    }
  }

  #close(): void {
    this.#eventSeen = true;
    this.#builder.close();
    if (this.#textOn && !this.#builder.inRecord) {
      this.#parser.off('text');
      this.#textOn = false;
    }
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
    if (this.#builder.closedRecord && reason === 'unexpected close tag') this.#builder.rows.pop();
    if (/doctype/i.test(reason)) this.#refuseDtd();
    throw new InputError('E_XML_MALFORMED', `${this.#file} is not well-formed XML at line ${this.line}, column ${this.#parser.column}: ${reason}`, {
      location: { file: this.#file, line: this.line, column: this.#parser.column },
    });
  }
}
