import assert from 'node:assert/strict';

import type { SourceRow } from '../../src/formats/types.js';
import { compileMapping, type CompiledMapping, type RowMapper } from '../../src/mapping/compile.js';
import type { ExprValue } from '../../src/mapping/expr/compile.js';
import type { FieldValue, LookupTable, MapOutcome, MappedRecord, MappingIssue, RowError } from '../../src/mapping/types.js';
import { profileSchema, type Profile } from '../../src/profiles/schema.js';

/** Profile settings besides `fields`: key, lookups, onError, … */
export type ProfileExtras = Readonly<Record<string, unknown>>;

/** Validates a profile the way the loader does; fields are written as in YAML. */
export function parseProfile(fields: Readonly<Record<string, unknown>>, extras: ProfileExtras = {}): Profile {
  return profileSchema.parse({ version: 1, ...extras, fields });
}

/** Compiles a profile's mapping and fails the test with the issues when it does not compile. */
export function compileOk(profile: Profile, lookups: ReadonlyMap<string, LookupTable> = new Map()): CompiledMapping {
  const compiled = compileMapping(profile, lookups);
  if (!compiled.ok) assert.fail(`mapping should compile: ${compiled.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return compiled.mapping;
}

/** The issues of a mapping that must not compile. */
export function compileIssues(fields: Readonly<Record<string, unknown>>, extras: ProfileExtras = {}, lookups: ReadonlyMap<string, LookupTable> = new Map()): MappingIssue[] {
  const compiled = compileMapping(parseProfile(fields, extras), lookups);
  assert.equal(compiled.ok, false, 'the mapping should not compile');
  return compiled.ok ? [] : compiled.issues;
}

/** Options of {@link mapperFor}. */
export interface MapperOptions {
  readonly extras?: ProfileExtras;
  readonly lookups?: ReadonlyMap<string, LookupTable>;
  readonly params?: ReadonlyMap<string, ExprValue>;
}

/** A row mapper for `fields`, bound to a file with `columns`. */
export function mapperFor(fields: Readonly<Record<string, unknown>>, columns: readonly string[], options: MapperOptions = {}): RowMapper {
  const mapping = compileOk(parseProfile(fields, options.extras), options.lookups);
  return mapping.bind(columns, 'test.csv', options.params);
}

/** Maps rows given as cell lists; the first is line 2 of a CSV (the header is line 1). */
export function mapRows(mapper: RowMapper, rows: readonly (readonly string[])[]): MapOutcome[] {
  return rows.map((cells, i): MapOutcome => mapper({ row: i + 2, cells } satisfies SourceRow));
}

/** The record of an outcome that must be ok. */
export function recordOf(outcome: MapOutcome | undefined): MappedRecord {
  assert.ok(outcome !== undefined, 'no outcome');
  if (!outcome.ok) assert.fail(`row ${outcome.row} should map, but: ${outcome.errors.map((e) => `${e.field} ${e.code}: ${e.message}`).join('; ')}`);
  return outcome.record;
}

/** The errors of an outcome that must be rejected. */
export function errorsOf(outcome: MapOutcome | undefined): readonly RowError[] {
  assert.ok(outcome !== undefined, 'no outcome');
  if (outcome.ok) assert.fail(`row ${outcome.row} should be rejected, but mapped to ${JSON.stringify(outcome.record)}`);
  return outcome.errors;
}

/** Maps one cell through one field `v` that reads column `Col`, or the spec's own `from`. */
export function mapCell(spec: Readonly<Record<string, unknown>>, cell: string): MapOutcome {
  const column = typeof spec.from === 'string' ? spec.from : 'Col';
  const mapper = mapperFor({ v: { from: column, ...spec } }, [column]);
  return mapper({ row: 2, cells: [cell] });
}

/** The value field `v` gets from `cell`; undefined when the field is left out of the record. */
export function valueOf(spec: Readonly<Record<string, unknown>>, cell: string): FieldValue | undefined {
  const record = recordOf(mapCell(spec, cell));
  return Object.hasOwn(record, 'v') ? record.v : undefined;
}

/** The one error `cell` gets in field `v`. */
export function errorOf(spec: Readonly<Record<string, unknown>>, cell: string): RowError {
  const errors = errorsOf(mapCell(spec, cell));
  assert.equal(errors.length, 1, `one error expected, got ${JSON.stringify(errors)}`);
  const [first] = errors;
  assert.ok(first !== undefined);
  return first;
}

/** String form of a mapped value, so Decimals compare by their exact text. */
export function textOf(v: FieldValue | undefined): string | undefined {
  return v === undefined ? undefined : v === null ? 'null' : typeof v === 'object' ? v.toString() : String(v);
}
