import { openCsvReader } from './formats/csv/csv-reader.js';
import type { InputFile, RowReader } from './formats/types.js';
import type { ProfileFormat } from './profiles/schema.js';

/** Opens a file of one format with a profile's `format` settings. */
export type FormatReaderFactory = (file: InputFile, format: ProfileFormat) => Promise<RowReader>;

/**
 * The one list of component kinds ferry knows. A kind that is not here does not exist: adding a
 * format, a source or a target means adding it here, where a reader can see them all.
 */
export const FORMAT_READERS: Readonly<Partial<Record<ProfileFormat['type'], FormatReaderFactory>>> = {
  csv: (file, format) => openCsvReader(file, format),
};
