import { InputError } from '../../errors.js';
import type { InputFile } from '../types.js';
import { MAX_CELL_CHARS, type XlsxLimits } from './limits.js';
import { unescapeCellText } from './cell-values.js';
import { scanPart } from './xml-part.js';
import type { ZipArchive, ZipPart } from './zip-archive.js';


/** The workbook's shared strings, rich text flattened to plain text. */
export interface SharedStrings {
  readonly strings: readonly string[];
  /** entries longer than {@link MAX_CELL_CHARS}: kept as "" so that they cost nothing, and reported per cell */
  readonly tooLong: ReadonlySet<number>;
}

/**
 * Reads the shared-strings table. Rich text runs are concatenated; phonetic guides (`rPh`, the
 * furigana of Japanese workbooks) are not part of the text and are left out. A table of more
 * than 5,000,000 entries or 100 M characters is refused as hostile (E_ARCHIVE_LIMIT) as soon as it
 * gets there, before it fills memory.
 */
export async function readSharedStrings(archive: ZipArchive, file: InputFile, part: ZipPart | undefined, limits: XlsxLimits): Promise<SharedStrings> {
  const strings: string[] = [];
  const tooLong = new Set<number>();
  if (part === undefined) return { strings, tooLong };
  const location = { file: file.name };
  let total = 0;
  let current = '';
  let length = 0;
  let inItem = false;
  let inText = false;
  let phonetic = 0;
  await scanPart(archive, file, part, {
    open(name) {
      if (name === 'si') {
        if (strings.length >= limits.maxSharedStrings) {
          throw new InputError('E_ARCHIVE_LIMIT', `${file.name} has more than ${limits.maxSharedStrings} shared strings; it is refused as hostile`, { location });
        }
        inItem = true;
        current = '';
        length = 0;
      } else if (name === 'rPh') {
        phonetic++;
      } else if (name === 't' && inItem && phonetic === 0) {
        inText = true;
      }
    },
    close(name) {
      if (name === 't') {
        inText = false;
      } else if (name === 'rPh') {
        phonetic--;
      } else if (name === 'si') {
        inItem = false;
        if (length > MAX_CELL_CHARS) tooLong.add(strings.length);
        strings.push(length > MAX_CELL_CHARS ? '' : unescapeCellText(current));
      }
    },
    text(text) {
      if (!inText) return;
      length += text.length;
      total += text.length;
      if (total > limits.maxSharedStringChars) {
        throw new InputError('E_ARCHIVE_LIMIT', `${file.name} has more than ${limits.maxSharedStringChars / (1024 * 1024)} M characters of shared strings; it is refused as hostile`, { location });
      }
      if (length <= MAX_CELL_CHARS) current += text;
    },
  });
  return { strings, tooLong };
}
