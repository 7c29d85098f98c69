import { randomBytes } from 'node:crypto';

/** A sortable unique id such as `b_0mhx3k2a9f1c2e3d4b5a6`: time first, so ids sort by creation. */
export function newId(prefix: 'r' | 'b' | 'smp'): string {
  return `${prefix}_${Date.now().toString(36).padStart(9, '0')}${randomBytes(6).toString('hex')}`;
}
