import { join } from 'node:path';

import { formatProblem, loadProfileSet } from '../../profiles/load.js';
import { listProfileTests, profileOfTest, runProfileTest } from '../../profiles/profile-tests.js';
import type { GlobalOptions } from '../options.js';
import type { CommandIo } from '../types.js';

/**
 * `ferry test [profile]`: runs the profile tests (`profiles/<id>.test.yaml`) of one profile or of
 * all. Exit 0 when every test passes, 1 when one fails, 2 when a profile or test file is invalid.
 */
export async function testCommand(options: GlobalOptions, profileId: string | undefined, io: CommandIo): Promise<number> {
  const files = (await listProfileTests(options.profiles)).filter((f) => profileId === undefined || profileOfTest(f) === profileId);
  if (files.length === 0) {
    io.err(profileId === undefined ? `no profile tests (<id>.test.yaml) in ${options.profiles}` : `no test file ${profileId}.test.yaml in ${options.profiles}`);
    return profileId === undefined ? 0 : 2;
  }
  const set = await loadProfileSet(options.profiles, { unresolvedSecrets: 'warn', ...(profileId === undefined ? {} : { only: profileId }) });
  let failed = 0;
  let invalid = 0;
  for (const file of files) {
    const id = profileOfTest(file);
    const loaded = set.profiles.get(id);
    if (loaded === undefined) {
      invalid++;
      io.out(`✖ ${file}: profile ${id} is missing or invalid`);
      for (const p of set.problems.filter((q) => q.file.endsWith(`${id}.yaml`))) io.out(`    ${formatProblem(p)}`);
      continue;
    }
    const result = await runProfileTest(join(options.profiles, file), loaded);
    if (result.problems.length > 0) {
      invalid++;
      io.out(`✖ ${file}: the test file is invalid`);
      for (const p of result.problems) io.out(`    ${formatProblem(p)}`);
    } else if (result.passed) {
      io.out(`✔ ${file}`);
    } else {
      failed++;
      io.out(`✖ ${file}`);
      for (const d of result.differences) io.out(`    ${d}`);
    }
  }
  io.err(`${files.length - failed - invalid} of ${files.length} profile tests passed`);
  return invalid > 0 ? 2 : failed > 0 ? 1 : 0;
}
