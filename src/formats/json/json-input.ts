import { isUtf8 } from 'node:buffer';
import { createReadStream, statSync } from 'node:fs';
import { open } from 'node:fs/promises';

import { InputError } from '../../errors.js';
import { assertLooksLikeText } from '../content-check.js';
import { createChunkDecoder, detectBom, normaliseEncoding } from '../text-decoding.js';
import type { InputFile } from '../types.js';

/** How the bytes of a JSON file are read. */
export interface JsonInput {
  readonly encoding: string;
  /** bytes of the byte order mark, skipped */
  readonly bomLength: number;
}

const HEAD_BYTES = 64 * 1024;

/** Reads the start of the file, refuses empty and binary files and settles the encoding. */
export async function openJsonInput(file: InputFile, wanted: string | undefined): Promise<JsonInput> {
  const handle = await open(file.path, 'r');
  let head: Buffer;
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buf, 0, HEAD_BYTES, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  if (head.length === 0) throw new InputError('E_EMPTY_FILE', `${file.name} is empty`, { location: { file: file.name } });
  const bom = detectBom(head);
  let encoding = bom?.encoding ?? 'utf-8';
  if (wanted !== undefined && wanted.trim().toLowerCase() !== 'auto') {
    const named = normaliseEncoding(wanted);
    if (named === undefined) throw new InputError('E_ENCODING', `format.encoding "${wanted}" is not an encoding ferry knows; use auto, utf-8, windows-1252, iso-8859-1 or another iconv name`);
    encoding = named;
  }
  assertLooksLikeText(head, file.name, encoding);
  return { encoding, bomLength: bom?.encoding === encoding ? bom.length : 0 };
}

/**
 * Checks UTF-8 chunk by chunk without decoding it (the tokenizer decodes strings itself and would
 * turn bad bytes into U+FFFD silently): a character cut by a chunk boundary is checked with the
 * next chunk.
 */
export function createUtf8Check(fileName: string): { write(bytes: Buffer, offset: number): void; end(offset: number): void } {
  let carry: Buffer = Buffer.alloc(0);
  const fail = (offset: number): never => {
    throw new InputError('E_ENCODING', `${fileName} is not valid UTF-8 near byte ${offset}; set format.encoding to the file's encoding (for example windows-1252)`, {
      location: { file: fileName, byteOffset: offset },
    });
  };
  return {
    write(bytes, offset) {
      const all = carry.length === 0 ? bytes : Buffer.concat([carry, bytes]);
      const cut = utf8Boundary(all);
      if (!isUtf8(all.subarray(0, cut))) fail(offset - carry.length);
      carry = Buffer.from(all.subarray(cut));
    },
    end(offset) {
      if (carry.length > 0) fail(offset - carry.length);
    },
  };
}

/** Length of the prefix of `bytes` that ends on a UTF-8 character boundary. */
function utf8Boundary(bytes: Buffer): number {
  const n = bytes.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const b = bytes[n - back] ?? 0;
    if ((b & 0xc0) === 0x80) continue;
    if (b < 0xc0) return n;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
    return need > back ? n - back : n;
  }
  return n;
}

/**
 * Line and column (1-based, in characters) of a UTF-8 byte offset into the file's text after its
 * byte order mark: the file is read again up to there, which only an error pays for.
 */
export async function locateOffset(file: InputFile, input: JsonInput, offset: number): Promise<{ line: number; column: number }> {
  const decoder = createChunkDecoder(input.encoding, file.name);
  let line = 1;
  let column = 1;
  let bytes = 0;
  let at = input.bomLength;
  try {
    for await (const chunk of createReadStream(file.path, { start: input.bomLength, highWaterMark: 1 << 20 })) {
      const text = decoder.write(chunk as Buffer, at);
      at += (chunk as Buffer).length;
      for (const ch of text) {
        if (bytes >= offset) return { line, column };
        const code = ch.codePointAt(0) ?? 0;
        bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
        if (code === 10) {
          line++;
          column = 1;
        } else {
          column++;
        }
      }
    }
  } catch {
    // the position so far is the best there is
  }
  return { line, column };
}

/** File size ÷ bytes per record so far: a guess used to size key tables once. */
export function estimateRows(path: string, bytesRead: number, records: number): number | undefined {
  if (records === 0 || bytesRead === 0) return undefined;
  try {
    return Math.ceil((statSync(path).size / bytesRead) * records * 1.05);
  } catch {
    return undefined;
  }
}
