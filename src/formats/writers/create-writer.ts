import type { Writable } from 'node:stream';

import { createCsvWriter } from './csv-writer.js';
import { createJsonWriter } from './json-writer.js';
import type { TableWriter, TableWriterOptions } from './types.js';
import { createXlsxWriter } from './xlsx-writer.js';
import { createXmlWriter } from './xml-writer.js';

/** The formats ferry writes result files and exports in. */
export type TableFormat = 'csv' | 'xlsx' | 'xml' | 'json';

/**
 * A streaming writer of `format` to `out`. The writer ends `out` in `end()`; if a call fails, the
 * caller destroys `out` and removes what was written.
 */
export function createTableWriter(format: TableFormat, out: Writable, options: TableWriterOptions): TableWriter {
  switch (format) {
    case 'csv': return createCsvWriter(out, options);
    case 'xlsx': return createXlsxWriter(out, options);
    case 'xml': return createXmlWriter(out, options);
    case 'json': return createJsonWriter(out, options);
  }
}
