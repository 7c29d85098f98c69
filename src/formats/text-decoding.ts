import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';

import iconv from 'iconv-lite';

import { InputError } from '../errors.js';

/** Turns a byte stream into text chunk by chunk, carrying partial characters between chunks. */
export interface ChunkDecoder {
  readonly encoding: string;
  /** decodes one chunk; `offset` is the byte offset of `bytes` in the file, for error positions */
  write(bytes: Buffer, offset: number): string;
  /**
   * Like write, in pieces that can be parsed one after the other. windows-1252 isolates the lines
   * that contain a character above U+00FF (€, „): V8 stores such a string two bytes per character
   * and splits it about half as fast, so only those lines should pay for it.
   */
  pieces(bytes: Buffer, offset: number): string[];
  end(): string;
}

/** Bytes 0x80–0x9F as windows-1252 reads them (the rest of the byte range is latin1). */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
const C1_RE = /[\u0080-\u009f]/g;
const HAS_C1 = /[\u0080-\u009f]/;

const ALIASES: Readonly<Record<string, string>> = {
  'utf8': 'utf-8',
  'utf-8': 'utf-8',
  'utf16le': 'utf-16le',
  'utf-16le': 'utf-16le',
  'utf-16': 'utf-16le',
  'ucs-2': 'utf-16le',
  'utf16be': 'utf-16be',
  'utf-16be': 'utf-16be',
  'windows-1252': 'windows-1252',
  'cp1252': 'windows-1252',
  'win1252': 'windows-1252',
  'iso-8859-1': 'iso-8859-1',
  'latin1': 'iso-8859-1',
  'latin-1': 'iso-8859-1',
  'iso8859-1': 'iso-8859-1',
};

/** The canonical name of an encoding, or undefined when ferry cannot decode it. */
export function normaliseEncoding(name: string): string | undefined {
  const key = name.trim().toLowerCase();
  const known = ALIASES[key];
  if (known !== undefined) return known;
  return iconv.encodingExists(key) ? key : undefined;
}

/** A BOM at the start of a file, and the encoding it announces. */
export function detectBom(head: Buffer): { encoding: string; length: number } | undefined {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return undefined;
}

/**
 * Decides the encoding for `auto`: the BOM if there is one; otherwise UTF-8 if the whole file is
 * valid UTF-8 (checked by streaming the file once, which is cheap next to parsing), else windows-1252,
 * the usual encoding of Western European ERP exports.
 */
export async function detectEncoding(path: string, head: Buffer): Promise<string> {
  const bom = detectBom(head);
  if (bom !== undefined) return bom.encoding;
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const bytes = carry.length === 0 ? (chunk as Buffer) : Buffer.concat([carry, chunk as Buffer]);
    const cut = utf8Boundary(bytes);
    if (!isUtf8(bytes.subarray(0, cut))) return 'windows-1252';
    carry = bytes.subarray(cut);
    if (carry.length > 3) return 'windows-1252';
  }
  return carry.length === 0 || isUtf8(carry) ? 'utf-8' : 'windows-1252';
}

/** Length of the prefix of `bytes` that ends on a UTF-8 character boundary. */
function utf8Boundary(bytes: Buffer): number {
  const n = bytes.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const b = bytes[n - back] ?? 0;
    if ((b & 0xc0) === 0x80) continue;
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return need > back ? n - back : n;
    }
    return n;
  }
  return n;
}

/** A decoder for a canonical encoding name; `fileName` names the file in errors. */
export function createChunkDecoder(encoding: string, fileName: string): ChunkDecoder {
  switch (encoding) {
    case 'utf-8':
      return withPieces(utf8Decoder(fileName));
    case 'iso-8859-1':
      return withPieces({ encoding, write: (b) => b.toString('latin1'), end: () => '' });
    case 'windows-1252':
      return {
        encoding,
        write: (b) => {
          const s = b.toString('latin1');
          return HAS_C1.test(s) ? s.replace(C1_RE, fixC1) : s;
        },
        pieces: (b) => cp1252Pieces(b.toString('latin1')),
        end: () => '',
      };
    default: {
      const decoder = iconv.getDecoder(encoding);
      return withPieces({ encoding, write: (b) => decoder.write(b), end: () => decoder.end() ?? '' });
    }
  }
}

function fixC1(c: string): string {
  return CP1252_HIGH[c.charCodeAt(0) - 0x80] ?? c;
}

function withPieces(d: Omit<ChunkDecoder, 'pieces'>): ChunkDecoder {
  return { ...d, pieces: (b, offset) => [d.write(b, offset)] };
}

/** latin1 text with the 0x80–0x9F range fixed up line by line, leaving clean runs one-byte strings. */
function cp1252Pieces(text: string): string[] {
  const find = new RegExp(C1_RE.source, 'g');
  let match = find.exec(text);
  if (match === null) return [text];
  const out: string[] = [];
  let from = 0;
  while (match !== null) {
    const lineStart = Math.max(from, text.lastIndexOf('\n', match.index) + 1);
    const newline = text.indexOf('\n', match.index);
    const lineEnd = newline === -1 ? text.length : newline + 1;
    if (lineStart > from) out.push(text.slice(from, lineStart));
    out.push(text.slice(lineStart, lineEnd).replace(C1_RE, fixC1));
    from = lineEnd;
    find.lastIndex = lineEnd;
    match = find.exec(text);
  }
  if (from < text.length) out.push(text.slice(from));
  return out;
}

function utf8Decoder(fileName: string): Omit<ChunkDecoder, 'pieces'> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  // the bytes of a character cut by a chunk boundary, kept with their file offset so that an
  // error in that character is reported where it starts rather than where the next chunk starts
  let pending: Buffer = Buffer.alloc(0);
  let pendingOffset = 0;
  const fail = (bytes: Buffer, offset: number): never => {
    const at = offset + firstInvalidUtf8(bytes);
    throw new InputError('E_ENCODING', `${fileName} is not valid UTF-8 at byte ${at}; set format.encoding to the file's encoding (for example windows-1252)`, {
      location: { file: fileName, byteOffset: at },
    });
  };
  return {
    encoding: 'utf-8',
    write: (bytes, offset) => {
      const base = pending.length > 0 ? pendingOffset : offset;
      let text: string;
      try {
        text = decoder.decode(bytes, { stream: true });
      } catch {
        return fail(pending.length > 0 ? Buffer.concat([pending, bytes]) : bytes, base);
      }
      // a character is at most 4 bytes, so a chunk of 4 or more bytes holds the end of any cut one
      const tail = bytes.length >= 4 ? bytes : Buffer.concat([pending, bytes]);
      const cut = utf8Boundary(tail);
      pending = Buffer.from(tail.subarray(cut));
      pendingOffset = (bytes.length >= 4 ? offset : base) + cut;
      return text;
    },
    end: () => {
      try {
        return decoder.decode();
      } catch {
        return fail(pending, pendingOffset);
      }
    },
  };
}

/** Offset of the first byte that does not start a valid UTF-8 sequence (bytes.length when none). */
function firstInvalidUtf8(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0) return i;
    if (i + len > bytes.length) return i;
    if (!isUtf8(bytes.subarray(i, i + len))) return i;
    i += len;
  }
  return i;
}
