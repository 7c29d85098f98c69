import type { FieldValue } from './types.js';

/**
 * Writes of record fields through one property store site per field position.
 *
 * Why: V8 remembers, per access site in the code, how to reach a property for the object shapes
 * and names it has seen there. A loop that sets every field of a record through one
 * `record[name] = value` sees as many names as the profile has fields, gives up remembering
 * (the site goes megamorphic) and takes a generic lookup for every store: about three times the
 * cost of the whole record on million-row files. A site per position sees one name and one
 * object shape per profile and stays on the fast path. Positions from {@link SLOTS} on share the
 * generic site, which is correct, only slower.
 */

/** Positions with a site of their own. */
export const SLOTS = 32;

/** `target[name] = value`, through the store site of `position`. */
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
