import { basename } from 'node:path';

import { openReader } from '../formats/open-reader.js';
import type { InputFile, RawValue, SourceRow } from '../formats/types.js';
import type { ProfileFormat } from '../profiles/schema.js';
import { type ColumnGuess, fieldNameFor } from './detect-columns.js';
import { guessFromRows } from './preview-file.js';

/** The format a sample's file name suggests. */
export const FORMAT_BY_EXTENSION: Readonly<Record<string, ProfileFormat['type']>> = {
  '.csv': 'csv', '.txt': 'csv', '.tsv': 'csv', '.xlsx': 'xlsx', '.xml': 'xml', '.json': 'json', '.ndjson': 'ndjson', '.jsonl': 'ndjson',
};

function q(text: string): string {
  return JSON.stringify(text);
}

function fieldLine(name: string, g: ColumnGuess): string {
  const parts = [`from: ${q(g.column)}`];
  if (g.type !== 'string') parts.push(`type: ${g.type}`);
  if (g.format !== undefined) parts.push(`format: ${q(g.format)}`);
  if (g.decimalSeparator !== undefined) parts.push(`decimalSeparator: ${q(g.decimalSeparator)}`);
  if (g.thousandsSeparator !== undefined) parts.push(`thousandsSeparator: ${q(g.thousandsSeparator)}`);
  if (g.type === 'string' && g.emptyShare === 0) parts.push('trim: true');
  if (g.emptyShare === 0) parts.push('required: true');
  const note = g.leadingZeros === true ? '   # leading zeros: kept as text' : g.examples.length > 0 ? `   # e.g. ${g.examples.join(' | ').replace(/\n/g, ' ')}` : '';
  return `  ${name}: { ${parts.join(', ')} }${note}`;
}

/** The YAML of a starter profile for a sample, with what was detected filled in. */
export function starterProfileYaml(id: string, sample: string, format: ProfileFormat, detected: Record<string, unknown>, guesses: readonly ColumnGuess[]): string {
  const taken = new Set<string>();
  const fields = guesses.map((g) => {
    const name = fieldNameFor(g.column, taken);
    taken.add(name);
    return fieldLine(name, g);
  });
  const formatLines = [`  type: ${format.type}`];
  if (format.type === 'csv') {
    formatLines.push(`  encoding: ${String(detected.encoding ?? 'auto')}`, `  delimiter: ${q(String(detected.delimiter ?? ','))}`, '  header: true');
  }
  if (format.sheet !== undefined) formatLines.push(`  sheet: ${q(String(format.sheet))}`);
  if (format.headerRow !== undefined) formatLines.push(`  headerRow: ${format.headerRow}`);
  if (format.record !== undefined) formatLines.push(`  record: ${q(format.record)}`);
  const firstKey = guesses.find((g) => g.emptyShare === 0 && g.type === 'string');
  return `version: 1
description: Starter profile written by \`ferry profile new\` from ${basename(sample)}; check every field, then the target.

source:
  type: local
  dir: ./data/inbox/${id}

format:
${formatLines.join('\n')}

fields:
${fields.join('\n')}
${firstKey === undefined ? '' : `\n# every record needs a unique key; is this the right one?\nkey: [${fieldNameFor(firstKey.column, new Set())}]\n`}onError: reject-row

target:
  type: http
  url: https://api.example.com/v1/${id}
  auth: { type: bearer, token: "\${${id.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_API_TOKEN}" }
  batchSize: 100
`;
}

/** What a sample file holds, as the first rows show it. */
export interface InspectedSample {
  readonly format: ProfileFormat;
  readonly detected: Record<string, unknown>;
  readonly columns: readonly string[];
  readonly guesses: readonly ColumnGuess[];
  /** rows read for the guesses (at most 500) */
  readonly rowsRead: number;
  /** the first rows (at most `showRows`) as column → text */
  readonly rows: readonly Record<string, string>[];
}

function shown(v: RawValue): string {
  if (v === undefined || v === null) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Reads the first rows of a sample with the reader of `format` and guesses a field per column. */
export async function inspectSample(file: InputFile, format: ProfileFormat, showRows = 20): Promise<InspectedSample> {
  const reader = await openReader(file, format);
  const rows: SourceRow[] = [];
  for await (const batch of reader.batches()) {
    for (const r of batch) if (r.problem === undefined && rows.length < 500) rows.push(r);
    if (rows.length >= 500) break;
  }
  const guesses = guessFromRows(reader, rows);
  const columns = [...reader.columns];
  // record formats resolve a column's path once, not once per row
  const accessors = columns.map((column, i) => (reader.resolve === undefined ? (row: SourceRow): RawValue => row.cells[i] : reader.resolve(column)));
  return {
    format,
    detected: reader.detected as unknown as Record<string, unknown>,
    columns,
    guesses,
    rowsRead: rows.length,
    rows: rows.slice(0, showRows).map((r) => Object.fromEntries(columns.map((c, i) => [c, shown(accessors[i]?.(r))]))),
  };
}

/** The format of a sample: by its name, with the encoding and delimiter of CSV left to detection. */
export function sampleFormat(name: string, type?: ProfileFormat['type']): ProfileFormat {
  const ext = /\.[^.]+$/.exec(basename(name).toLowerCase())?.[0] ?? '';
  const t = type ?? FORMAT_BY_EXTENSION[ext] ?? 'csv';
  return { type: t, ...(t === 'csv' ? { encoding: 'auto', delimiter: 'auto' } : {}) } as ProfileFormat;
}
