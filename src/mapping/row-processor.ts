import type { Accessor, RawValue, SourceRow } from '../formats/types.js';
import type { Profile } from '../profiles/schema.js';
import type { GroupSpec, SplitSpec } from '../profiles/shape-schema.js';
import { compileExpression, ExpressionError, type CompiledExpression, type ExprScope, type ExprValue } from './expr/compile.js';
import { truthy } from './expr/values.js';
import { createGrouper, type Grouper } from './group-records.js';
import type { LookupTable, MapOutcome, MappedRecord, MappingIssue, RowError, RowItem } from './types.js';

/** The row-level shape of a profile: which rows count (filter), and how rows become records. */
export interface RowShape {
  readonly filter: CompiledExpression | undefined;
  readonly split: SplitSpec | undefined;
  readonly group: GroupSpec | undefined;
}

/** The split part being mapped: what the virtual `nameAs` and `valueAs` columns read. */
export interface SplitCursor {
  name: RawValue;
  read: Accessor | undefined;
}

/** Turns the rows of one file into records, rejected rows and skipped rows. */
export interface RecordProcessor {
  push(row: SourceRow, emit: (item: RowItem) => void): void;
  /** `push` of each row in order, with the rows' key checks done together (see KeySet.addOrGetMany) */
  pushMany(rows: readonly SourceRow[], emit: (item: RowItem) => void): void;
  /** emits what is still held (groups of unsorted input) */
  end(emit: (item: RowItem) => void): void;
  /** false when records do not come out in row order (unsorted grouping) */
  readonly ordered: boolean;
}

/** Checks `filter`, `split` and `group` against the profile's fields; every problem is listed. */
export function compileShape(profile: Profile, lookups: ReadonlyMap<string, LookupTable>): { shape: RowShape; issues: MappingIssue[] } {
  const issues: MappingIssue[] = [];
  const fields = Object.keys(profile.fields);
  let filter: CompiledExpression | undefined;
  if (profile.filter !== undefined) {
    const compiled = compileExpression(profile.filter, { lookups });
    if (!compiled.ok) {
      issues.push({ path: ['filter'], message: `${compiled.message} in the filter` });
    } else if (compiled.expression.fieldRefs.length > 0) {
      issues.push({ path: ['filter'], message: `uses ${compiled.expression.fieldRefs.map((r) => `"${r}"`).join(', ')}; the filter runs before the fields are mapped, so it reads source columns as row["…"] and parameters as param.name` });
    } else {
      filter = compiled.expression;
    }
  }
  const split = profile.split;
  if (split !== undefined && split.nameAs === split.valueAs) issues.push({ path: ['split', 'valueAs'], message: 'must differ from nameAs' });
  const group = profile.group;
  if (group !== undefined) {
    const unknown = (name: string): string => `"${name}" is not a field of this profile; known: ${fields.join(', ')}`;
    group.by.forEach((f, i) => {
      if (!fields.includes(f)) issues.push({ path: ['group', 'by', i], message: unknown(f) });
    });
    const collected = new Set<string>();
    for (const [name, list] of Object.entries(group.collect ?? {})) {
      if (fields.includes(name)) issues.push({ path: ['group', 'collect', name], message: `is also a field; the collected array needs a name of its own` });
      list.forEach((f, i) => {
        if (!fields.includes(f)) issues.push({ path: ['group', 'collect', name, i], message: unknown(f) });
        else if (group.by.includes(f)) issues.push({ path: ['group', 'collect', name, i], message: `"${f}" is a group key (group.by); it is the same on every row of the group and stays at the top level` });
        collected.add(f);
      });
    }
    for (const field of Object.keys(group.aggregate ?? {})) {
      if (!fields.includes(field)) issues.push({ path: ['group', 'aggregate', field], message: unknown(field) });
      else if (collected.has(field)) issues.push({ path: ['group', 'aggregate', field], message: 'is collected into an array, so it cannot also be aggregated; map the column to a second field to have both' });
    }
  }
  return { shape: { filter, split, group }, issues };
}

/** The columns the shape reads itself (the split's columns); the virtual ones are not columns. */
export function shapeColumns(shape: RowShape): string[] {
  return [...Object.keys(shape.split?.columns ?? {}), ...(shape.filter?.columnRefs ?? [])];
}

/** What a record processor is built from: the shape, the bound row mapper and the file. */
export interface ProcessorParts {
  readonly shape: RowShape;
  readonly map: (row: SourceRow) => MapOutcome;
  /** `map` of several rows into `out`, at their indices */
  readonly mapMany: (rows: readonly SourceRow[], out: MapOutcome[]) => void;
  readonly accessor: (from: string) => Accessor;
  readonly cursor: SplitCursor;
  readonly params: ReadonlyMap<string, ExprValue>;
  readonly keyFields: readonly string[];
  readonly fieldNames: readonly string[];
  readonly fileName: string;
  readonly expectedRows: number | undefined;
  /** where key checks that outgrow memory write their scratch files */
  readonly scratchDir: string | undefined;
  /** closes the row mapper's scratch files */
  readonly release: () => void;
}

const isEmpty = (v: RawValue): boolean => v === undefined || v === null || v === '';

/** Builds the processor of one file from its bound row mapper. */
export function createRecordProcessor(p: ProcessorParts): RecordProcessor {
  const { shape, map, mapMany, cursor } = p;
  const outcomes: MapOutcome[] = [];
  let current: SourceRow = { row: 0, cells: [] };
  const readers = new Map<string, Accessor>();
  const filterScope: ExprScope = {
    field: () => undefined,
    column: (name) => {
      let read = readers.get(name);
      if (read === undefined) {
        read = p.accessor(name);
        readers.set(name, read);
      }
      const v = read(current);
      return v === '' ? undefined : (v as ExprValue);
    },
    param: (name) => p.params.get(name),
  };
  const parts = Object.entries(shape.split?.columns ?? {}).map(([column, name]) => ({ column, name: String(name), read: p.accessor(column) }));
  const skipEmpty = shape.split?.skipEmpty !== false;
  const grouper: Grouper | undefined = shape.group === undefined ? undefined : createGrouper(shape.group, p.keyFields.length > 0 ? p.keyFields : shape.group.by, p.fieldNames, p.fileName, p.expectedRows, p.scratchDir);

  const deliver = (row: number, out: MapOutcome, emit: (item: RowItem) => void): void => {
    if (grouper !== undefined) {
      grouper.push(out.ok ? { kind: 'ok', row, record: out.record } : { kind: 'rejected', row, errors: out.errors, partial: out.partial }, emit);
    } else if (out.ok) {
      emit({ kind: 'record', rows: [row], key: out.key, record: out.record });
    } else {
      emit({ kind: 'rejected', row, errors: out.errors });
    }
  };
  const skip = (row: number, reason: string, emit: (item: RowItem) => void): void => {
    const item = { kind: 'skipped', row, reason } as const;
    if (grouper !== undefined) grouper.push(item, emit);
    else emit(item);
  };

  const push = (row: SourceRow, emit: (item: RowItem) => void): void => {
    if (row.problem === undefined && shape.filter !== undefined) {
      current = row;
      let keep: boolean;
      try {
        keep = truthy(shape.filter.evaluate(filterScope));
      } catch (err) {
        if (!(err instanceof ExpressionError)) throw err;
        deliver(row.row, { row: row.row, ok: false, errors: [{ field: 'filter', code: 'expr', message: `the filter failed: ${err.message}` }] }, emit);
        return;
      }
      if (!keep) {
        skip(row.row, 'left out by the filter', emit);
        return;
      }
    }
    if (parts.length === 0 || row.problem !== undefined) {
      deliver(row.row, map(row), emit);
      return;
    }
    const records: { record: MappedRecord; key: string | undefined }[] = [];
    const errors: RowError[] = [];
    for (const part of parts) {
      const value = part.read(row);
      if (skipEmpty && isEmpty(value)) continue;
      cursor.name = part.name;
      cursor.read = part.read;
      const out = map(row);
      if (out.ok) records.push({ record: out.record, key: out.key });
      else for (const e of out.errors) errors.push({ ...e, message: `${part.column} (${part.name}): ${e.message}` });
    }
    if (errors.length > 0) deliver(row.row, { row: row.row, ok: false, errors }, emit);
    else if (records.length === 0) skip(row.row, `every split column (${parts.map((x) => x.column).join(', ')}) is empty`, emit);
    else for (const r of records) deliver(row.row, { row: row.row, ok: true, record: r.record, key: r.key }, emit);
  };

  return {
    ordered: grouper?.ordered ?? true,
    push,
    pushMany(rows, emit) {
      // a filter or a split decides per row what is mapped at all: row by row
      if (shape.filter !== undefined || parts.length > 0) {
        for (const row of rows) push(row, emit);
        return;
      }
      mapMany(rows, outcomes);
      try {
        for (let i = 0; i < rows.length; i++) {
          const out = outcomes[i];
          if (out !== undefined) deliver(out.row, out, emit);
        }
      } finally {
        outcomes.length = 0;
      }
    },
    end(emit) {
      try {
        grouper?.end(emit);
      } finally {
        p.release();
      }
    },
  };
}
