import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';

import { FerryError } from '../../errors.js';
import { FORMAT_BY_EXTENSION, inspectSample, starterProfileYaml } from '../../preview/starter-profile.js';
import type { ProfileFormat } from '../../profiles/schema.js';
import type { GlobalOptions } from '../options.js';
import type { CommandIo } from '../types.js';

/** Flags of `ferry profile new`. */
export interface ProfileNewFlags {
  from: string;
  id?: string;
  format?: string;
  record?: string;
  sheet?: string;
  headerRow?: string;
  force?: boolean;
}

/** `ferry profile new --from <sample>`: writes a starter profile with the detections filled in. */
export async function profileNewCommand(options: GlobalOptions, flags: ProfileNewFlags, io: CommandIo): Promise<number> {
  if (!existsSync(flags.from)) {
    io.err(`${flags.from}: no such file`);
    return 2;
  }
  const type = (flags.format ?? FORMAT_BY_EXTENSION[extname(flags.from).toLowerCase()] ?? 'csv') as ProfileFormat['type'];
  const id = flags.id ?? (basename(flags.from, extname(flags.from)).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'new-profile');
  const target = join(options.profiles, `${id}.yaml`);
  if (existsSync(target) && flags.force !== true) {
    io.err(`${target} exists already; choose another --id or add --force`);
    return 2;
  }
  const format: ProfileFormat = {
    type,
    ...(type === 'csv' ? { encoding: 'auto', delimiter: 'auto' } : {}),
    ...(flags.record === undefined ? {} : { record: flags.record }),
    ...(flags.sheet === undefined ? {} : { sheet: /^\d+$/.test(flags.sheet) ? Number(flags.sheet) : flags.sheet }),
    ...(flags.headerRow === undefined ? {} : { headerRow: Number(flags.headerRow) }),
  };
  try {
    const sample = await inspectSample({ path: flags.from, name: basename(flags.from) }, format);
    await mkdir(options.profiles, { recursive: true });
    await writeFile(target, starterProfileYaml(id, flags.from, format, sample.detected, sample.guesses));
    io.out(target);
    io.err(`wrote ${target} with ${sample.guesses.length} fields from ${sample.rowsRead} sample rows; next: edit the target, then npx ferry check && npx ferry preview ${id} ${flags.from}`);
    return 0;
  } catch (err) {
    if (err instanceof FerryError && err.kind === 'input') {
      io.err(`${flags.from}: ${err.code}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
