import { once } from 'node:events';
import type { TransformOptions } from 'node:stream';
import { crc32, createDeflateRaw, deflateRawSync, type ZlibOptions } from 'node:zlib';

import type { ByteSink } from './byte-sink.js';

const LOCAL_HEADER = 0x04034b50;
const DATA_DESCRIPTOR = 0x08074b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL = 0x06054b50;
const FLAG_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
const DEFLATE = 8;
const VERSION = 20;
/** sizes and offsets beyond this need ZIP64, which this writer does not write */
const LIMIT = 0xffffffff;

interface Entry {
  readonly name: Buffer;
  readonly flags: number;
  readonly offset: number;
  crc: number;
  compressed: number;
  size: number;
}

/** A zip entry whose content is streamed: written and deflated piece by piece. */
export interface ZipEntryStream {
  /** deflates `bytes` into the zip; resolves when the deflater and the output have room again */
  write(bytes: Buffer): Promise<void>;
  /** ends the entry with its data descriptor (CRC and sizes) */
  close(): Promise<void>;
}

function dosTime(at: Date): { time: number; date: number } {
  return {
    time: (at.getHours() << 11) | (at.getMinutes() << 5) | (at.getSeconds() >> 1),
    date: (Math.max(at.getFullYear() - 1980, 0) << 9) | ((at.getMonth() + 1) << 5) | at.getDate(),
  };
}

/**
 * A zip file written front to back, for XLSX: small entries deflated in one piece, large ones
 * streamed through zlib with a data descriptor after them, then the central directory. Memory
 * holds one deflate window and the entry list, whatever the size. Without ZIP64, an entry or the
 * file past 4 GiB is refused with an error (an XLSX sheet reaches Excel's row limit long before).
 */
export class ZipWriter {
  private readonly sink: ByteSink;
  private readonly level: number;
  private readonly stamp: { time: number; date: number };
  private readonly entries: Entry[] = [];
  private offset = 0;

  constructor(sink: ByteSink, options: { level?: number; modified?: Date } = {}) {
    this.sink = sink;
    this.level = options.level ?? 6;
    this.stamp = dosTime(options.modified ?? new Date());
  }

  /** Adds a small entry whose content is known. */
  async addFile(name: string, data: Buffer): Promise<void> {
    const compressed = deflateRawSync(data, { level: this.level });
    const entry: Entry = { name: Buffer.from(name, 'utf8'), flags: FLAG_UTF8, offset: this.offset, crc: crc32(data), compressed: compressed.length, size: data.length };
    checkLimits(entry, this.offset + compressed.length);
    await this.put(this.localHeader(entry));
    await this.put(compressed);
    this.entries.push(entry);
  }

  /** Starts a streamed entry; close it before adding another entry. */
  async openStream(name: string): Promise<ZipEntryStream> {
    const entry: Entry = { name: Buffer.from(name, 'utf8'), flags: FLAG_UTF8 | FLAG_DESCRIPTOR, offset: this.offset, crc: 0, compressed: 0, size: 0 };
    await this.put(this.localHeader(entry));
    // a 1 MiB input buffer lets rows be built while zlib deflates the previous pieces on its thread
    const settings: ZlibOptions & TransformOptions = { level: this.level, chunkSize: 1 << 16, writableHighWaterMark: 1 << 20 };
    const deflate = createDeflateRaw(settings);
    let failure: unknown;
    // the deflater's output is copied to the sink at the sink's pace; when the sink is slow the
    // deflater's buffer fills and write() below waits for its 'drain'
    const pump = (async () => {
      for await (const chunk of deflate) {
        const bytes = chunk as Buffer;
        entry.compressed += bytes.length;
        await this.put(bytes);
      }
    })().catch((err: unknown) => {
      failure = err;
      deflate.destroy();
    });
    const check = (): void => {
      if (failure !== undefined) throw failure;
    };
    return {
      write: async (bytes) => {
        check();
        entry.crc = crc32(bytes, entry.crc);
        entry.size += bytes.length;
        checkLimits(entry, this.offset);
        if (!deflate.write(bytes)) await Promise.race([once(deflate, 'drain'), pump]);
        check();
      },
      close: async () => {
        check();
        deflate.end();
        await pump;
        check();
        checkLimits(entry, this.offset + 16);
        const d = Buffer.alloc(16);
        d.writeUInt32LE(DATA_DESCRIPTOR, 0);
        d.writeUInt32LE(entry.crc, 4);
        d.writeUInt32LE(entry.compressed, 8);
        d.writeUInt32LE(entry.size, 12);
        await this.put(d);
        this.entries.push(entry);
      },
    };
  }

  /** Writes the central directory; the caller ends the sink. */
  async finish(): Promise<void> {
    const start = this.offset;
    for (const e of this.entries) {
      const h = Buffer.alloc(46);
      h.writeUInt32LE(CENTRAL_HEADER, 0);
      h.writeUInt16LE(VERSION, 4);
      h.writeUInt16LE(VERSION, 6);
      h.writeUInt16LE(e.flags, 8);
      h.writeUInt16LE(DEFLATE, 10);
      h.writeUInt16LE(this.stamp.time, 12);
      h.writeUInt16LE(this.stamp.date, 14);
      h.writeUInt32LE(e.crc, 16);
      h.writeUInt32LE(e.compressed, 20);
      h.writeUInt32LE(e.size, 24);
      h.writeUInt16LE(e.name.length, 28);
      h.writeUInt32LE(e.offset, 42);
      await this.put(Buffer.concat([h, e.name]));
    }
    const size = this.offset - start;
    if (this.offset > LIMIT || this.entries.length > 0xffff) throw new RangeError('the zip file passes 4 GiB or 65535 entries, which needs ZIP64');
    const end = Buffer.alloc(22);
    end.writeUInt32LE(END_OF_CENTRAL, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(size, 12);
    end.writeUInt32LE(start, 16);
    await this.put(end);
  }

  private async put(bytes: Buffer): Promise<void> {
    this.offset += bytes.length;
    await this.sink.write(bytes);
  }

  private localHeader(e: Entry): Buffer {
    const h = Buffer.alloc(30);
    h.writeUInt32LE(LOCAL_HEADER, 0);
    h.writeUInt16LE(VERSION, 4);
    h.writeUInt16LE(e.flags, 6);
    h.writeUInt16LE(DEFLATE, 8);
    h.writeUInt16LE(this.stamp.time, 10);
    h.writeUInt16LE(this.stamp.date, 12);
    if ((e.flags & FLAG_DESCRIPTOR) === 0) {
      h.writeUInt32LE(e.crc, 14);
      h.writeUInt32LE(e.compressed, 18);
      h.writeUInt32LE(e.size, 22);
    }
    h.writeUInt16LE(e.name.length, 26);
    return Buffer.concat([h, e.name]);
  }
}

function checkLimits(e: Entry, offset: number): void {
  if (e.size > LIMIT || e.compressed > LIMIT || offset > LIMIT) {
    throw new RangeError(`zip entry ${e.name.toString('utf8')} passes 4 GiB, which needs ZIP64; write a file this large as CSV`);
  }
}
