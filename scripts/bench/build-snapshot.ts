/**
 * A private copy of the compiled ferry (bin/ferry.js, dist/src, the compiled bench scripts) for one
 * benchmark run. On a shared checkout others rebuild or clean dist/ at any time; the runs of one
 * benchmark must all measure the same build, and must not fail half-way because dist/ vanished.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

/** Where the copied build lives. */
export interface BuildSnapshot {
  /** The copied `bin/ferry.js`, which loads the copied `dist/src`. */
  readonly ferryBin: string;
  /** The copied compiled bench scripts (case-delivery-floor.js, delivery-target.js …). */
  readonly benchDir: string;
  /** What was copied, for the report: `commit 1a2b3c4, 3 files under src/ changed since`. */
  readonly description: string;
}

/**
 * The commit the checkout is on and how many files under `folders` differ from it; git errors are
 * reported, not thrown.
 */
export async function describeCheckout(repoRoot: string, folders: readonly string[] = ['src']): Promise<string> {
  const git = promisify(execFile);
  try {
    const head = (await git('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot })).stdout.trim();
    const changed = (await git('git', ['status', '--porcelain', '--', ...folders], { cwd: repoRoot })).stdout.split('\n').filter((line) => line.trim() !== '').length;
    const where = folders.map((folder) => `${folder}/`).join(' and ');
    return `commit ${head}, ${changed === 0 ? 'no files' : `${changed} file${changed === 1 ? '' : 's'}`} under ${where} changed since`;
  } catch (error) {
    return `unknown commit (${(error as Error).message.split('\n')[0] ?? 'git failed'})`;
  }
}

/**
 * Copies the build that contains `benchDir` (a compiled `<outDir>/scripts/bench`) into `into`.
 * Packages still resolve from the repository's node_modules, since `into` is inside it.
 */
export async function snapshotBuild(repoRoot: string, benchDir: string, into: string): Promise<BuildSnapshot> {
  const outDir = resolve(benchDir, '..', '..');
  await mkdir(join(into, 'bin'), { recursive: true });
  await cp(join(repoRoot, 'package.json'), join(into, 'package.json'));
  await cp(join(repoRoot, 'bin', 'ferry.js'), join(into, 'bin', 'ferry.js'));
  const onlyJs = (source: string): boolean => !source.endsWith('.map');
  await cp(join(outDir, 'src'), join(into, 'dist', 'src'), { recursive: true, filter: onlyJs });
  await cp(benchDir, join(into, 'dist', 'scripts', 'bench'), { recursive: true, filter: onlyJs });
  const description = await describeCheckout(repoRoot);
  return { ferryBin: join(into, 'bin', 'ferry.js'), benchDir: join(into, 'dist', 'scripts', 'bench'), description };
}
