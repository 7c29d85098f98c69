import type { FieldValue } from './types.js';

/**
 * Reads and writes of record fields through one property access site per field position.
 *
 * Why: V8 remembers, per access site in the code, how to reach a property for the object shapes
 * it has seen there, and for one property name only. A loop that sets every field of a record
 * through one `record[name] = value` sees as many names as the profile has fields, gives up
 * remembering (the site goes megamorphic) and takes a generic lookup for every access: about
 * three times the cost of the whole record on million-row files. A site per position sees one name
 * and one object shape per profile and stays on the fast path. Records and the items a group
 * collects have sites of their own, as they put different names at the same positions. Positions
 * past the last site share the generic one, which is correct, only slower.
 */

/** `target[name] = value` for a mapped record, through the store site of `position`. */
export function storeAt(target: Record<string, FieldValue>, position: number, name: string, value: FieldValue): void {
  switch (position) {
    case 0:
      target[name] = value;
      return;
    case 1:
      target[name] = value;
      return;
    case 2:
      target[name] = value;
      return;
    case 3:
      target[name] = value;
      return;
    case 4:
      target[name] = value;
      return;
    case 5:
      target[name] = value;
      return;
    case 6:
      target[name] = value;
      return;
    case 7:
      target[name] = value;
      return;
    case 8:
      target[name] = value;
      return;
    case 9:
      target[name] = value;
      return;
    case 10:
      target[name] = value;
      return;
    case 11:
      target[name] = value;
      return;
    case 12:
      target[name] = value;
      return;
    case 13:
      target[name] = value;
      return;
    case 14:
      target[name] = value;
      return;
    case 15:
      target[name] = value;
      return;
    case 16:
      target[name] = value;
      return;
    case 17:
      target[name] = value;
      return;
    case 18:
      target[name] = value;
      return;
    case 19:
      target[name] = value;
      return;
    case 20:
      target[name] = value;
      return;
    case 21:
      target[name] = value;
      return;
    case 22:
      target[name] = value;
      return;
    case 23:
      target[name] = value;
      return;
    case 24:
      target[name] = value;
      return;
    case 25:
      target[name] = value;
      return;
    case 26:
      target[name] = value;
      return;
    case 27:
      target[name] = value;
      return;
    case 28:
      target[name] = value;
      return;
    case 29:
      target[name] = value;
      return;
    case 30:
      target[name] = value;
      return;
    case 31:
      target[name] = value;
      return;
    default:
      target[name] = value;
  }
}

/** `target[name] = value` for an item that a group collects, through the store site of `position`. */
export function storeItemAt(target: Record<string, FieldValue>, position: number, name: string, value: FieldValue): void {
  switch (position) {
    case 0:
      target[name] = value;
      return;
    case 1:
      target[name] = value;
      return;
    case 2:
      target[name] = value;
      return;
    case 3:
      target[name] = value;
      return;
    case 4:
      target[name] = value;
      return;
    case 5:
      target[name] = value;
      return;
    case 6:
      target[name] = value;
      return;
    case 7:
      target[name] = value;
      return;
    case 8:
      target[name] = value;
      return;
    case 9:
      target[name] = value;
      return;
    case 10:
      target[name] = value;
      return;
    case 11:
      target[name] = value;
      return;
    case 12:
      target[name] = value;
      return;
    case 13:
      target[name] = value;
      return;
    case 14:
      target[name] = value;
      return;
    case 15:
      target[name] = value;
      return;
    default:
      target[name] = value;
  }
}

/**
 * `source[name]` of a mapped record, through the load site of `position`. For a name that is an
 * own property of `source` or absent from it and from its prototypes.
 */
export function loadAt(source: Readonly<Record<string, FieldValue>>, position: number, name: string): FieldValue | undefined {
  switch (position) {
    case 0:
      return source[name];
    case 1:
      return source[name];
    case 2:
      return source[name];
    case 3:
      return source[name];
    case 4:
      return source[name];
    case 5:
      return source[name];
    case 6:
      return source[name];
    case 7:
      return source[name];
    case 8:
      return source[name];
    case 9:
      return source[name];
    case 10:
      return source[name];
    case 11:
      return source[name];
    case 12:
      return source[name];
    case 13:
      return source[name];
    case 14:
      return source[name];
    case 15:
      return source[name];
    case 16:
      return source[name];
    case 17:
      return source[name];
    case 18:
      return source[name];
    case 19:
      return source[name];
    case 20:
      return source[name];
    case 21:
      return source[name];
    case 22:
      return source[name];
    case 23:
      return source[name];
    case 24:
      return source[name];
    case 25:
      return source[name];
    case 26:
      return source[name];
    case 27:
      return source[name];
    case 28:
      return source[name];
    case 29:
      return source[name];
    case 30:
      return source[name];
    case 31:
      return source[name];
    default:
      return source[name];
  }
}
