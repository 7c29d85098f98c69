/**
 * csv-parse (the `csv` project) over the decoded stream, rows as arrays (its fastest output).
 * Optional argument: the decoder (`iconv-lite`, the default, or `fast`).
 */
import { finished } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { openWin1252Into, parseDecoder } from './open-win1252.js';
import { runCase } from './case-runtime.js';

runCase(async (file, args) => {
  const parser = parse({ delimiter: ';', from_line: 2 });
  const rows = openWin1252Into(file, parser, parseDecoder(args[0]));
  let count = 0;
  rows.on('data', () => {
    count++;
  });
  await finished(rows);
  return count;
});
