import { InputError } from '../errors.js';
import type { Accessor, RowLayout, SourceRow } from '../formats/types.js';
import type { Profile } from '../profiles/schema.js';
import type { CompiledExpression, ExprScope, ExprValue } from './expr/compile.js';
import { compileField, type FieldProgram, type RowContext } from './field-program.js';
import { KeySet } from './key-set.js';
import { storeAt } from './field-slots.js';
import { getPath, keyText, setPath } from './record-fields.js';
import { compileShape, createRecordProcessor, shapeColumns, type RecordProcessor, type SplitCursor } from './row-processor.js';
import type { FieldValue, LookupTable, MapOutcome, MappedRecord, MappingIssue, RowError } from './types.js';

/** A profile's mapping, compiled once and bound to each file's columns. */
export interface CompiledMapping {
  readonly fieldNames: readonly string[];
  readonly keyFields: readonly string[];
  /** source columns the mapping reads (from `from` and literal `row["…"]` in expressions) */
  readonly columns: readonly string[];
  /**
   * Binds to a file's header. A column the profile needs but the file lacks fails the whole file:
   * every row would be rejected, and the usual cause is a wrong delimiter or an edited export.
   */
  bind(layout: RowLayout | readonly string[], fileName: string, params?: ReadonlyMap<string, ExprValue>, expectedRows?: number, scratchDir?: string): RowMapper;
  /**
   * Binds like `bind`, and applies the profile's filter, split and group: what the pipeline and
   * preview use. Throws `GroupLimitError` from `push` when unsorted grouping outgrows its limit.
   * `scratchDir` takes the scratch files of a key check that outgrows memory (default: the
   * system's temporary folder); `end` closes them.
   */
  process(layout: RowLayout | readonly string[], fileName: string, params?: ReadonlyMap<string, ExprValue>, expectedRows?: number, scratchDir?: string): RecordProcessor;
}

/** Maps the rows of one batch, in order; remembers keys to reject duplicates within the batch. */
export type RowMapper = (row: SourceRow) => MapOutcome;

/**
 * Maps several rows in order into `out` (one outcome per row, at the row's index): the same
 * outcomes as a {@link RowMapper} called row by row, with the key check done for all of them at once.
 */
export type ManyRowMapper = (rows: readonly SourceRow[], out: MapOutcome[]) => void;

/** Compiles the `fields` and `key` of a profile, collecting every problem rather than the first. */
export function compileMapping(profile: Profile, lookups: ReadonlyMap<string, LookupTable>): { ok: true; mapping: CompiledMapping } | { ok: false; issues: MappingIssue[] } {
  const issues: MappingIssue[] = [];
  const programs: FieldProgram[] = [];
  const mappedSoFar = new Set<string>();
  const allNames = Object.keys(profile.fields);
  for (const [name, spec] of Object.entries(profile.fields)) {
    if (name === '__proto__') {
      issues.push({ path: ['fields', name], message: 'is not allowed as a field name' });
      continue;
    }
    const { program, issues: fieldIssues } = compileField(name, spec, lookups);
    issues.push(...fieldIssues);
    for (const expr of [program?.expression, program?.condition]) {
      if (expr === undefined) continue;
      for (const ref of expr.fieldRefs) {
        if (mappedSoFar.has(ref)) continue;
        const later = allNames.includes(ref);
        issues.push({ path: ['fields', name, 'expr'], message: later ? `uses "${ref}", which is mapped below this field; move ${name} after ${ref}` : `uses "${ref}", which is not a field of this profile (a source column is written row["${ref}"])` });
      }
    }
    mappedSoFar.add(name);
    // a nested target field (address.street) makes its parent (address) usable in expressions below it
    if (name.includes('.')) mappedSoFar.add(name.slice(0, name.indexOf('.')));
    if (program !== undefined) programs.push(program);
  }
  const { shape, issues: shapeIssues } = compileShape(profile, lookups);
  issues.push(...shapeIssues);
  issues.push(...undeclaredParams(profile, programs, shape.filter));
  const keyFields = profile.key ?? [];
  keyFields.forEach((k, i) => {
    if (!Object.hasOwn(profile.fields, k)) issues.push({ path: ['key', i], message: `"${k}" is not a field of this profile; key lists target field names` });
  });
  if (issues.length > 0) return { ok: false, issues };

  const virtual = new Set(shape.split === undefined ? [] : [shape.split.nameAs, shape.split.valueAs]);
  const programColumns = programs.flatMap((p) => [...(p.column === undefined ? [] : [p.column]), ...(p.expression?.columnRefs ?? []), ...(p.condition?.columnRefs ?? [])]);
  const columns = [...new Set([...programColumns, ...shapeColumns(shape)])].filter((c) => !virtual.has(c));
  const bindParts = (layoutOrColumns: RowLayout | readonly string[], fileName: string, params: ReadonlyMap<string, ExprValue> | undefined, expectedRows: number | undefined, scratchDir: string | undefined) => {
    const layout: RowLayout = isColumnList(layoutOrColumns) ? { columns: layoutOrColumns } : layoutOrColumns;
    const cursor: SplitCursor = { name: undefined, read: undefined };
    const base = layoutAccessor(layout, columns, fileName);
    const accessor = (from: string): Accessor => {
      if (shape.split !== undefined && from === shape.split.nameAs) return () => cursor.name;
      if (shape.split !== undefined && from === shape.split.valueAs) return (row) => cursor.read?.(row);
      return base(from);
    };
    // grouped files repeat their keys on purpose: the grouper keeps groups apart instead
    const dedupe = keyFields.length > 0 && shape.group === undefined;
    // sized once for the whole file (up to its memory limit): growing a full table would briefly hold both copies
    const keys = dedupe ? new KeySet(Math.min(expectedRows ?? 4096, 50_000_000), scratchDir === undefined ? {} : { scratchDir }) : undefined;
    const { map, mapMany } = createRowMapper(programs, accessor, keys, keyFields, params ?? new Map());
    return { map, mapMany, cursor, accessor: base, params: params ?? new Map<string, ExprValue>(), release: () => keys?.release(), scratchDir };
  };
  const mapping: CompiledMapping = {
    fieldNames: programs.map((p) => p.name),
    keyFields,
    columns,
    bind: (layout, fileName, params, expectedRows, scratchDir) => bindParts(layout, fileName, params, expectedRows, scratchDir).map,
    process(layout, fileName, params, expectedRows, scratchDir) {
      const parts = bindParts(layout, fileName, params, expectedRows, scratchDir);
      return createRecordProcessor({ shape, ...parts, keyFields, fieldNames: programs.map((p) => p.name), fileName, expectedRows });
    },
  };
  return { ok: true, mapping };
}

/** `param.x` in an expression needs `params.x` in the profile, so a typo fails the profile, not every run. */
function undeclaredParams(profile: Profile, programs: readonly FieldProgram[], filter: CompiledExpression | undefined): MappingIssue[] {
  const declared = Object.keys(profile.params ?? {});
  const issues: MappingIssue[] = [];
  const check = (expr: CompiledExpression | undefined, path: MappingIssue['path']): void => {
    for (const ref of expr?.paramRefs ?? []) {
      if (!declared.includes(ref)) issues.push({ path, message: `uses param.${ref}, which is not declared; declare it under params (${ref}: { type: string, required: true })${declared.length > 0 ? `; declared: ${declared.join(', ')}` : ''}` });
    }
  };
  for (const p of programs) {
    check(p.expression, ['fields', p.name, 'expr']);
    check(p.condition, ['fields', p.name, 'when']);
  }
  check(filter, ['filter']);
  return issues;
}

function isColumnList(v: RowLayout | readonly string[]): v is readonly string[] {
  return Array.isArray(v);
}

/**
 * The accessor factory of a file's layout; a column the profile needs but the file lacks fails the
 * whole file: every row would be rejected, and the usual cause is a wrong delimiter or an edited export.
 */
function layoutAccessor(layout: RowLayout, columns: readonly string[], fileName: string): (from: string) => Accessor {
  const resolve = layout.resolve?.bind(layout);
  if (resolve !== undefined) return resolve;
  const index = new Map<string, number>();
  layout.columns.forEach((c, i) => {
    if (!index.has(c)) index.set(c, i);
  });
  const missing = columns.filter((c) => !index.has(c));
  if (missing.length > 0) {
    throw new InputError('E_CSV_HEADER', `${fileName} has no column ${missing.map((m) => `"${m}"`).join(', ')}, which the profile reads; the file's columns are: ${layout.columns.join(', ')}`, {
      location: { file: fileName, line: 1 },
    });
  }
  return (from) => {
    const i = index.get(from) ?? -1;
    return (row) => row.cells[i];
  };
}

/**
 * Maps one row through the field programs. With `keys`, the record's key (`keyFields`) is checked
 * for duplicates within the file; without, `keyFields` only name the record's key.
 */
function createRowMapper(programs: readonly FieldProgram[], accessor: (from: string) => Accessor, keys: KeySet | undefined, keyFields: readonly string[], params: ReadonlyMap<string, ExprValue>): { map: RowMapper; mapMany: ManyRowMapper } {
  let current: SourceRow = { row: 0, cells: [] };
  let record: MappedRecord = {};
  const columnReaders = new Map<string, Accessor>();
  // this row's value of each field by position, for expressions (see ExprScope.fieldSlot); they
  // read only fields above their own, which the current row has set before
  const values: (FieldValue | undefined)[] = programs.map(() => undefined);
  const scope: ExprScope = {
    field: (name) => (Object.hasOwn(record, name) ? (record[name] as ExprValue) : undefined),
    fieldSlot: (name) => programs.findIndex((p) => p.name === name && !name.includes('.')),
    fieldAt: (slot) => values[slot] as ExprValue,
    column: (name) => {
      let read = columnReaders.get(name);
      if (read === undefined) {
        read = accessor(name);
        columnReaders.set(name, read);
      }
      const v = read(current);
      return v === '' ? undefined : (v as ExprValue);
    },
    param: (name) => params.get(name),
  };
  const steps = programs.map((p) => ({ name: p.name, path: p.name.includes('.') ? p.name.split('.') : undefined, run: p.bind(accessor) }));
  // where each key field's value is in `values`: the one top-level field of that name; -1 reads the record
  const keySlots = keyFields.map((f) => {
    const at = programs.flatMap((p, i) => (p.name === f ? [i] : []));
    return at.length === 1 && !f.includes('.') ? (at[0] ?? -1) : -1;
  });
  const keyPart = (k: number): string | undefined => {
    const slot = keySlots[k] ?? -1;
    return keyText(slot >= 0 ? values[slot] : getPath(record, keyFields[k] ?? ''));
  };
  const ctx: RowContext = { row: current, record, scope, errors: undefined };
  const mutable = ctx as { row: SourceRow; record: MappedRecord };

  // the row's own mapping and key, without the duplicate check (which map and mapMany add)
  const mapRow = (row: SourceRow): MapOutcome => {
    if (row.problem !== undefined) {
      const p = row.problem;
      const where = p.column === undefined ? '' : ` (line ${p.line ?? row.row}, column ${p.column})`;
      return { row: row.row, ok: false, errors: [{ field: 'row', code: p.code, message: `${p.message}${where}` }] };
    }
    current = row;
    record = {};
    mutable.row = row;
    mutable.record = record;
    ctx.errors = undefined;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      if (step === undefined) continue;
      const v = step.run(ctx);
      values[i] = v;
      if (v === undefined) continue;
      if (step.path === undefined) storeAt(record, i, step.name, v);
      else setPath(record, step.path, v);
    }
    const errors = ctx.errors as RowError[] | undefined;
    if (errors !== undefined) return { row: row.row, ok: false, errors, partial: record };
    if (keyFields.length === 0) return { row: row.row, ok: true, record, key: undefined };
    let key = keyPart(0);
    // a composite key's parts joined by U+001F, built without an array per row
    for (let k = 1; k < keyFields.length && key !== undefined; k++) {
      const part = keyPart(k);
      key = part === undefined ? undefined : `${key}\u001f${part}`;
    }
    if (key === undefined) {
      return { row: row.row, ok: false, errors: [{ field: keyFields.join(', '), code: 'key', message: `the key (${keyFields.join(', ')}) is empty; every record needs one` }] };
    }
    return { row: row.row, ok: true, record, key };
  };
  const duplicate = (row: number, key: string, firstRow: number): MapOutcome => {
    const shown = key.replace(/\u001f/g, ' / ');
    return { row, ok: false, errors: [{ field: keyFields.join(', '), code: 'duplicate', message: `the key (${keyFields.join(', ')}) ${shown} already appeared on row ${firstRow}; a key may appear only once in a file` }] };
  };

  const map: RowMapper = (row) => {
    const out = mapRow(row);
    if (keys === undefined || !out.ok || out.key === undefined) return out;
    const firstRow = keys.addOrGet(out.key, row.row);
    return firstRow === 0 ? out : duplicate(row.row, out.key, firstRow);
  };

  // the keys of a batch to check, their rows and their outcomes' places; reused batch after batch
  const batchKeys: string[] = [];
  const batchRows: number[] = [];
  const batchAt: number[] = [];
  const firstRows: number[] = [];
  const mapMany: ManyRowMapper = (rows, out) => {
    let n = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (row === undefined) continue;
      const o = mapRow(row);
      out[i] = o;
      if (keys === undefined || !o.ok || o.key === undefined) continue;
      batchKeys[n] = o.key;
      batchRows[n] = o.row;
      batchAt[n] = i;
      n++;
    }
    if (keys === undefined || n === 0) return;
    keys.addOrGetMany(batchKeys, batchRows, n, firstRows);
    for (let j = 0; j < n; j++) {
      const firstRow = firstRows[j] ?? 0;
      if (firstRow !== 0) out[batchAt[j] ?? 0] = duplicate(batchRows[j] ?? 0, batchKeys[j] ?? '', firstRow);
    }
    batchKeys.length = 0;
  };
  return { map, mapMany };
}
