/**
 * A tiny semver comparator for the offline dependency gate: `major.minor.patch` with an optional
 * `-prerelease` (which sorts before its release, as in semver) and `+build` (ignored). Not a range
 * parser: the advisory table states ranges as `introduced <= v < fixed`.
 */

interface Parsed {
  readonly core: readonly [number, number, number];
  readonly pre: readonly string[];
}

function parse(version: string): Parsed | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(version.trim());
  if (m === null) return undefined;
  return { core: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] === undefined ? [] : m[4].split('.') };
}

function comparePre(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return (a.length === 0 ? 1 : 0) - (b.length === 0 ? 1 : 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny && Number(x) !== Number(y)) return Number(x) < Number(y) ? -1 : 1;
    if (nx !== ny) return nx ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Whether a string is a version this comparator understands. */
export function isVersion(version: string): boolean {
  return parse(version) !== undefined;
}

/** -1, 0 or 1 as `a` is older than, equal to or newer than `b`; throws on a version it cannot read. */
export function compareVersions(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  if (pa === undefined || pb === undefined) throw new Error(`not a version: ${pa === undefined ? a : b}`);
  for (let i = 0; i < 3; i++) {
    const d = (pa.core[i] ?? 0) - (pb.core[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return comparePre(pa.pre, pb.pre);
}

/** Whether `version` lies in `introduced <= version < fixed` (`fixed: null`: every later version too). */
export function inRange(version: string, introduced: string, fixed: string | null): boolean {
  return compareVersions(version, introduced) >= 0 && (fixed === null || compareVersions(version, fixed) < 0);
}
