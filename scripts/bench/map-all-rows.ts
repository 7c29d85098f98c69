/**
 * The read + map loop of the benchmark cases, done the way the pipeline's spool does it
 * (src/pipeline/spool.ts): the profile's record processor, fed a reader batch at a time.
 */
import type { RowReader } from '../../src/formats/types.js';
import type { CompiledMapping } from '../../src/mapping/compile.js';
import type { RowItem } from '../../src/mapping/types.js';

/** What one file's rows became. */
export interface MappedCounts {
  readonly rows: number;
  readonly records: number;
  /** rejected and skipped rows */
  readonly other: number;
}

/** Maps every row of `reader` with `mapping` and counts the outcomes; the records themselves are dropped. */
export async function mapAllRows(mapping: CompiledMapping, reader: RowReader, fileName: string): Promise<MappedCounts> {
  const processor = mapping.process(reader, fileName, undefined, reader.estimatedRows);
  let rows = 0;
  let records = 0;
  let other = 0;
  const emit = (item: RowItem): void => {
    if (item.kind === 'record') records++;
    else other++;
  };
  for await (const batch of reader.batches()) {
    rows += batch.length;
    processor.pushMany(batch, emit);
  }
  processor.end(emit);
  return { rows, records, other };
}
