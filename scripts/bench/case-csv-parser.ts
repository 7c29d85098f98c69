/**
 * csv-parser (mafintosh) over the decoded stream, in its usual mode: the header line names the
 * keys and every data row arrives as an object (it has no array mode). Optional argument: the
 * decoder (`iconv-lite`, the default, or `fast`).
 */
import { finished } from 'node:stream/promises';
import csvParser from 'csv-parser';
import { openWin1252Into, parseDecoder } from './open-win1252.js';
import { runCase } from './case-runtime.js';

runCase(async (file, args) => {
  const rows = openWin1252Into(file, csvParser({ separator: ';' }), parseDecoder(args[0]));
  let count = 0;
  rows.on('data', () => {
    count++;
  });
  await finished(rows);
  return count;
});
