/**
 * The offline dependency gate (`npm run audit` falls back to it when the registry cannot be asked,
 * and always runs it for the minimum versions). It reads package-lock.json, keeps the shipped tree
 * (packages not marked `dev`; `--include-dev` keeps all), and checks every package against the
 * checked-in advisory table scripts/advisories.json: known advisories (`introduced <= v < fixed`),
 * minimum versions, and banned packages. Prints a report; exits 1 on any hit, 2 when an input
 * cannot be read.
 *
 *   node dist/scripts/audit-deps.js [--lockfile <path>] [--advisories <path>] [--include-dev]
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { compareVersions, inRange, isVersion } from './lib/version-compare.js';

/** One advisory of the table. */
export interface Advisory {
  readonly package: string;
  readonly id: string;
  readonly summary: string;
  readonly severity: string;
  readonly ranges: readonly { readonly introduced: string; readonly fixed: string | null }[];
  readonly source?: string;
}

/** The table: advisories, minimum versions and banned packages. */
export interface AdvisoryTable {
  readonly advisories: readonly Advisory[];
  readonly minimums: readonly { readonly package: string; readonly min: string; readonly required: boolean; readonly why: string }[];
  readonly banned: readonly { readonly package: string; readonly why: string }[];
}

/** One installed package of the lockfile. */
export interface Installed {
  readonly name: string;
  readonly version: string;
  /** where in node_modules */
  readonly path: string;
}

/** What the gate found. */
export interface AuditReport {
  readonly checked: number;
  readonly hits: readonly string[];
  readonly notes: readonly string[];
}

interface LockEntry {
  name?: string;
  version?: string;
  dev?: boolean;
  link?: boolean;
}

/** The packages of a lockfile (v2/v3 `packages` map): the shipped tree unless `includeDev`. */
export function installedPackages(lock: unknown, includeDev: boolean): Installed[] {
  const packages = (lock as { packages?: Record<string, LockEntry> } | null)?.packages;
  if (packages === undefined || typeof packages !== 'object') throw new Error('package-lock.json has no "packages" map (lockfileVersion 2 or 3 needed)');
  const out: Installed[] = [];
  for (const [path, entry] of Object.entries(packages)) {
    if (path === '' || entry.link === true || entry.version === undefined) continue;
    if (entry.dev === true && !includeDev) continue;
    const name = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    out.push({ name, version: entry.version, path });
  }
  return out;
}

/** Checks installed packages against the table. */
export function auditPackages(installed: readonly Installed[], table: AdvisoryTable): AuditReport {
  const hits: string[] = [];
  const notes: string[] = [];
  const byName = new Map<string, Installed[]>();
  for (const p of installed) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  for (const p of installed) {
    if (!isVersion(p.version)) {
      notes.push(`${p.name} at ${p.path}: version "${p.version}" is not a registry version (git/file/alias?); check it by hand`);
      continue;
    }
    for (const a of table.advisories.filter((x) => x.package === p.name)) {
      const range = a.ranges.find((r) => inRange(p.version, r.introduced, r.fixed));
      if (range !== undefined) {
        hits.push(`${p.name}@${p.version} (${p.path}): ${a.id} [${a.severity}] ${a.summary}; ${range.fixed === null ? 'no fixed version: remove it' : `fixed in ${range.fixed}`}`);
      }
    }
  }
  for (const m of table.minimums) {
    const found = byName.get(m.package) ?? [];
    if (found.length === 0 && m.required) hits.push(`${m.package}: not in the shipped tree, but required at >= ${m.min} (${m.why})`);
    for (const p of found) {
      if (isVersion(p.version) && compareVersions(p.version, m.min) < 0) hits.push(`${p.name}@${p.version} (${p.path}): below the minimum ${m.min} (${m.why})`);
    }
  }
  for (const b of table.banned) {
    for (const p of byName.get(b.package) ?? []) hits.push(`${p.name}@${p.version} (${p.path}): banned package (${b.why})`);
  }
  return { checked: installed.length, hits, notes };
}

function argValue(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
}

/** The command line: prints the report, returns the exit code. */
export function main(args: readonly string[], out: (line: string) => void = console.log): number {
  const root = resolve(import.meta.dirname, '..', '..');
  const lockPath = argValue(args, '--lockfile') ?? join(root, 'package-lock.json');
  const tablePath = argValue(args, '--advisories') ?? join(root, 'scripts', 'advisories.json');
  const includeDev = args.includes('--include-dev');
  let installed: Installed[];
  let table: AdvisoryTable;
  try {
    installed = installedPackages(JSON.parse(readFileSync(lockPath, 'utf8')) as unknown, includeDev);
    table = JSON.parse(readFileSync(tablePath, 'utf8')) as AdvisoryTable;
  } catch (err) {
    out(`audit-deps: cannot read its inputs: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  const report = auditPackages(installed, table);
  out(`audit-deps: ${report.checked} ${includeDev ? '' : 'shipped (non-dev) '}packages of ${lockPath}`);
  out(`audit-deps: against ${table.advisories.length} advisories, ${table.minimums.length} minimum versions and ${table.banned.length} banned packages of ${tablePath}`);
  for (const n of report.notes) out(`  note: ${n}`);
  for (const h of report.hits) out(`  HIT: ${h}`);
  out(report.hits.length === 0 ? 'audit-deps: clean (no known advisory in the table matches)' : `audit-deps: ${report.hits.length} problem(s); upgrade or remove the packages above`);
  return report.hits.length === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
