/**
 * Floor: read and decode windows-1252 (decoder from the first extra argument: `iconv-lite` or
 * `fast`), counting line feeds in the text. Shows what decoding alone costs every parser case.
 */
import { finished } from 'node:stream/promises';
import { openWin1252, parseDecoder } from './open-win1252.js';
import { runCase } from './case-runtime.js';

runCase(async (file, args) => {
  const input = openWin1252(file, parseDecoder(args[0]));
  let lineFeeds = 0;
  input.on('data', (chunk: string) => {
    for (let at = chunk.indexOf('\n'); at !== -1; at = chunk.indexOf('\n', at + 1)) lineFeeds++;
  });
  await finished(input);
  return lineFeeds - 1;
});
