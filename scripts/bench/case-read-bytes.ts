/**
 * Floor: read the file's bytes and count line feeds, no decoding. Nothing that parses the file
 * can be faster than this.
 */
import { createReadStream } from 'node:fs';
import { runCase } from './case-runtime.js';

const LF = 0x0a;

runCase(async (file) => {
  let lineFeeds = 0;
  for await (const chunk of createReadStream(file)) {
    if (!Buffer.isBuffer(chunk)) throw new Error('expected Buffer chunks');
    for (let at = chunk.indexOf(LF); at !== -1; at = chunk.indexOf(LF, at + 1)) lineFeeds++;
  }
  // Every line, the last included, ends in CRLF; the first line is the header.
  return lineFeeds - 1;
});
