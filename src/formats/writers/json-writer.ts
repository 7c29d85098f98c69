import type { Writable } from 'node:stream';

import { Decimal } from '../../mapping/decimal.js';
import { ByteSink } from './byte-sink.js';
import type { TableWriter, TableWriterOptions, WriterValue } from './types.js';
import { checkRowWidth, dateText, plainNumber, uniqueNames } from './value-text.js';

const FLUSH_CHARS = 1 << 16;

function json(value: WriterValue): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? plainNumber(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Decimal) return value.toString();
  const iso = dateText(value);
  return iso === undefined ? 'null' : `"${iso}"`;
}

/**
 * Writes a UTF-8 JSON array of objects, one per row, keyed by column (repeated column names get
 * `_2`, `_3`… so no value is lost), streamed as `[`, one object per line, `]`. Decimals are exact
 * number text (`12.50`, never rounded through a double), numbers plain digits, dates ISO strings
 * (`yyyy-mm-dd` at UTC midnight), null, undefined, NaN and infinities `null`. Strings are never
 * changed for formulas: JSON is read by programs, not run by spreadsheets.
 */
export function createJsonWriter(out: Writable, options: TableWriterOptions): TableWriter {
  const keys = uniqueNames(options.columns).map((name, i) => `${i === 0 ? '{' : ','}${JSON.stringify(name)}:`);
  const width = keys.length;
  const sink = new ByteSink(out);
  let buffer = '[';
  let first = true;

  const flush = async (): Promise<void> => {
    const bytes = Buffer.from(buffer, 'utf8');
    buffer = '';
    await sink.write(bytes);
  };

  return {
    async writeRow(values) {
      checkRowWidth(values, width);
      let item = first ? '\n' : ',\n';
      first = false;
      for (let i = 0; i < width; i++) item += (keys[i] ?? '') + json(values[i]);
      buffer += width === 0 ? `${item}{}` : `${item}}`;
      if (buffer.length >= FLUSH_CHARS) await flush();
    },
    async end() {
      buffer += first ? ']\n' : '\n]\n';
      await flush();
      await sink.end();
    },
  };
}
