import { Tokenizer, TokenType, type ParsedTokenInfo } from '@streamparser/json';

import type { RawValue } from '../types.js';
import { jsonNumber } from './json-number.js';

/** A tokenizer that keeps each number's source text, so that no digit is lost to a double. */
export class ExactTokenizer extends Tokenizer {
  numberText = '';

  protected override parseNumber(numberStr: string): number {
    this.numberText = numberStr;
    return 0;
  }
}

/** What kind of fault a {@link JsonSyntaxError} is. */
export type JsonFault = 'syntax' | 'depth' | 'size' | 'path';

/** A fault in the JSON text at a byte offset of the stream the tokenizer was given. */
export class JsonSyntaxError extends Error {
  readonly offset: number;
  /** `depth`: nested too deep; `size`: a string too long to hold; `path`: no array at the record path */
  readonly kind: JsonFault;

  constructor(message: string, offset: number, kind: JsonFault = 'syntax') {
    super(message);
    this.name = 'JsonSyntaxError';
    this.offset = offset;
    this.kind = kind;
  }
}

/** One record: an item of the record array, or one top-level value (NDJSON). */
export interface BuiltRecord {
  /** the value; undefined when the record was too large to keep */
  readonly value: RawValue | null;
  readonly tooLarge: boolean;
}

/** What the builder reads: where the records are, and how much it may build. */
export interface JsonBuilderOptions {
  /** keys from the top to the array of records; null: each top-level value is a record */
  readonly steps: readonly string[] | null;
  readonly maxDepth: number;
  readonly maxRecordChars: number;
}

type Node = Record<string, RawValue>;

const KEY_OR_END = 0;
const KEY = 1;
const COLON = 2;
const VALUE = 3;
const COMMA_OR_END = 4;
const VALUE_OR_END = 5;

interface Frame {
  readonly isObject: boolean;
  state: number;
  key: string;
  /** the container being built inside a record; undefined outside records */
  readonly node: Node | RawValue[] | undefined;
  /** record-path steps this container's own path matches; -1 off the path */
  readonly match: number;
  /** the items of this array are the records */
  readonly records: boolean;
  readonly recordRoot: boolean;
}

/**
 * Builds JSON values from tokens without recursion, checking the grammar as it goes: only the
 * records are built (null-prototype objects, numbers exact through {@link jsonNumber}, null left
 * out), everything around them is only walked. Completed records collect in `records`.
 */
export class JsonTreeBuilder {
  records: BuiltRecord[] = [];
  /** the record array was found */
  found = false;
  /** paths of the first arrays met off the record path, for a hint when it is wrong */
  readonly arrays: string[] = [];

  readonly #options: JsonBuilderOptions;
  readonly #frames: Frame[] = [];
  #topDone = false;
  #chars = 0;
  #tooLarge = false;

  constructor(options: JsonBuilderOptions) {
    this.#options = options;
  }

  /** a whole top-level value has been read */
  get complete(): boolean {
    return this.#topDone && this.#frames.length === 0;
  }

  /** Forgets the top-level value, ready for the next line of NDJSON. */
  reset(): void {
    this.#topDone = false;
    this.#frames.length = 0;
  }

  /** Takes one token; throws {@link JsonSyntaxError} where the grammar is broken. */
  token(t: ParsedTokenInfo, tokenizer: ExactTokenizer): void {
    if (t.partial === true) {
      // a string still being read: the tokenizer holds it whole, so it must not grow without bound
      if (typeof t.value === 'string' && t.value.length > this.#options.maxRecordChars) {
        throw new JsonSyntaxError(`a string longer than ${this.#options.maxRecordChars} characters`, t.offset, 'size');
      }
      return;
    }
    switch (t.token) {
      case TokenType.LEFT_BRACE:
      case TokenType.LEFT_BRACKET:
        this.#open(t.token === TokenType.LEFT_BRACE, t.offset);
        return;
      case TokenType.RIGHT_BRACE:
      case TokenType.RIGHT_BRACKET:
        this.#close(t.token === TokenType.RIGHT_BRACE, t.offset);
        return;
      case TokenType.COLON: {
        const top = this.#frames[this.#frames.length - 1];
        if (top?.state !== COLON) throw unexpected(t);
        top.state = VALUE;
        return;
      }
      case TokenType.COMMA: {
        const top = this.#frames[this.#frames.length - 1];
        if (top?.state !== COMMA_OR_END) throw unexpected(t);
        top.state = top.isObject ? KEY : VALUE;
        return;
      }
      case TokenType.STRING: {
        const top = this.#frames[this.#frames.length - 1];
        const text = t.value as string;
        if (top !== undefined && top.isObject && (top.state === KEY_OR_END || top.state === KEY)) {
          top.key = text;
          top.state = COLON;
          if (top.node !== undefined) this.#count(text.length);
          return;
        }
        this.#scalar(text, t);
        return;
      }
      case TokenType.NUMBER:
        this.#scalar(jsonNumber(tokenizer.numberText), t);
        return;
      case TokenType.TRUE:
        this.#scalar(true, t);
        return;
      case TokenType.FALSE:
        this.#scalar(false, t);
        return;
      case TokenType.NULL:
        this.#scalar(null, t);
        return;
      default:
        throw unexpected(t);
    }
  }

  #scalar(value: RawValue | null, t: ParsedTokenInfo): void {
    const parent = this.#beforeValue(t);
    if (parent?.node !== undefined) {
      if (typeof value === 'string') this.#count(value.length);
      add(parent, value, this.#tooLarge);
      return;
    }
    if (this.#isRecordPlace(parent)) {
      this.records.push({ value, tooLarge: false });
      return;
    }
    if (this.#childMatch(parent) === this.#steps().length) this.#notAnArray(typeof value === 'string' ? 'a string' : value === null ? 'null' : `${typeof value === 'object' ? 'a number' : `a ${typeof value}`}`, t.offset);
  }

  #open(isObject: boolean, offset: number): void {
    const parent = this.#beforeValue({ token: isObject ? TokenType.LEFT_BRACE : TokenType.LEFT_BRACKET, value: isObject ? '{' : '[', offset });
    if (this.#frames.length >= this.#options.maxDepth) {
      throw new JsonSyntaxError(`values are nested more than ${this.#options.maxDepth} levels deep`, offset, 'depth');
    }
    const state = isObject ? KEY_OR_END : VALUE_OR_END;
    const container = (): Node | RawValue[] => (isObject ? (Object.create(null) as Node) : []);
    if (parent?.node !== undefined) {
      this.#frames.push({ isObject, state, key: '', node: container(), match: -1, records: false, recordRoot: false });
      return;
    }
    if (this.#isRecordPlace(parent)) {
      this.#chars = 0;
      this.#tooLarge = false;
      this.#frames.push({ isObject, state, key: '', node: container(), match: -1, records: false, recordRoot: true });
      return;
    }
    const match = this.#childMatch(parent);
    const steps = this.#steps();
    if (match === steps.length) {
      if (isObject) this.#notAnArray('an object', offset);
      this.found = true;
      this.#frames.push({ isObject, state, key: '', node: undefined, match, records: true, recordRoot: false });
      return;
    }
    if (!isObject && this.arrays.length < 5 && this.#frames.every((f) => f.isObject)) this.arrays.push(`/${this.#frames.map((f) => f.key).join('/')}`);
    this.#frames.push({ isObject, state, key: '', node: undefined, match, records: false, recordRoot: false });
  }

  #close(isObject: boolean, offset: number): void {
    const frame = this.#frames[this.#frames.length - 1];
    const closes = isObject ? frame?.isObject === true && (frame.state === KEY_OR_END || frame.state === COMMA_OR_END) : frame?.isObject === false && (frame.state === VALUE_OR_END || frame.state === COMMA_OR_END);
    if (frame === undefined || !closes) throw unexpected({ token: isObject ? TokenType.RIGHT_BRACE : TokenType.RIGHT_BRACKET, value: isObject ? '}' : ']', offset });
    this.#frames.pop();
    if (frame.recordRoot) {
      this.records.push({ value: this.#tooLarge ? null : (frame.node ?? null), tooLarge: this.#tooLarge });
      return;
    }
    const parent = this.#frames[this.#frames.length - 1];
    if (frame.node !== undefined && parent !== undefined) add(parent, frame.node, this.#tooLarge);
  }

  /** Checks that a value may start here and moves the container on; returns that container. */
  #beforeValue(t: ParsedTokenInfo): Frame | undefined {
    const top = this.#frames[this.#frames.length - 1];
    if (top === undefined) {
      if (this.#topDone) throw new JsonSyntaxError(`unexpected ${describe(t)} after the end of the JSON value`, t.offset);
      this.#topDone = true;
      return undefined;
    }
    if (top.isObject ? top.state !== VALUE : top.state !== VALUE_OR_END && top.state !== VALUE) throw unexpected(t);
    top.state = COMMA_OR_END;
    return top;
  }

  #steps(): readonly string[] {
    return this.#options.steps ?? [];
  }

  #isRecordPlace(parent: Frame | undefined): boolean {
    return parent === undefined ? this.#options.steps === null : parent.records;
  }

  #childMatch(parent: Frame | undefined): number {
    if (this.#options.steps === null) return -1;
    if (parent === undefined) return 0;
    const steps = this.#options.steps;
    return parent.isObject && parent.match >= 0 && parent.match < steps.length && parent.key === steps[parent.match] ? parent.match + 1 : -1;
  }

  #notAnArray(what: string, offset: number): never {
    const steps = this.#steps();
    const where = steps.length === 0 ? 'the top-level value' : `/${steps.join('/')}`;
    const hint = steps.length === 0 && what === 'an object' ? 'set format.record to the path of the array of records, such as /data/items' : 'check format.record';
    throw new JsonSyntaxError(`${where} is ${what}, not an array of records; ${hint}`, offset, 'path');
  }

  #count(chars: number): void {
    this.#chars += chars;
    if (this.#chars > this.#options.maxRecordChars) this.#tooLarge = true;
  }
}

function add(parent: Frame, value: RawValue | null, dropped: boolean): void {
  if (dropped || parent.node === undefined) return;
  if (Array.isArray(parent.node)) (parent.node as RawValue[]).push(value ?? undefined);
  else if (value !== null) (parent.node as Node)[parent.key] = value;
}

function describe(t: ParsedTokenInfo): string {
  switch (t.token) {
    case TokenType.STRING:
      return 'a string';
    case TokenType.NUMBER:
      return 'a number';
    case TokenType.SEPARATOR:
      return 'end of line';
    default:
      return `"${String(t.value)}"`;
  }
}

function unexpected(t: ParsedTokenInfo): JsonSyntaxError {
  return new JsonSyntaxError(`unexpected ${describe(t)}`, t.offset);
}
