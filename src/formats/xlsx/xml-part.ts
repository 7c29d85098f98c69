import { TextDecoder } from 'node:util';

import { SaxesParser, type SaxesTagPlain } from 'saxes';

import { InputError } from '../../errors.js';
import type { InputFile } from '../types.js';
import { XmlScanError, XmlScanner, type ScanHandlers } from './xml-scanner.js';
import type { ZipArchive, ZipPart } from './zip-archive.js';

/** What a part's parse reports; element names come without their namespace prefix. */
export interface PartHandlers {
  open?(name: string, attributes: Readonly<Record<string, string>>): void;
  close?(name: string): void;
  /** character data (entities decoded, CDATA included) anywhere in the part */
  text?(text: string): void;
}

/** A streaming parse of one XML part: feed it the inflated bytes, then end it. */
export interface PartParser {
  write(bytes: Buffer): void;
  end(): void;
}

/** The element or attribute name without its prefix: `x:row` → `row`. */
export function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

/**
 * Creates a saxes parse of one part of a workbook. A DOCTYPE is refused (no workbook part has one,
 * and refusing it rules out entity expansion); malformed XML or bytes that are not valid in the
 * part's encoding throw E_XLSX_CORRUPT naming the part.
 */
export function createPartParser(file: InputFile, part: ZipPart, handlers: PartHandlers): PartParser {
  const parser = new SaxesParser<{ xmlns: false; position: false }>({ xmlns: false, position: false });
  const { open, close, text } = handlers;
  if (open !== undefined) parser.on('opentag', (tag: SaxesTagPlain) => open(localName(tag.name), tag.attributes));
  if (close !== undefined) parser.on('closetag', (tag: SaxesTagPlain) => close(localName(tag.name)));
  if (text !== undefined) {
    parser.on('text', text);
    parser.on('cdata', text);
  }
  parser.on('doctype', () => {
    throw corrupt(file, part, 'declares a DOCTYPE, which workbooks never do; it is refused');
  });
  // saxes reports malformed XML with plain Errors; TypeErrors and the like are bugs and pass through
  const isXmlError = (err: unknown): boolean => err instanceof Error && err.constructor === Error;
  return decodingParser(file, part, (chunk) => parser.write(chunk), () => parser.close(), isXmlError);
}

/**
 * Like {@link createPartParser}, with the lean {@link XmlScanner} instead of saxes: for the sheet
 * and the shared strings, which hold nearly all of a workbook's bytes.
 */
export function createFastPartParser(file: InputFile, part: ZipPart, handlers: ScanHandlers): PartParser {
  const scanner = new XmlScanner(handlers);
  return decodingParser(file, part, (chunk) => scanner.write(chunk), () => scanner.end(), (err) => err instanceof XmlScanError);
}

function decodingParser(file: InputFile, part: ZipPart, write: (text: string) => void, end: () => void, isXmlError: (err: unknown) => boolean): PartParser {
  let decoder: TextDecoder | undefined;
  let encoding = 'utf-8';
  const feed = (bytes: Buffer | undefined): void => {
    let text: string;
    try {
      text = decoder === undefined ? '' : bytes === undefined ? decoder.decode() : decoder.decode(bytes, { stream: true });
    } catch (err) {
      throw corrupt(file, part, `has bytes that are not valid ${encoding}`, err);
    }
    try {
      if (text.length > 0) write(text);
      if (bytes === undefined) end();
    } catch (err) {
      if (err instanceof InputError || !isXmlError(err)) throw err;
      throw corrupt(file, part, `is not well-formed XML (${err instanceof Error ? err.message : String(err)})`, err);
    }
  };
  return {
    write(bytes) {
      if (decoder === undefined) {
        encoding = encodingOf(bytes);
        decoder = new TextDecoder(encoding, { fatal: true });
      }
      feed(bytes);
    },
    end: () => feed(undefined),
  };
}

function corrupt(file: InputFile, part: ZipPart, why: string, cause?: unknown): InputError {
  return new InputError('E_XLSX_CORRUPT', `${file.name} is not a readable workbook: its part ${part.name} ${why}`, { cause, location: { file: file.name } });
}

/** Streams a whole part through {@link createPartParser}. */
export async function parsePart(archive: ZipArchive, file: InputFile, part: ZipPart, handlers: PartHandlers): Promise<void> {
  const parser = createPartParser(file, part, handlers);
  for await (const chunk of archive.read(part)) parser.write(chunk);
  parser.end();
}

/** Streams a whole part through {@link createFastPartParser}. */
export async function scanPart(archive: ZipArchive, file: InputFile, part: ZipPart, handlers: ScanHandlers): Promise<void> {
  const parser = createFastPartParser(file, part, handlers);
  for await (const chunk of archive.read(part)) parser.write(chunk);
  parser.end();
}

/** UTF-8 unless a byte order mark or the XML declaration says otherwise. */
function encodingOf(head: Buffer): string {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  const declared = /^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head.subarray(0, 200).toString('latin1'))?.[1]?.toLowerCase();
  if (declared === 'iso-8859-1' || declared === 'latin1' || declared === 'windows-1252' || declared === 'cp1252') return 'windows-1252';
  return 'utf-8';
}
