import { Writable } from 'node:stream';

import { SaxesParser } from 'saxes';
import yauzl from 'yauzl';

import { createTableWriter, type TableFormat } from '../../src/formats/writers/create-writer.js';
import type { TableWriterOptions, WriterValue } from '../../src/formats/writers/types.js';

/**
 * A Writable that keeps what it is given (or only counts it), optionally slow, and records the
 * most bytes that were ever waiting in its buffer: what a writer that ignores backpressure piles up.
 */
export class CollectingStream extends Writable {
  private readonly chunks: Buffer[] = [];
  private readonly keep: boolean;
  private readonly slow: boolean;
  bytesWritten = 0;
  maxBuffered = 0;

  constructor(options: { highWaterMark?: number; keep?: boolean; slow?: boolean } = {}) {
    super({ highWaterMark: options.highWaterMark ?? 16 * 1024 });
    this.keep = options.keep ?? true;
    this.slow = options.slow ?? false;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.maxBuffered = Math.max(this.maxBuffered, this.writableLength);
    this.bytesWritten += chunk.length;
    if (this.keep) this.chunks.push(chunk);
    if (this.slow) setImmediate(callback);
    else callback();
  }

  /** everything written so far */
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** Writes `rows` as `format` and returns the file's bytes. */
export async function writeTable(format: TableFormat, options: TableWriterOptions, rows: readonly (readonly WriterValue[])[]): Promise<Buffer> {
  const out = new CollectingStream();
  const writer = createTableWriter(format, out, options);
  for (const row of rows) await writer.writeRow(row);
  await writer.end();
  return out.bytes();
}

/** The entries of a zip file, inflated, by name. */
export function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, file) => {
      if (err !== null) return reject(err);
      const entries = new Map<string, Buffer>();
      file.on('error', reject);
      file.on('end', () => resolve(entries));
      file.on('entry', (entry: yauzl.Entry) => {
        file.openReadStream(entry, (openErr, stream) => {
          if (openErr !== null) return reject(openErr);
          const parts: Buffer[] = [];
          stream.on('data', (part: Buffer) => parts.push(part));
          stream.on('error', reject);
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(parts));
            file.readEntry();
          });
        });
      });
      file.readEntry();
    });
  });
}

/** An element of a parsed XML document. */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Record<string, string>;
  readonly children: XmlElement[];
  /** the text directly inside the element */
  text: string;
}

/** Parses a whole (small) XML document with saxes, strictly. */
export function parseXml(xml: string): XmlElement {
  const parser = new SaxesParser();
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  parser.on('opentag', (tag) => {
    const element: XmlElement = { name: tag.name, attributes: { ...(tag.attributes as Record<string, string>) }, children: [], text: '' };
    stack.at(-1)?.children.push(element);
    stack.push(element);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.on('text', (text) => {
    const top = stack.at(-1);
    if (top !== undefined) top.text += text;
  });
  parser.write(xml).close();
  const element = root.children[0];
  if (element === undefined) throw new Error('no document element');
  return element;
}

/** Every element named `name` under `element`, in document order. */
export function descendants(element: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    for (const child of e.children) {
      if (child.name === name) found.push(child);
      walk(child);
    }
  };
  walk(element);
  return found;
}
