import { InputError } from '../errors.js';

const MAGIC: readonly { bytes: readonly number[]; what: string; hint: string }[] = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive (an .xlsx workbook is one)', hint: 'set format.type: xlsx if it is an Excel workbook' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: 'an old binary Excel (.xls) or Office file', hint: 'save it as .xlsx or CSV in the ERP' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document', hint: 'ask for a CSV, Excel or XML export instead' },
  { bytes: [0x1f, 0x8b], what: 'a gzip-compressed file', hint: 'decompress it first' },
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image', hint: 'this is not a data export' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image', hint: 'this is not a data export' },
];

/**
 * Refuses files that are not text before a text parser sees them: known binary formats by their
 * magic bytes, and anything else with many NUL or control bytes. A stray NUL in an otherwise
 * textual file is left to the parser, which rejects just that row.
 */
export function assertLooksLikeText(head: Buffer, fileName: string, encoding: string | undefined): void {
  for (const magic of MAGIC) {
    if (magic.bytes.every((b, i) => head[i] === b)) {
      throw new InputError('E_FORMAT_MISMATCH', `${fileName} is ${magic.what}, not a text file; ${magic.hint}`, { location: { file: fileName } });
    }
  }
  if (encoding === 'utf-16le' || encoding === 'utf-16be') return;
  if (head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) return;
  let control = 0;
  let firstControl = -1;
  for (let i = 0; i < head.length; i++) {
    const b = head[i] ?? 0;
    if (b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1a && b !== 0x1b)) {
      control++;
      if (firstControl === -1) firstControl = i;
    }
  }
  if (head.length > 0 && control > 8 && control / head.length > 0.01) {
    throw new InputError('E_NOT_TEXT', `${fileName} does not look like a text file (binary bytes, the first at byte ${firstControl}); check that the right file was exported`, {
      location: { file: fileName, byteOffset: firstControl },
    });
  }
}
