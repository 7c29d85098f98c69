import { Decimal } from '../mapping/decimal.js';
import type { FieldValue } from '../mapping/types.js';
import type { PreviewResult } from './preview-file.js';

const MAX_CELL = 24;

function cell(v: FieldValue | undefined): string {
  if (v === undefined) return '';
  if (v === null) return 'null';
  const text = typeof v === 'string' ? v : v instanceof Decimal ? v.toString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > MAX_CELL ? `${flat.slice(0, MAX_CELL - 1)}…` : flat;
}

function table(header: readonly string[], rows: readonly (readonly string[])[], rightAlign: ReadonlySet<number> = new Set()): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r.map((c, i) => (rightAlign.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The profile's fields in profile order, then what grouping adds (collected arrays); fields grouping moved away are left out. */
function recordColumns(result: PreviewResult, fieldNames: readonly string[]): string[] {
  const present = new Set(result.records.flatMap((r) => Object.keys(r.record)));
  const tops = new Set(fieldNames.map((f) => f.split('.')[0] ?? f));
  const shown = fieldNames.filter((f) => present.has(f.split('.')[0] ?? f));
  for (const name of present) if (!tops.has(name)) shown.push(name);
  return shown;
}

/** A grouped record's rows, shortened: `2-4, 9`. */
function rowList(rows: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < rows.length; ) {
    let j = i;
    while (j + 1 < rows.length && rows[j + 1] === (rows[j] ?? 0) + 1) j++;
    parts.push(j === i ? String(rows[i]) : `${rows[i]}-${rows[j]}`);
    i = j + 1;
  }
  const text = parts.join(',');
  return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
}

/** The human-readable form of a preview: what was detected, the records as a table, every rejected row, and the requests. */
export function renderPreview(profileId: string, result: PreviewResult, fieldNames: readonly string[]): string {
  const { detected: d, summary: s } = result;
  const out: string[] = [];
  out.push(`${profileId} ← ${s.file}`);
  const parts = [d.format, d.encoding, d.delimiter === undefined ? undefined : `delimiter ${JSON.stringify(d.delimiter)}`, d.lineEnding, d.header === false ? 'no header' : undefined].filter((p) => p !== undefined);
  out.push(`detected: ${parts.join(', ')}; ${d.columns.length} columns: ${d.columns.join(', ')}`);
  if (d.sheets !== undefined) out.push(`sheets: ${d.sheets.join(', ')}; read: ${d.sheet ?? '?'}, header row ${d.headerRow ?? 1}${d.dateSystem === '1904' ? ', 1904 date system' : ''}`);
  if (d.record !== undefined) out.push(`records: ${d.record}${d.root === undefined ? '' : ` (root element ${d.root})`}${d.namespaces === undefined || Object.keys(d.namespaces).length === 0 ? '' : `; namespaces: ${Object.entries(d.namespaces).map(([p, u]) => `${p === '' ? '(default)' : p}=${u}`).join(', ')}`}`);
  for (const note of d.notes ?? []) out.push(`note: ${note}`);
  const hints = d.fields.filter((f) => f.type !== 'string' || f.leadingZeros === true).map((f) => `${f.column}: ${f.leadingZeros === true ? 'identifier with leading zeros' : f.type}${f.format === undefined ? '' : ` ${f.format}`}${f.decimalSeparator === undefined ? '' : ` decimal "${f.decimalSeparator}"`}${f.thousandsSeparator === undefined ? '' : ` thousands "${f.thousandsSeparator}"`}`);
  if (hints.length > 0) out.push(`looks like: ${hints.join('; ')}`);
  out.push(`${s.rowsRead} rows read${s.truncated ? ' (stopped by --rows)' : ''}: ${s.records} records, ${s.rejected} rejected${s.skipped > 0 ? `, ${s.skipped} skipped` : ''}${s.skippedEmpty > 0 ? `, ${s.skippedEmpty} empty lines skipped` : ''}`);
  if (s.fileRejected !== null) out.push(`FILE REJECTED: ${s.fileRejected}`);
  out.push('');
  if (result.records.length > 0) {
    out.push('Records:');
    const columns = recordColumns(result, fieldNames);
    const rows = result.records.map((r) => [r.rows === undefined ? String(r.row) : rowList(r.rows), ...columns.map((f) => cell(r.record[f]))]);
    out.push(table(['row', ...columns], rows, new Set([0])));
    out.push('');
  }
  if (result.skipped.length > 0) {
    out.push('Skipped rows:');
    out.push(table(['row', 'reason'], result.skipped.map((r) => [String(r.row), r.reason]), new Set([0])));
    out.push('');
  }
  if (result.rejected.length > 0) {
    out.push('Rejected rows:');
    const rows = result.rejected.flatMap((r) => r.errors.map((e, i) => [i === 0 ? String(r.row) : '', e.field, e.code, e.message]));
    out.push(table(['row', 'field', 'code', 'message'], rows, new Set([0])));
    out.push('');
  }
  if (result.requests.length > 0) {
    const first = result.requests[0];
    out.push(`Requests: ${result.requests.length} × ${first?.method ?? 'POST'} ${first?.url ?? ''}`);
    result.requests.forEach((r, i) => {
      const body = r.body.text;
      out.push(`  #${i + 1}: ${r.records} records, ${body.length} bytes: ${body.length > 160 ? `${body.slice(0, 159)}…` : body}`);
    });
  } else if (s.fileRejected === null) {
    out.push('Requests: none (no target, or no records)');
  }
  return out.join('\n');
}
