import { isRecordNode } from '../record-path.js';
import type { RawObject, RawValue, SourceRow } from '../types.js';
import type { BuiltRecord } from './json-tree-builder.js';

const NO_CELLS: readonly never[] = Object.freeze([]);

/** A source row for one record: its tree, or the problem that rejects it. */
export function recordRow(row: number, built: BuiltRecord): SourceRow {
  if (built.tooLarge) {
    return { row, cells: NO_CELLS, problem: { code: 'E_JSON_RECORD_TOO_LARGE', message: 'is larger than 16 MB of text; ferry does not read records that large' } };
  }
  const v = built.value;
  if (v !== null && v !== undefined && isRecordNode(v)) return { row, cells: NO_CELLS, record: v };
  return { row, cells: NO_CELLS, problem: { code: 'E_JSON_NOT_OBJECT', message: `is ${describeValue(v)}, not an object with fields` } };
}

/** A row that could not be read at all. */
export function problemRow(row: number, code: string, message: string, line?: number, column?: number): SourceRow {
  return { row, cells: NO_CELLS, problem: { code, message, ...(line === undefined ? {} : { line }), ...(column === undefined ? {} : { column }) } };
}

function describeValue(v: RawValue | null): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'boolean') return `the value ${String(v)}`;
  return `the number ${String(v)}`;
}

/**
 * A value from `JSON.parse` as a record value: objects copied into null-prototype objects (a
 * `__proto__` key stays a plain key), null left out. Returns undefined when the value nests deeper
 * than `maxDepth`.
 */
export function fromParsed(value: unknown, maxDepth: number): RawValue | null | undefined {
  const tooDeep = { deep: false };
  const out = copy(value, maxDepth, tooDeep);
  return tooDeep.deep ? undefined : out;
}

function copy(value: unknown, depthLeft: number, flag: { deep: boolean }): RawValue | null {
  if (value === null || typeof value !== 'object') return value as string | number | boolean | null;
  if (depthLeft === 0) {
    flag.deep = true;
    return null;
  }
  if (Array.isArray(value)) return value.map((item: unknown) => copy(item, depthLeft - 1, flag) ?? undefined);
  const node = Object.create(null) as Record<string, RawValue>;
  const source = value as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    const v = copy(source[key], depthLeft - 1, flag);
    if (v !== null) node[key] = v;
  }
  return node as RawObject;
}
