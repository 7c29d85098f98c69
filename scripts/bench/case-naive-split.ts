/**
 * The non-parser floor: decode windows-1252, split on `\n` and `;`. Ignores quoting, so it is not
 * a CSV parser, but no parser that builds fields can beat it by much. Optional argument: the
 * decoder (`iconv-lite`, the default, or `fast`; see open-win1252.ts).
 */
import { finished } from 'node:stream/promises';
import { openWin1252, parseDecoder } from './open-win1252.js';
import { runCase } from './case-runtime.js';

runCase(async (file, args) => {
  const input = openWin1252(file, parseDecoder(args[0]));
  let rows = 0;
  let fieldCount = 0;
  let carry = '';
  const consume = (line: string): void => {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text === '') return;
    // Keep the field count so the split's result is used, not optimised away.
    fieldCount += text.split(';').length;
    rows++;
  };
  input.on('data', (chunk: string) => {
    const lines = (carry + chunk).split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) consume(line);
  });
  await finished(input);
  consume(carry);
  if (fieldCount === 0 && rows > 0) throw new Error('no fields');
  return rows - 1;
});
