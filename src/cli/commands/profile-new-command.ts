import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';

import { FerryError } from '../../errors.js';
import { openReader } from '../../formats/open-reader.js';
import type { SourceRow } from '../../formats/types.js';
import { type ColumnGuess, fieldNameFor } from '../../preview/detect-columns.js';
import { guessFromRows } from '../../preview/preview-file.js';
import type { ProfileFormat } from '../../profiles/schema.js';
import type { GlobalOptions } from '../options.js';
import type { CommandIo } from '../types.js';

/** Flags of `ferry profile new`. */
export interface ProfileNewFlags {
  from: string;
  id?: string;
  format?: string;
  record?: string;
  sheet?: string;
  headerRow?: string;
  force?: boolean;
}

const FORMAT_BY_EXTENSION: Readonly<Record<string, ProfileFormat['type']>> = {
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

/** `ferry profile new --from <sample>`: writes a starter profile with the detections filled in. */
export async function profileNewCommand(options: GlobalOptions, flags: ProfileNewFlags, io: CommandIo): Promise<number> {
  if (!existsSync(flags.from)) {
    io.err(`${flags.from}: no such file`);
    return 2;
  }
  const type = (flags.format ?? FORMAT_BY_EXTENSION[extname(flags.from).toLowerCase()] ?? 'csv') as ProfileFormat['type'];
  const id = flags.id ?? (basename(flags.from, extname(flags.from)).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'new-profile');
  const target = join(options.profiles, `${id}.yaml`);
  if (existsSync(target) && flags.force !== true) {
    io.err(`${target} exists already; choose another --id or add --force`);
    return 2;
  }
  const format: ProfileFormat = {
    type,
    ...(type === 'csv' ? { encoding: 'auto', delimiter: 'auto' } : {}),
    ...(flags.record === undefined ? {} : { record: flags.record }),
    ...(flags.sheet === undefined ? {} : { sheet: /^\d+$/.test(flags.sheet) ? Number(flags.sheet) : flags.sheet }),
    ...(flags.headerRow === undefined ? {} : { headerRow: Number(flags.headerRow) }),
  };
  try {
    const reader = await openReader({ path: flags.from, name: basename(flags.from) }, format);
    const rows: SourceRow[] = [];
    for await (const batch of reader.batches()) {
      for (const r of batch) if (r.problem === undefined && rows.length < 500) rows.push(r);
      if (rows.length >= 500) break;
    }
    const guesses = guessFromRows(reader, rows);
    await mkdir(options.profiles, { recursive: true });
    await writeFile(target, starterProfileYaml(id, flags.from, format, reader.detected as unknown as Record<string, unknown>, guesses));
    io.out(target);
    io.err(`wrote ${target} with ${guesses.length} fields from ${rows.length} sample rows; next: edit the target, then npx ferry check && npx ferry preview ${id} ${flags.from}`);
    return 0;
  } catch (err) {
    if (err instanceof FerryError && err.kind === 'input') {
      io.err(`${flags.from}: ${err.code}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
