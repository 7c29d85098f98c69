import { InputError } from '../errors.js';
import { openReader } from '../formats/open-reader.js';
import type { Detected, InputFile, RawValue, RowReader, SourceRow } from '../formats/types.js';
import { RawJson, recordJson } from '../json/to-json.js';
import { GroupLimitError } from '../mapping/group-records.js';
import { createRejectPolicy } from '../mapping/reject-policy.js';
import type { MappedRecord, RowError, RowItem } from '../mapping/types.js';
import { NO_PARAMS, resolveParams, type RunParams } from '../profiles/run-params.js';
import type { LoadedProfile } from '../profiles/types.js';
import { describeRoute } from '../targets/amqp/describe-route.js';
import { compileBodyTemplate } from '../targets/body-template.js';
import { type ColumnGuess, guessColumns } from './detect-columns.js';

/** What `ferry preview --json` prints (the shape is part of the CLI contract). */
export interface PreviewResult {
  /** `rows` lists every source row of a grouped record; `row` is its first */
  records: { row: number; rows?: number[]; record: MappedRecord }[];
  rejected: { row: number; errors: RowError[] }[];
  /** rows left out by the profile's filter (or split rows with nothing to split) */
  skipped: { row: number; reason: string }[];
  requests: { method: string; url: string; records: number; body: RawJson }[];
  detected: Detected & { fields: ColumnGuess[] };
  summary: {
    file: string;
    rowsRead: number;
    records: number;
    rejected: number;
    /** rows left out by the filter */
    skipped: number;
    skippedEmpty: number;
    /** true when --rows stopped the read before the end of the file */
    truncated: boolean;
    /** why the whole file would be rejected, or null */
    fileRejected: string | null;
  };
}

const GUESS_ROWS = 200;

/** Column guesses from the first rows, through the reader's own paths for record formats. */
export function guessFromRows(reader: RowReader, rows: readonly SourceRow[]): ColumnGuess[] {
  const valuesOf = (column: string): RawValue[] => {
    if (reader.resolve !== undefined) {
      const read = reader.resolve(column);
      return rows.map((r) => read(r));
    }
    const i = reader.columns.indexOf(column);
    return rows.map((r) => r.cells[i]);
  };
  return guessColumns(reader.columns, valuesOf);
}

/** The declared defaults, or none when a required parameter has no default (its expressions see nothing). */
function defaultPreviewParams(loaded: LoadedProfile): RunParams {
  const resolved = resolveParams(loaded.profile.params, {});
  return resolved.ok ? resolved.params : NO_PARAMS;
}

/** Reads and maps a local file with a profile, sending and recording nothing. */
export async function previewFile(loaded: LoadedProfile, file: InputFile, options: { rows?: number; params?: RunParams } = {}): Promise<PreviewResult> {
  const { profile, mapping } = loaded;
  const reader = await openReader(file, profile.format);
  const processor = mapping.process(reader, file.name, (options.params ?? defaultPreviewParams(loaded)).values, reader.estimatedRows);
  const limit = options.rows ?? 0;
  const records: PreviewResult['records'] = [];
  const rejected: PreviewResult['rejected'] = [];
  const skipped: PreviewResult['skipped'] = [];
  const emit = (item: RowItem): void => {
    if (item.kind === 'record') records.push(item.rows.length > 1 ? { row: item.rows[0] ?? 0, rows: [...new Set(item.rows)], record: item.record } : { row: item.rows[0] ?? 0, record: item.record });
    else if (item.kind === 'rejected') rejected.push({ row: item.row, errors: [...item.errors] });
    else skipped.push({ row: item.row, reason: item.reason });
  };
  let rowsRead = 0;
  let truncated = false;
  const sample: SourceRow[] = [];
  try {
    outer: for await (const rows of reader.batches()) {
      for (const row of rows) {
        if (sample.length < GUESS_ROWS && row.problem === undefined) sample.push(row);
        if (limit > 0 && rowsRead >= limit) {
          truncated = true;
          break outer;
        }
        rowsRead++;
        processor.push(row, emit);
      }
    }
    processor.end(emit);
  } catch (err) {
    if (err instanceof GroupLimitError) throw new InputError('E_GROUP_LIMIT', err.message, { location: { file: file.name } });
    throw err;
  }
  rejected.sort((a, b) => a.row - b.row);

  const policy = createRejectPolicy(profile.onError, profile.maxRejected);
  const fileRejected = policy.exceeded(rejected.length, rowsRead)
    ? `${rejected.length} of ${rowsRead} rows rejected; the limit is ${policy.description}, so the whole file is rejected and nothing would be sent`
    : null;

  const requests: PreviewResult['requests'] = [];
  const target = profile.target;
  if (target?.type === 'http' && fileRejected === null) {
    const batchSize = target.batchSize ?? 100;
    const compiled = compileBodyTemplate(target.body, batchSize);
    if (compiled.ok) {
      for (let i = 0; i < records.length; i += batchSize) {
        const chunk = records.slice(i, i + batchSize).map((r) => recordJson(r.record));
        requests.push({ method: target.method ?? 'POST', url: target.url, records: chunk.length, body: new RawJson(compiled.template.render({ records: chunk, file: file.name, profile: loaded.id })) });
      }
    }
  } else if (target?.type === 'amqp' && fileRejected === null) {
    // one "request" per message, as the broker would get them
    const batchSize = target.perMessage === 'batch' ? target.batchSize ?? 100 : 1;
    for (let i = 0; i < records.length; i += batchSize) {
      const chunk = records.slice(i, i + batchSize).map((r) => recordJson(r.record));
      const body = target.perMessage === 'batch' ? `[${chunk.join(',')}]` : chunk[0] ?? '';
      requests.push({ method: 'PUBLISH', url: describeRoute(target.exchange, target.routingKey ?? ''), records: chunk.length, body: new RawJson(body) });
    }
  }
  return {
    records,
    rejected,
    skipped,
    requests,
    detected: { ...reader.detected, fields: guessFromRows(reader, sample) },
    summary: { file: file.name, rowsRead, records: records.length, rejected: rejected.length, skipped: skipped.length, skippedEmpty: reader.stats.skippedEmpty, truncated, fileRejected },
  };
}
