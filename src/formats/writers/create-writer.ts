import type { Writable } from 'node:stream';

import { TABLE_WRITERS } from '../../registry.js';
import type { TableFormat, TableWriter, TableWriterOptions } from './types.js';

export type { TableFormat } from './types.js';

/**
 * A streaming writer of `format` to `out`, from the registry's writers. The writer ends `out` in
 * `end()`; if a call fails, the caller destroys `out` and removes what was written.
 */
export function createTableWriter(format: TableFormat, out: Writable, options: TableWriterOptions): TableWriter {
  return TABLE_WRITERS[format](out, options);
}
