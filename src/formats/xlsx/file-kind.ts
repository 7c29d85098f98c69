import { open, type FileHandle } from 'node:fs/promises';

import { InputError } from '../../errors.js';
import type { InputFile } from '../types.js';

const HEAD_BYTES = 4096;
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
/** OLE sector numbers at and above this are markers (end of chain, free, FAT), not sectors */
const MAX_REG_SECT = 0xfffffffa;
/** a directory far longer than any Office file's: a loop in a corrupt chain ends here */
const MAX_DIRECTORY_SECTORS = 4096;

/**
 * Makes sure a file named as an XLSX workbook is a ZIP archive before the ZIP reader sees it, and
 * tells apart what legacy systems send instead: an old binary `.xls`, a password-protected workbook
 * (Excel stores those in an OLE container with an EncryptionInfo stream, not as a ZIP), an HTML
 * table or a CSV file given an `.xlsx` name.
 */
export async function assertZipWorkbook(file: InputFile): Promise<void> {
  const handle = await open(file.path, 'r');
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(head, 0, HEAD_BYTES, 0);
    const bytes = head.subarray(0, bytesRead);
    const location = { file: file.name, byteOffset: 0 };
    if (bytes.length === 0) throw new InputError('E_EMPTY_FILE', `${file.name} is empty`, { location });
    if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return;
    if (startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) throw new InputError('E_XLSX_CORRUPT', `${file.name} is an empty ZIP archive, not a workbook`, { location });
    if (startsWith(bytes, OLE_MAGIC)) {
      const streams = await oleStreamNames(handle).catch(() => undefined);
      if (streams?.has('encryptioninfo') === true || streams?.has('encryptedpackage') === true) {
        throw new InputError('E_XLSX_ENCRYPTED', `${file.name} is a password-protected (encrypted) Excel workbook; ferry cannot read it: save it without a password (File › Info › Protect Workbook › Encrypt with Password, clear the password)`, { location });
      }
      if (streams !== undefined && !streams.has('workbook') && !streams.has('book')) {
        throw new InputError('E_FORMAT_MISMATCH', `${file.name} is an old binary Office document (not a workbook); ask for an .xlsx or CSV export`, { location });
      }
      throw new InputError('E_XLS_UNSUPPORTED', `${file.name} is an old binary Excel workbook (.xls), which ferry does not read; save it as .xlsx (Excel Workbook) or export CSV`, { location });
    }
    throw new InputError('E_FORMAT_MISMATCH', `${file.name} is not an Excel workbook (.xlsx, a ZIP archive): it looks like ${describe(bytes)}`, { location });
  } finally {
    await handle.close();
  }
}

function startsWith(bytes: Buffer, magic: readonly number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

/** What a non-ZIP file looks like, with the hint that helps the admin. */
function describe(bytes: Buffer): string {
  const text = bytes.toString('latin1').replace(/^\u00ef\u00bb\u00bf/, '').trimStart().slice(0, 512).toLowerCase();
  if (/^<(!doctype html|html|table|head|body|meta)\b/.test(text) || (text.startsWith('<') && /<(html|table)\b/.test(text))) {
    return 'an HTML page (some ERPs write an HTML table and name it .xlsx); export a real .xlsx, or CSV with format.type: csv';
  }
  if (text.startsWith('<?xml') || text.startsWith('<')) {
    return text.includes('urn:schemas-microsoft-com:office:spreadsheet')
      ? 'an Excel 2003 XML spreadsheet; save it as .xlsx (Excel Workbook)'
      : 'an XML document; use format.type: xml if it is an XML export';
  }
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46])) return 'a PDF document; ask for an .xlsx or CSV export';
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) return 'a UTF-16 text file (Excel\'s "Unicode Text"?); set format.type: csv if it is one';
  let control = 0;
  for (const b of bytes) if (b < 0x09 || (b > 0x0d && b < 0x20)) control++;
  if (control === 0 || control / bytes.length < 0.01) return 'a text file (a CSV export?); set format.type: csv if it is one';
  return 'some other binary file; check that the right file was exported';
}

/**
 * The names (lower case) of the streams and storages in an OLE compound file, read from its
 * directory: enough to tell an encrypted OOXML package from a BIFF `.xls` workbook.
 */
async function oleStreamNames(handle: FileHandle): Promise<Set<string>> {
  const header = await readAt(handle, 0, 512);
  const shift = header.readUInt16LE(0x1e);
  if (shift !== 9 && shift !== 12) throw new Error('bad sector size');
  const sectorSize = 1 << shift;
  const perSector = sectorSize / 4;
  const difat: number[] = [];
  for (let i = 0; i < 109; i++) difat.push(header.readUInt32LE(0x4c + i * 4));
  let difatSector = header.readUInt32LE(0x44);
  const sectorAt = (n: number): number => (n + 1) * sectorSize;
  for (let guard = 0; difatSector < MAX_REG_SECT && guard < MAX_DIRECTORY_SECTORS; guard++) {
    const block = await readAt(handle, sectorAt(difatSector), sectorSize);
    for (let i = 0; i < perSector - 1; i++) difat.push(block.readUInt32LE(i * 4));
    difatSector = block.readUInt32LE((perSector - 1) * 4);
  }
  const next = async (sector: number): Promise<number> => {
    const fatSector = difat[Math.floor(sector / perSector)];
    if (fatSector === undefined || fatSector >= MAX_REG_SECT) return 0xfffffffe;
    return (await readAt(handle, sectorAt(fatSector) + (sector % perSector) * 4, 4)).readUInt32LE(0);
  };
  const names = new Set<string>();
  let sector = header.readUInt32LE(0x30);
  for (let guard = 0; sector < MAX_REG_SECT && guard < MAX_DIRECTORY_SECTORS; guard++) {
    const block = await readAt(handle, sectorAt(sector), sectorSize);
    for (let at = 0; at + 128 <= block.length; at += 128) {
      const length = block.readUInt16LE(at + 0x40);
      const type = block[at + 0x42];
      if (length >= 2 && length <= 64 && (type === 1 || type === 2)) names.add(block.toString('utf16le', at, at + length - 2).toLowerCase());
    }
    sector = await next(sector);
  }
  return names;
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buf, 0, length, position);
  if (bytesRead !== length) throw new Error('short read');
  return buf;
}
