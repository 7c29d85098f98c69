/**
 * A bare streaming SAX parse with saxes, the baseline of issue 5's XML benchmark: reads the file
 * as UTF-8 text in the same chunk size as ferry and counts the record elements (`<Order>`), with
 * no text handler and nothing built.
 */
import { createReadStream } from 'node:fs';
import { SaxesParser } from 'saxes';
import { runCase } from './case-runtime.js';

runCase(async (file, args) => {
  const recordName = args[0] ?? 'Order';
  const parser = new SaxesParser({ xmlns: false, position: true });
  let records = 0;
  parser.on('opentag', (tag) => {
    if (tag.name === recordName) records++;
  });
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 64 * 1024 })) parser.write(chunk as string);
  parser.close();
  return records;
});
