import { Decimal } from './decimal.js';
import type { FieldValue, MappedRecord } from './types.js';

/** The text of a key part: 1.50 and 1.5 are one key; empty values have none. */
export function keyText(v: FieldValue | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (v instanceof Decimal) return v.stripTrailingZeros().toString();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Sets `address.street` style target fields, building the nested objects on the way. */
export function setPath(record: MappedRecord, path: readonly string[], value: FieldValue): void {
  let node: Record<string, FieldValue> = record;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] ?? '';
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next) || next instanceof Decimal) {
      const child: Record<string, FieldValue> = {};
      node[key] = child;
      node = child;
    } else {
      node = next as Record<string, FieldValue>;
    }
  }
  node[path[path.length - 1] ?? ''] = value;
}

/** Reads a field of a record by its target name, nested names included. */
export function getPath(record: MappedRecord, name: string): FieldValue | undefined {
  if (!name.includes('.')) return Object.hasOwn(record, name) ? record[name] : undefined;
  let node: FieldValue | undefined = record;
  for (const key of name.split('.')) {
    if (node === null || node === undefined || typeof node !== 'object' || Array.isArray(node) || node instanceof Decimal) return undefined;
    const obj: Record<string, FieldValue> = node as Record<string, FieldValue>;
    node = Object.hasOwn(obj, key) ? obj[key] : undefined;
  }
  return node;
}
