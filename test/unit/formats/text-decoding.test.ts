import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import iconv from 'iconv-lite';

import { InputError } from '../../../src/errors.js';
import { createChunkDecoder, detectBom, normaliseEncoding } from '../../../src/formats/text-decoding.js';

/** Decodes `bytes` cut into the given pieces, passing file offsets as the reader does. */
function decodePieces(encoding: string, pieces: readonly Buffer[]): string {
  const decoder = createChunkDecoder(encoding, 'f.csv');
  let offset = 0;
  let text = '';
  for (const piece of pieces) {
    text += decoder.write(piece, offset);
    offset += piece.length;
  }
  return text + decoder.end();
}

function offsetOfError(encoding: string, pieces: readonly Buffer[]): number | undefined {
  try {
    decodePieces(encoding, pieces);
  } catch (err) {
    assert.ok(err instanceof InputError);
    assert.equal(err.code, 'E_ENCODING');
    return err.location?.byteOffset;
  }
  return undefined;
}

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

describe('text decoding', () => {
  it('decodes windows-1252 exactly like iconv-lite, and iso-8859-1 byte for code point', () => {
    // the five bytes windows-1252 leaves undefined pass through as C1 controls, as the WHATWG
    // Encoding standard decodes them; iconv-lite makes them U+FFFD
    const undefinedBytes = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);
    const expected = [...iconv.decode(ALL_BYTES, 'windows-1252')].map((c, b) => (undefinedBytes.has(b) ? String.fromCharCode(b) : c)).join('');
    assert.equal(decodePieces('windows-1252', [ALL_BYTES]), expected);
    assert.equal(decodePieces('windows-1252', [Buffer.from([0x80, 0x84, 0x93, 0x94, 0x9f])]), '€„“”Ÿ');
    const latin = decodePieces('iso-8859-1', [ALL_BYTES]);
    assert.deepEqual([...latin].map((c) => c.codePointAt(0)), [...ALL_BYTES]);
  });

  it('decodes UTF-8 cut at every byte the same as whole', () => {
    const bytes = Buffer.from('a;ø€😀\r\nÆ;"𝄞x"\n');
    const whole = bytes.toString('utf8');
    for (let cut = 0; cut <= bytes.length; cut++) {
      assert.equal(decodePieces('utf-8', [bytes.subarray(0, cut), bytes.subarray(cut)]), whole, `cut at ${cut}`);
    }
    assert.equal(decodePieces('utf-8', [...bytes].map((b) => Buffer.from([b]))), whole);
  });

  it('reports the file offset of the first invalid UTF-8 byte however the bytes are cut', () => {
    // "ab" "ø" "c" 0xFF: the bad byte is at offset 5
    const bytes = Buffer.concat([Buffer.from('abøc'), Buffer.from([0xff]), Buffer.from('d')]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      assert.equal(offsetOfError('utf-8', [bytes.subarray(0, cut), bytes.subarray(cut)]), 5, `cut at ${cut}`);
    }
    assert.equal(offsetOfError('utf-8', [...bytes].map((b) => Buffer.from([b]))), 5);
    // a 3-byte character whose last byte is wrong, cut inside it
    const broken = Buffer.concat([Buffer.from('xyz'), Buffer.from([0xe2, 0x82, 0x41])]);
    for (let cut = 0; cut <= broken.length; cut++) {
      assert.equal(offsetOfError('utf-8', [broken.subarray(0, cut), broken.subarray(cut)]), 3, `cut at ${cut}`);
    }
  });

  it('reports a character cut off by the end of the file where it starts', () => {
    const bytes = Buffer.concat([Buffer.from('a;b\n'), Buffer.from([0xf0, 0x9f, 0x98])]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      assert.equal(offsetOfError('utf-8', [bytes.subarray(0, cut), bytes.subarray(cut)]), 4, `cut at ${cut}`);
    }
  });

  it('knows the usual encoding names and byte order marks', () => {
    assert.equal(normaliseEncoding('UTF8'), 'utf-8');
    assert.equal(normaliseEncoding(' cp1252 '), 'windows-1252');
    assert.equal(normaliseEncoding('latin1'), 'iso-8859-1');
    assert.equal(normaliseEncoding('utf-16'), 'utf-16le');
    assert.equal(normaliseEncoding('auto'), undefined);
    assert.equal(normaliseEncoding('no-such-encoding'), undefined);
    assert.deepEqual(detectBom(Buffer.from([0xef, 0xbb, 0xbf, 0x41])), { encoding: 'utf-8', length: 3 });
    assert.deepEqual(detectBom(Buffer.from([0xff, 0xfe, 0x41, 0])), { encoding: 'utf-16le', length: 2 });
    assert.deepEqual(detectBom(Buffer.from([0xfe, 0xff, 0, 0x41])), { encoding: 'utf-16be', length: 2 });
    assert.equal(detectBom(Buffer.from('abc')), undefined);
  });
});
