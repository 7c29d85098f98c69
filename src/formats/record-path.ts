import { Decimal } from '../mapping/decimal.js';
import type { Accessor, RawObject, RawValue } from './types.js';

/** How the paths of one record format read. */
export interface PathStyle {
  /** XML: steps are matched by local name, so a written prefix (`cbc:ID`, `@xml:lang`) is dropped */
  readonly localNames: boolean;
  /** XML: a path that ends at an element gives its `#text` (an element with children gives its tree) */
  readonly elementText: boolean;
  /** JSON: a step of digits picks that item (0-based) of an array */
  readonly indexSteps: boolean;
}

/** Paths inside XML records: local names, an element's text at the end. */
export const XML_PATHS: PathStyle = { localNames: true, elementText: true, indexSteps: false };
/** Paths inside JSON records: keys as written, values as they are, array indexes. */
export const JSON_PATHS: PathStyle = { localNames: false, elementText: false, indexSteps: true };

/** The steps of a `/` path; leading, trailing and doubled slashes do not count. */
export function pathSteps(path: string, style: PathStyle): string[] {
  const steps: string[] = [];
  for (const raw of path.split('/')) {
    const step = raw.trim();
    if (step === '') continue;
    steps.push(style.localNames ? localStep(step) : step);
  }
  return steps;
}

function localStep(step: string): string {
  const colon = step.indexOf(':');
  if (colon === -1) return step;
  return step.startsWith('@') ? `@${step.slice(colon + 1)}` : step.slice(colon + 1);
}

/** A tree node of a record: a null-prototype object, not a Date or a Decimal. */
export function isRecordNode(v: RawValue): v is RawObject {
  return typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Decimal);
}

/**
 * Compiles a field's `from` into an accessor over `SourceRow.record`, once per field: a missing
 * step reads as absent, a repeated element (an array) on the way gives an array of what each item
 * holds there, flattened.
 */
export function compileRecordPath(from: string, style: PathStyle): Accessor {
  const steps = pathSteps(from, style);
  const [only] = steps;
  if (steps.length === 1 && only !== undefined) {
    // the common case, a child of the record: no loop, no arrays on the way
    const end = style.elementText ? elementValue : (v: RawValue): RawValue => v;
    return (row) => {
      const r = row.record;
      if (r === undefined) return undefined;
      const v = r[only];
      // records have a null (or the plain object) prototype, where nothing inherited is a string:
      // a string read is the record's own, and the common case needs no ownership check
      if (typeof v === 'string') return v;
      return Object.hasOwn(r, only) ? end(v) : undefined;
    };
  }
  return (row) => (row.record === undefined ? undefined : walk(row.record, steps, 0, style));
}

function walk(start: RawValue, steps: readonly string[], from: number, style: PathStyle): RawValue {
  let v: RawValue = start;
  for (let i = from; i < steps.length; i++) {
    const step = steps[i] ?? '';
    if (Array.isArray(v)) {
      if (style.indexSteps && /^\d+$/.test(step)) {
        v = (v as readonly RawValue[])[Number(step)];
        continue;
      }
      return collect(v as readonly RawValue[], steps, i, style);
    }
    if (v !== undefined && isRecordNode(v)) {
      v = Object.hasOwn(v, step) ? v[step] : undefined;
    } else if (!(style.elementText && step === '#text' && typeof v === 'string')) {
      // a leaf element's text is itself; any other step below a leaf is not there
      return undefined;
    }
  }
  return style.elementText ? elementValue(v) : v;
}

function collect(items: readonly RawValue[], steps: readonly string[], at: number, style: PathStyle): RawValue {
  const out: RawValue[] = [];
  for (const item of items) {
    const r = walk(item, steps, at, style);
    if (r === undefined) continue;
    if (Array.isArray(r)) out.push(...(r as readonly RawValue[]));
    else out.push(r);
  }
  return out.length === 0 ? undefined : out;
}

/** What an XML element read at the end of a path gives: its text, its tree when it has children. */
function elementValue(v: RawValue): RawValue {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return (v as readonly RawValue[]).map(elementValue);
  if (v === undefined || !isRecordNode(v)) return v;
  const text = v['#text'];
  if (typeof text === 'string') return text;
  for (const key in v) if (!key.startsWith('@')) return v;
  // only attributes: the element's own text is empty
  return '';
}

/**
 * Adds the paths of a record's leaves to `out` (elements with text and attributes in XML, scalar
 * values in JSON), in the order they appear, until `out` holds `limit` paths. These are the
 * columns `ferry preview` lists for a record format.
 */
export function collectPaths(record: RawObject, style: PathStyle, out: Set<string>, limit: number): void {
  const stack: { prefix: string; value: RawValue }[] = [{ prefix: '', value: record }];
  while (stack.length > 0 && out.size < limit) {
    const { prefix, value } = stack.pop() ?? { prefix: '', value: undefined };
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      const items = value as readonly RawValue[];
      for (let i = items.length - 1; i >= 0; i--) stack.push({ prefix, value: items[i] });
      continue;
    }
    if (!isRecordNode(value)) {
      if (prefix !== '') out.add(prefix);
      continue;
    }
    const children: { prefix: string; value: RawValue }[] = [];
    for (const key in value) {
      const child = value[key];
      if (key === '#text' && style.elementText) {
        out.add(prefix === '' ? '#text' : prefix);
        continue;
      }
      children.push({ prefix: prefix === '' ? key : `${prefix}/${key}`, value: child });
    }
    for (let i = children.length - 1; i >= 0; i--) {
      const c = children[i];
      if (c !== undefined) stack.push(c);
    }
  }
}
