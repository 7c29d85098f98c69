/**
 * The input every CSV bench case shares: the file's bytes decoded from windows-1252 to strings,
 * the way ferry has to read legacy ERP exports.
 *
 * Two decoders, because decoding turned out to dominate: iconv-lite's stream (what issue 2 asks
 * the baseline parsers to use) decodes at ~50–75 MB/s on 2 cores and always yields two-byte
 * strings, which V8 then splits about half as fast; latin1 decodes at ~400 MB/s into one-byte
 * strings.
 */
import { createReadStream } from 'node:fs';
import {
  pipeline,
  Transform,
  type Duplex,
  type Readable,
  type TransformCallback,
} from 'node:stream';
import iconv from 'iconv-lite';

/** `iconv-lite`: `iconv.decodeStream('win1252')`; `fast`: latin1 plus a fix-up of 0x80–0x9F. */
export type Win1252Decoder = 'iconv-lite' | 'fast';

/** Where windows-1252 differs from latin1: 0x80–0x9F (undefined bytes → U+FFFD, as iconv-lite). */
const C1_AS_WIN1252 =
  '€\uFFFD‚ƒ„…†‡ˆ‰Š‹Œ\uFFFDŽ\uFFFD\uFFFD‘’“”•–—˜™š›œ\uFFFDžŸ';
const ALL_C1 = /[\x80-\x9f]/g;

function toWin1252(c1: string): string {
  return C1_AS_WIN1252.charAt(c1.charCodeAt(0) - 0x80);
}

/**
 * Decodes each chunk as latin1 and rewrites only the lines that contain 0x80–0x9F characters,
 * pushing the clean runs between them as they are. A string with one character above 0xFF is
 * stored two bytes per character, and V8 splits and slices those about half as fast, so only
 * the few lines with a `€` should pay for it. Correct for a single-byte charset: no character
 * spans two chunks.
 */
class FastWin1252Decoder extends Transform {
  constructor() {
    // A readable encoding makes pushed strings stay strings instead of turning back into Buffers.
    super({ encoding: 'utf8' });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const text = chunk.toString('latin1');
    const find = /[\x80-\x9f]/g;
    let from = 0;
    for (let match = find.exec(text); match !== null; match = find.exec(text)) {
      const lineStart = Math.max(from, text.lastIndexOf('\n', match.index) + 1);
      const newline = text.indexOf('\n', match.index);
      const lineEnd = newline === -1 ? text.length : newline + 1;
      if (lineStart > from) this.push(text.slice(from, lineStart));
      this.push(text.slice(lineStart, lineEnd).replace(ALL_C1, toWin1252));
      from = lineEnd;
      find.lastIndex = lineEnd;
    }
    if (from < text.length) this.push(from === 0 ? text : text.slice(from));
    callback();
  }
}

/** iconv-lite types its stream as a bare ReadWriteStream; it is a Transform at run time. */
function createDecoder(kind: Win1252Decoder): Transform {
  if (kind === 'fast') return new FastWin1252Decoder();
  const stream = iconv.decodeStream('win1252');
  if (!(stream instanceof Transform)) throw new Error('iconv-lite decodeStream is not a Transform');
  return stream;
}

/** Parses a decoder name from a case's arguments, defaulting to iconv-lite. */
export function parseDecoder(name: string | undefined): Win1252Decoder {
  if (name === undefined || name === 'iconv-lite') return 'iconv-lite';
  if (name === 'fast') return 'fast';
  throw new Error(`unknown decoder: ${name} (use iconv-lite or fast)`);
}

/**
 * Opens `file` as a stream of decoded string chunks (default 64 KiB reads). A read error destroys
 * the returned stream with that error, so callers only have to watch one stream.
 */
export function openWin1252(file: string, decoder: Win1252Decoder = 'iconv-lite'): Readable {
  return pipeline(createReadStream(file), createDecoder(decoder), () => undefined);
}

/**
 * Like {@link openWin1252} but feeds the decoded text into `parser` and returns it; an error
 * anywhere in the chain destroys `parser`, so awaiting `finished(parser)` sees it.
 */
export function openWin1252Into<T extends Duplex>(
  file: string,
  parser: T,
  decoder: Win1252Decoder = 'iconv-lite',
): T {
  pipeline(createReadStream(file), createDecoder(decoder), parser, () => undefined);
  return parser;
}
