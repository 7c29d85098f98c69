import type * as z from 'zod';

import type { KeyPath, Problem, YamlSource } from './types.js';

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping of keys to values',
  array: 'a list',
  record: 'a mapping of keys to values',
  literal: 'a fixed value',
};

function valueAt(root: unknown, path: KeyPath): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = Object.prototype.hasOwnProperty.call(v, key) ? (v as Record<string | number, unknown>)[key] : undefined;
  }
  return v;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'empty';
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

/** Turns schema issues into located problems that say what is wrong and what is allowed. */
export function issuesToProblems(issues: readonly z.core.$ZodIssue[], source: YamlSource, prefix: KeyPath = []): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    const path: KeyPath = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({ file: source.file, line: source.lineOf([...path, key]), path: [...path, key], message: issue.message, severity: 'error' });
      }
      continue;
    }
    problems.push({ file: source.file, line: source.lineOf(path), path, message: describeIssue(issue, valueAt(source.value, path)), severity: 'error' });
  }
  return problems;
}

function describeIssue(issue: z.core.$ZodIssue, actual: unknown): string {
  switch (issue.code) {
    case 'invalid_type': {
      if (actual === undefined) return 'is required';
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      return `must be ${expected}, not ${describeValue(actual)}`;
    }
    case 'invalid_value': {
      const allowed = issue.values.map((v) => String(v)).join(', ');
      return issue.values.length === 1 && issue.message.startsWith('must')
        ? issue.message
        : `is ${describeValue(actual)}; allowed: ${allowed}`;
    }
    case 'too_small':
      return issue.origin === 'string' || issue.origin === 'array'
        ? `is too short (at least ${String(issue.minimum)} ${issue.origin === 'string' ? 'characters' : 'items'})`
        : `is ${describeValue(actual)}; the smallest allowed is ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'string' || issue.origin === 'array'
        ? `is too long (at most ${String(issue.maximum)} ${issue.origin === 'string' ? 'characters' : 'items'})`
        : `is ${describeValue(actual)}; the largest allowed is ${String(issue.maximum)}`;
    case 'invalid_format':
      return issue.format === 'url' ? `is ${describeValue(actual)}, which is not a URL` : `is ${describeValue(actual)}: ${issue.message}`;
    default:
      return issue.message;
  }
}
