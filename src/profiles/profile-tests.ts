import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';

import * as z from 'zod';

import { FerryError } from '../errors.js';
import { toJson } from '../json/to-json.js';
import { previewFile } from '../preview/preview-file.js';
import { issuesToProblems } from './format-issues.js';
import { resolveParams } from './run-params.js';
import { obj } from './schema-helpers.js';
import type { LoadedProfile, Problem } from './types.js';
import { parseYamlSource } from './yaml-source.js';

/** `profiles/<id>.test.yaml`: a sample and what the profile must make of it (profile-format.md). */
const profileTestSchema = obj({
  input: z.string().min(1),
  description: z.string().optional(),
  records: z.array(z.record(z.string(), z.unknown())).optional(),
  rejected: z.array(obj({ row: z.number().int().min(1), fields: z.array(z.string()).optional(), codes: z.array(z.string()).optional() })).optional(),
  /** run parameters for the test, as `ferry run --param` gives them */
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  /** the rows the filter leaves out, by row number */
  skipped: z.array(z.number().int().min(1)).optional(),
});

/** The outcome of one profile test. */
export interface ProfileTestResult {
  readonly profile: string;
  readonly file: string;
  readonly passed: boolean;
  /** readable differences, one per line; empty when the test passed */
  readonly differences: string[];
  readonly problems: Problem[];
}

/** The test files of a profiles folder: `<id>.test.yaml`. */
export async function listProfileTests(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).filter((n) => /\.test\.ya?ml$/.test(n)).sort();
}

/** Compares a mapped value with an expected one from YAML: numbers and Decimals by their text, objects and arrays deeply. */
function same(actual: unknown, expected: unknown): boolean {
  const a = JSON.parse(toJson(actual)) as unknown;
  return JSON.stringify(normalise(a)) === JSON.stringify(normalise(expected));
}

function normalise(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (Array.isArray(v)) return v.map(normalise);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).sort(([x], [y]) => x.localeCompare(y)).map(([k, x]) => [k, normalise(x)]));
  }
  return v;
}

function show(v: unknown): string {
  const text = toJson(v);
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

/**
 * Runs one profile test: maps its input with the profile (nothing is sent) and compares every
 * record, in order and in full, every rejected row (its number and failing fields) and the rows
 * the filter skipped. The
 * differences read like a diff: `record 3 (row 4): qty expected 2, got 3`.
 */
export async function runProfileTest(testPath: string, loaded: LoadedProfile): Promise<ProfileTestResult> {
  const file = basename(testPath);
  const text = await readFile(testPath, 'utf8');
  const { source, problems } = parseYamlSource(testPath, text);
  const base = { profile: loaded.id, file };
  if (problems.some((p) => p.severity === 'error')) return { ...base, passed: false, differences: [], problems };
  const parsed = profileTestSchema.safeParse(source.value);
  if (!parsed.success) return { ...base, passed: false, differences: [], problems: issuesToProblems(parsed.error.issues, source) };
  const spec = parsed.data;
  const input = resolve(dirname(testPath), spec.input);
  if (!existsSync(input)) return { ...base, passed: false, differences: [`input ${spec.input} does not exist (${input})`], problems: [] };
  const differences: string[] = [];
  try {
    const params = resolveParams(loaded.profile.params, Object.fromEntries(Object.entries(spec.params ?? {}).map(([k, v]) => [k, String(v)])));
    if (!params.ok) return { ...base, passed: false, differences: params.problems, problems: [] };
    const result = await previewFile(loaded, { path: input, name: basename(input) }, { params: params.params });
    if (spec.records !== undefined) {
      const got = result.records;
      spec.records.forEach((want, i) => {
        const actual = got[i];
        if (actual === undefined) {
          differences.push(`record ${i + 1}: expected ${show(want)}, but there are only ${got.length} records`);
          return;
        }
        for (const key of new Set([...Object.keys(want), ...Object.keys(actual.record)])) {
          const w = want[key];
          const a = actual.record[key];
          if (!same(a, w)) differences.push(`record ${i + 1} (row ${actual.row}): ${key} expected ${w === undefined ? 'absent' : show(w)}, got ${a === undefined ? 'absent' : show(a)}`);
        }
      });
      got.forEach((extra, j) => {
        if (j >= (spec.records?.length ?? 0)) differences.push(`record ${j + 1} (row ${extra.row}) was not expected: ${show(extra.record)}`);
      });
    }
    if (spec.rejected !== undefined) {
      const got = result.rejected;
      spec.rejected.forEach((want, i) => {
        const actual = got[i];
        if (actual === undefined || actual.row !== want.row) {
          differences.push(`rejected ${i + 1}: expected row ${want.row}, got ${actual === undefined ? 'nothing' : `row ${actual.row} (${actual.errors.map((e) => `${e.field}: ${e.message}`).join('; ')})`}`);
          return;
        }
        const fields = actual.errors.map((e) => e.field).sort();
        if (want.fields !== undefined && JSON.stringify([...want.fields].sort()) !== JSON.stringify(fields)) differences.push(`rejected row ${want.row}: expected fields ${want.fields.join(', ')}, got ${fields.join(', ')}`);
        const codes = actual.errors.map((e) => e.code).sort();
        if (want.codes !== undefined && JSON.stringify([...want.codes].sort()) !== JSON.stringify(codes)) differences.push(`rejected row ${want.row}: expected codes ${want.codes.join(', ')}, got ${codes.join(', ')}`);
      });
      for (const extra of got.slice(spec.rejected.length)) differences.push(`row ${extra.row} was rejected, which was not expected: ${extra.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
    }
    if (spec.skipped !== undefined) {
      const got = result.skipped.map((s) => s.row).join(', ');
      const want = spec.skipped.join(', ');
      if (got !== want) differences.push(`skipped rows: expected ${want === '' ? 'none' : want}, got ${got === '' ? 'none' : got}`);
    }
  } catch (err) {
    if (!(err instanceof FerryError)) throw err;
    differences.push(`reading ${spec.input} failed: ${err.code}: ${err.message}`);
  }
  return { ...base, passed: differences.length === 0, differences, problems: [] };
}

/** The profile id a test file belongs to: `erp-orders.test.yaml` → `erp-orders`. */
export function profileOfTest(file: string): string {
  return basename(file).replace(/\.test\.ya?ml$/, '');
}
