import { existsSync } from 'node:fs';
import { basename } from 'node:path';

import { FerryError } from '../../errors.js';
import { toJson } from '../../json/to-json.js';
import { previewFile } from '../../preview/preview-file.js';
import { renderPreview } from '../../preview/render-preview.js';
import { formatProblem, loadProfileSet } from '../../profiles/load.js';
import { parseParamArgs, resolveParams } from '../../profiles/run-params.js';
import type { GlobalOptions } from '../options.js';
import type { CommandIo } from '../types.js';

/** `ferry preview <profile> <file>`: maps a local file and shows records, rejected rows and request bodies. */
export async function previewCommand(options: GlobalOptions, profileId: string, filePath: string, flags: { rows?: string; json?: boolean; param?: string[] }, io: CommandIo): Promise<number> {
  const rows = flags.rows === undefined ? 0 : Number(flags.rows);
  if (!Number.isInteger(rows) || rows < 0) {
    io.err(`--rows must be a whole number of rows (0 for all), not "${flags.rows ?? ''}"`);
    return 2;
  }
  const set = await loadProfileSet(options.profiles, { only: profileId, unresolvedSecrets: 'warn' });
  for (const p of set.problems) io.err(formatProblem(p));
  const loaded = set.profiles.get(profileId);
  if (loaded === undefined) {
    if (set.problems.length === 0) io.err(`no profile "${profileId}" in ${options.profiles}`);
    return 2;
  }
  const parsedArgs = parseParamArgs(flags.param ?? []);
  const params = parsedArgs.ok ? resolveParams(loaded.profile.params, parsedArgs.given) : parsedArgs;
  if (!params.ok) {
    for (const p of params.problems) io.err(`${profileId}: ${p}`);
    return 2;
  }
  if (!existsSync(filePath)) {
    io.err(`${filePath}: no such file`);
    return 1;
  }
  try {
    const result = await previewFile(loaded, { path: filePath, name: basename(filePath) }, { rows, params: params.params });
    io.out(flags.json === true ? toJson(result, '  ') : renderPreview(profileId, result, loaded.mapping.fieldNames));
    return 0;
  } catch (err) {
    if (err instanceof FerryError && err.kind === 'input') {
      if (flags.json === true) io.out(toJson({ error: { code: err.code, message: err.message, location: err.location ?? null } }, '  '));
      io.err(`${filePath}: ${err.code}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
