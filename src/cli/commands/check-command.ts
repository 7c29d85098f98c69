import { formatProblem, listProfileFiles, loadProfileSet } from '../../profiles/load.js';
import type { GlobalOptions } from '../options.js';
import type { CommandIo } from '../types.js';

/** `ferry check`: validates every profile and connection and prints every problem. Exit 0 or 2. */
export async function checkCommand(options: GlobalOptions, io: CommandIo): Promise<number> {
  const files = await listProfileFiles(options.profiles);
  const set = await loadProfileSet(options.profiles);
  for (const p of set.problems) io.out(formatProblem(p));
  const errors = set.problems.filter((p) => p.severity === 'error').length;
  const warnings = set.problems.length - errors;
  const invalid = files.length - set.profiles.size;
  if (errors === 0) {
    io.err(`${set.profiles.size} profile${set.profiles.size === 1 ? '' : 's'} and ${set.connections.size} connection${set.connections.size === 1 ? '' : 's'} valid${warnings > 0 ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}`);
    return 0;
  }
  io.err(`${errors} problem${errors === 1 ? '' : 's'} found; ${invalid} of ${files.length} profile${files.length === 1 ? '' : 's'} invalid`);
  return 2;
}
