import { InputError } from '../errors.js';
import type { ProfileFormat } from '../profiles/schema.js';
import { FORMAT_READERS } from '../registry.js';
import type { InputFile, RowReader } from './types.js';

/** Opens a file with the reader of the profile's format type (csv when none is given). */
export async function openReader(file: InputFile, format: ProfileFormat | undefined): Promise<RowReader> {
  const type = format?.type ?? 'csv';
  const open = FORMAT_READERS[type];
  if (open === undefined) {
    throw new InputError('E_FORMAT_MISMATCH', `format.type ${type} is not supported yet; supported: ${Object.keys(FORMAT_READERS).join(', ')}`);
  }
  return open(file, format ?? { type: 'csv' });
}
