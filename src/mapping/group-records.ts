import type { Aggregate, GroupSpec } from '../profiles/shape-schema.js';
import { Decimal } from './decimal.js';
import { loadAt, storeItemAt } from './field-slots.js';
import { KeySet } from './key-set.js';
import { getPath, keyText, setPath } from './record-fields.js';
import type { FieldValue, MappedRecord, RowError, RowItem } from './types.js';

/** Rows held in memory for an unsorted group-by before the file is refused. */
export const DEFAULT_GROUP_MAX_ROWS = 200_000;

interface OpenGroup {
  readonly key: string;
  readonly rows: number[];
  /** the first mapped row's fields, without the collected ones; undefined while only rejected rows came */
  first: MappedRecord | undefined;
  /** one array per `collect` entry, in spec order */
  readonly collected: MappedRecord[][];
  /** one value per `aggregate` entry, in spec order */
  readonly aggregates: (FieldValue | undefined)[];
  /** errors of the rows that were rejected, by row; a group with any is rejected as a whole */
  failed: Map<number, readonly RowError[]> | undefined;
}

/** Rows a grouper is given, already mapped (or rejected, with what could be mapped). */
export type GroupInput =
  | { readonly kind: 'ok'; readonly row: number; readonly record: MappedRecord }
  | { readonly kind: 'rejected'; readonly row: number; readonly errors: readonly RowError[]; readonly partial: MappedRecord | undefined }
  | { readonly kind: 'skipped'; readonly row: number; readonly reason: string };

/** Merges mapped rows into group records; see `group` in the profile format. */
export interface Grouper {
  push(input: GroupInput, emit: (item: RowItem) => void): void;
  end(emit: (item: RowItem) => void): void;
  /** false when records do not come out in row order (unsorted grouping) */
  readonly ordered: boolean;
}

function compare(a: FieldValue, b: FieldValue): number {
  if (a instanceof Decimal && b instanceof Decimal) return a.cmp(b);
  if (a instanceof Decimal && typeof b === 'number') return a.cmp(Decimal.parse(String(b)) ?? a);
  if (typeof a === 'number' && b instanceof Decimal) return -compare(b, a);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function numeric(v: FieldValue): Decimal | undefined {
  if (v instanceof Decimal) return v;
  if (typeof v === 'number') return Decimal.parse(String(v));
  return undefined;
}

/** One aggregate's step: the value so far and the next row's value give the new value. */
type Fold = (acc: FieldValue | undefined, v: FieldValue | undefined) => FieldValue | undefined;

const absent = (v: FieldValue | undefined): v is undefined | null => v === undefined || v === null;

/** The step of each aggregate, chosen once per file rather than per row. */
const FOLDS: Readonly<Record<Aggregate, Fold>> = {
  count: (acc, v) => (typeof acc === 'number' ? acc : 0) + (absent(v) ? 0 : 1),
  first: (acc, v) => (absent(acc) ? v : acc),
  last: (acc, v) => (absent(v) ? acc : v),
  sum: (acc, v) => {
    const n = absent(v) ? undefined : numeric(v);
    if (n === undefined) return acc;
    const a = absent(acc) ? undefined : numeric(acc);
    return a === undefined ? n : a.add(n);
  },
  min: (acc, v) => (absent(v) ? acc : absent(acc) || compare(v, acc) < 0 ? v : acc),
  max: (acc, v) => (absent(v) ? acc : absent(acc) || compare(v, acc) > 0 ? v : acc),
};

type Reader = (record: MappedRecord) => FieldValue | undefined;

/** Reads one field of a mapped record by its target name and its position among the profile's fields. */
function fieldReader(name: string, position: number): Reader {
  if (name.includes('.') || position < 0) return (record) => getPath(record, name);
  // records never hold undefined, so a name no object inherits needs no own-property check
  if (!(name in Object.prototype)) return (record) => loadAt(record, position, name);
  return (record) => (Object.hasOwn(record, name) ? record[name] : undefined);
}

/** The key text of fields read by `readers`, parts joined by U+001F; undefined when one is empty. */
function keyOf(readers: readonly Reader[]): (record: MappedRecord) => string | undefined {
  const [only] = readers;
  if (readers.length === 1 && only !== undefined) return (record) => keyText(only(record));
  return (record) => {
    const parts = readers.map((read) => keyText(read(record)));
    return parts.some((p) => p === undefined) ? undefined : parts.join('\u001f');
  };
}

/**
 * Creates the grouper of one file; `fieldNames` are the profile's fields in order. Sorted input is grouped as a stream: a group closes when the
 * key changes, and a key that comes back later is rejected (the file said it was sorted). Unsorted
 * input is held until the end of the file, at most `maxRows` rows, and the file is refused beyond
 * that with a message that says how to go on.
 */
export function createGrouper(spec: GroupSpec, keyFields: readonly string[], fieldNames: readonly string[], fileName: string, expectedRows: number | undefined, scratchDir?: string): Grouper {
  const collectOf = new Map<string, string>();
  for (const [name, fields] of Object.entries(spec.collect ?? {})) for (const f of fields) collectOf.set(f, name);
  const aggregates = Object.entries(spec.aggregate ?? {});
  const sorted = spec.sorted === true;
  const maxRows = spec.maxRows ?? DEFAULT_GROUP_MAX_ROWS;
  const byText = spec.by.join(', ');
  const topNames = [...new Set(fieldNames.map((f) => f.split('.')[0] ?? f))];
  // the fields of a group's first row that stay at the top level; the others are collected
  const keptNames = topNames.filter((name) => !collectOf.has(name));
  // The profile's own string of a field name: names in `by` and `collect` are YAML values, not
  // keys, and V8 takes a property name that is not an interned string as a new name on every
  // access, which turns a keyed access site megamorphic however few names it sees.
  const nameOf = (name: string): string => fieldNames[fieldNames.indexOf(name)] ?? name;
  const readerOf = (name: string): Reader => fieldReader(nameOf(name), fieldNames.indexOf(name));
  const groupKey = keyOf(spec.by.map(readerOf));
  const recordKey = keyOf(keyFields.map(readerOf));
  const open = new Map<string, OpenGroup>();
  // sorted mode: keys of closed groups (fingerprints), to catch a key that comes back
  const closed = sorted ? new KeySet(Math.min(expectedRows ?? 4096, 50_000_000), scratchDir === undefined ? {} : { scratchDir }) : undefined;
  let current: OpenGroup | undefined;
  // rows outside any group: in sorted mode those seen while a group is open, emitted after it; in
  // unsorted mode all of them, emitted at the end with the rejected groups' rows in row order
  let pending: RowItem[] = [];
  const outside = (item: RowItem, emit: (item: RowItem) => void): void => {
    if (sorted && current === undefined) emit(item);
    else pending.push(item);
  };
  let held = 0;

  // resolved once per file: add() runs for every row
  const collectPlans = Object.entries(spec.collect ?? {}).map(([name, fields]) => ({
    name,
    fields: fields.map((f) => ({ name: nameOf(f), path: f.includes('.') ? f.split('.') : undefined, read: readerOf(f) })),
  }));
  const aggregatePlans = aggregates.map(([field, op]) => ({ path: field.split('.'), read: readerOf(field), fold: FOLDS[op] }));
  const start = (key: string): OpenGroup => {
    const g: OpenGroup = { key, rows: [], first: undefined, collected: collectPlans.map(() => []), aggregates: aggregates.map(() => undefined), failed: undefined };
    open.set(key, g);
    return g;
  };
  const topOf = (record: MappedRecord): MappedRecord => {
    const top: MappedRecord = {};
    for (const name of keptNames) if (Object.hasOwn(record, name)) top[name] = record[name] ?? null;
    return top;
  };
  const add = (g: OpenGroup, row: number, record: MappedRecord): void => {
    g.rows.push(row);
    g.first ??= topOf(record);
    held++;
    for (let p = 0; p < collectPlans.length; p++) {
      const plan = collectPlans[p];
      if (plan === undefined) continue;
      const item: MappedRecord = {};
      for (let i = 0; i < plan.fields.length; i++) {
        const f = plan.fields[i];
        const v = f?.read(record);
        if (f === undefined || v === undefined) continue;
        if (f.path === undefined) storeItemAt(item, i, f.name, v);
        else setPath(item, f.path, v);
      }
      g.collected[p]?.push(item);
    }
    for (let a = 0; a < aggregatePlans.length; a++) {
      const plan = aggregatePlans[a];
      if (plan !== undefined) g.aggregates[a] = plan.fold(g.aggregates[a], plan.read(record));
    }
  };
  const finish = (g: OpenGroup, emit: (item: RowItem) => void): void => {
    open.delete(g.key);
    held -= g.rows.length;
    if (g.failed !== undefined) {
      const failedRows = [...g.failed.keys()].sort((a, b) => a - b).join(', ');
      const shown = g.key.replace(/\u001f/g, ' / ');
      const rows = [...g.rows, ...g.failed.keys()].sort((a, b) => a - b);
      for (const row of rows) {
        const own = g.failed.get(row);
        emit({ kind: 'rejected', row, errors: own ?? [{ field: byText, code: 'group', message: `rejected with its group ${shown}, because row ${failedRows} of the group was rejected` }] });
      }
      return;
    }
    const merged = g.first ?? {};
    aggregatePlans.forEach((plan, a) => {
      const value = g.aggregates[a];
      if (value !== undefined) setPath(merged, plan.path, value);
    });
    // the profile's field order, whichever row or aggregate supplied a field; collected arrays last
    const record: MappedRecord = {};
    for (const name of topNames) if (Object.hasOwn(merged, name)) record[name] = merged[name] ?? null;
    collectPlans.forEach((plan, p) => {
      record[plan.name] = g.collected[p] ?? [];
    });
    emit({ kind: 'record', rows: g.rows, key: recordKey(record), record });
  };
  const closeCurrent = (emit: (item: RowItem) => void): void => {
    const outsideRows = pending;
    pending = [];
    if (current !== undefined) {
      // its key went into `closed` when it opened (groupFor)
      finish(current, (item) => {
        if (item.kind === 'record') emit(item);
        else outsideRows.push(item);
      });
      current = undefined;
      outsideRows.sort((a, b) => rowOf(a) - rowOf(b));
    }
    for (const item of outsideRows) emit(item);
  };
  /** The group a keyed row joins: the open one, a new one, or none when the key came back. */
  const groupFor = (key: string, row: number, emit: (item: RowItem) => void): OpenGroup | RowError => {
    // sorted input holds one open group at most: a string compare instead of a hash lookup
    if (current !== undefined && current.key === key) return current;
    const known = open.get(key);
    if (known !== undefined) return known;
    if (sorted) {
      closeCurrent(emit);
      const firstRow = closed?.addOrGet(key, row) ?? 0;
      if (firstRow !== 0) {
        return { field: byText, code: 'group', message: `the group ${key.replace(/\u001f/g, ' / ')} already appeared from row ${firstRow} and was closed; the profile says the file is sorted by ${byText} (group.sorted), but it is not` };
      }
    }
    const g = start(key);
    if (sorted) current = g;
    return g;
  };

  return {
    ordered: sorted,
    push(input, emit) {
      if (!sorted && held + pending.length >= maxRows) {
        throw new GroupLimitError(`${fileName} has more than ${maxRows} rows to group and is not declared sorted; sort the export by ${byText} and set group.sorted: true, or raise group.maxRows (rows are held in memory until the end of the file)`);
      }
      if (input.kind === 'skipped') {
        outside(input, emit);
        return;
      }
      const record = input.kind === 'ok' ? input.record : input.partial;
      const key = record === undefined ? undefined : groupKey(record);
      if (key === undefined) {
        const item: RowItem = input.kind === 'ok'
          ? { kind: 'rejected', row: input.row, errors: [{ field: byText, code: 'group', message: `the group key (${byText}) is empty; every row of a grouped file needs one` }] }
          : { kind: 'rejected', row: input.row, errors: input.errors };
        outside(item, emit);
        return;
      }
      const g = groupFor(key, input.row, emit);
      if (!('rows' in g)) {
        outside({ kind: 'rejected', row: input.row, errors: input.kind === 'ok' ? [g] : [...input.errors, g] }, emit);
        return;
      }
      if (input.kind === 'ok') {
        add(g, input.row, input.record);
      } else {
        g.failed ??= new Map();
        g.failed.set(input.row, input.errors);
        held++;
      }
    },
    end(emit) {
      if (sorted) {
        closeCurrent(emit);
        closed?.release();
        return;
      }
      const rejected: RowItem[] = pending;
      for (const g of [...open.values()]) {
        finish(g, (item) => {
          if (item.kind === 'record') emit(item);
          else rejected.push(item);
        });
      }
      rejected.sort((a, b) => rowOf(a) - rowOf(b));
      for (const item of rejected) emit(item);
      pending = [];
    },
  };
}

function rowOf(item: RowItem): number {
  return item.kind === 'record' ? item.rows[0] ?? 0 : item.row;
}

/** The file has more unsorted rows to group than the profile allows in memory. */
export class GroupLimitError extends Error {
  override readonly name = 'GroupLimitError';
}
