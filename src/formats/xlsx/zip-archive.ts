import { pipeline, type Readable, type Transform } from 'node:stream';
import { crc32, createInflateRaw } from 'node:zlib';

import yauzl, { type Entry, type ZipFile } from 'yauzl';

import { InputError } from '../../errors.js';
import type { InputFile } from '../types.js';
import type { XlsxLimits } from './limits.js';


const INFLATE_CHUNK = 64 * 1024;

/** One part of the archive, as its central directory describes it. */
export interface ZipPart {
  /** the name as stored, `/`-separated */
  readonly name: string;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
}

/** An open, checked archive. Parts are found by name regardless of case, as OPC part names are. */
export interface ZipArchive {
  part(name: string): ZipPart | undefined;
  /** the part's bytes, inflated, in chunks; a damaged part throws E_XLSX_CORRUPT */
  read(part: ZipPart): AsyncGenerator<Buffer>;
  close(): void;
}

/**
 * Opens a workbook's ZIP archive and checks its central directory before anything is inflated:
 * entry count, declared sizes, compression ratios and entry names. Every part is then held to its
 * declared size (and CRC-32) while it inflates, so the checked numbers are the real ones.
 */
export async function openZipArchive(file: InputFile, limits: XlsxLimits): Promise<ZipArchive> {
  const location = { file: file.name };
  let zip: ZipFile;
  try {
    zip = await yauzl.openPromise(file.path, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true });
  } catch (err) {
    throw corrupt(file, err);
  }
  const parts = new Map<string, { part: ZipPart; entry: Entry }>();
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw new InputError('E_ARCHIVE_LIMIT', `${file.name} holds ${zip.entryCount} ZIP entries; a workbook has far fewer, so it is refused (limit ${limits.maxEntries})`, { location });
    }
    let total = 0;
    for await (const entry of zip.eachEntry()) {
      const name = entryName(entry);
      checkName(file, name);
      const size = entry.uncompressedSize;
      if (size > limits.maxEntryBytes) {
        throw new InputError('E_ARCHIVE_LIMIT', `${file.name}: the part ${name} would inflate to ${mb(size)}, more than the ${mb(limits.maxEntryBytes)} ferry accepts for one part`, { location });
      }
      total += size;
      if (total > limits.maxTotalBytes) {
        throw new InputError('E_ARCHIVE_LIMIT', `${file.name} would inflate to more than ${mb(limits.maxTotalBytes)}; it is refused`, { location });
      }
      if (size > limits.ratioFloorBytes && size > entry.compressedSize * limits.maxRatio) {
        throw new InputError('E_ARCHIVE_LIMIT', `${file.name} looks like a zip bomb: the part ${name} inflates from ${mb(entry.compressedSize)} to ${mb(size)} (more than ${limits.maxRatio}:1)`, { location });
      }
      if (entry.isEncrypted()) throw new InputError('E_XLSX_ENCRYPTED', `${file.name}: the part ${name} is encrypted; save the workbook without a password`, { location });
      if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
        throw new InputError('E_XLSX_CORRUPT', `${file.name}: the part ${name} uses ZIP compression method ${entry.compressionMethod}, which workbooks do not use`, { location });
      }
      const key = name.toLowerCase();
      if (parts.has(key)) throw new InputError('E_XLSX_CORRUPT', `${file.name}: the part ${name} appears twice in the archive`, { location });
      parts.set(key, { part: { name, compressedSize: entry.compressedSize, uncompressedSize: size }, entry });
    }
  } catch (err) {
    zip.close();
    throw err instanceof InputError ? err : corrupt(file, err);
  }
  return {
    part: (name) => parts.get(name.toLowerCase())?.part,
    async *read(part) {
      const found = parts.get(part.name.toLowerCase());
      if (found === undefined) throw new InputError('E_XLSX_CORRUPT', `${file.name} has no part ${part.name}`, { location });
      const { entry } = found;
      let raw: Readable | undefined;
      let inflate: Transform | undefined;
      try {
        raw = await zip.openReadStreamPromise(entry, { decodeFileData: false });
        let stream: Readable = raw;
        if (entry.compressionMethod === 8) {
          // larger chunks than zlib's 16 KiB default: a quarter of the stream callbacks
          const inflater = createInflateRaw({ chunkSize: INFLATE_CHUNK });
          inflate = inflater;
          stream = inflater;
          pipeline(raw, inflater, () => undefined);
        }
        let total = 0;
        let crc = 0;
        for await (const chunk of stream) {
          const bytes = chunk as Buffer;
          total += bytes.length;
          // held to the size the central directory declared, which the limits were checked against
          if (total > part.uncompressedSize) throw corrupt(file, new Error(`it inflates to more than the ${part.uncompressedSize} bytes it declares`), part.name);
          crc = crc32(bytes, crc);
          yield bytes;
        }
        if (total !== part.uncompressedSize) throw corrupt(file, new Error(`it inflates to ${total} bytes, not the ${part.uncompressedSize} it declares`), part.name);
        if (crc >>> 0 !== entry.crc32 >>> 0) throw corrupt(file, new Error('its CRC-32 does not match'), part.name);
      } catch (err) {
        throw err instanceof InputError ? err : corrupt(file, err, part.name);
      } finally {
        inflate?.destroy();
        raw?.destroy();
      }
    },
    close: () => zip.close(),
  };
}

/** With decodeStrings off yauzl leaves names raw, so that ferry, not yauzl, judges them. */
function entryName(entry: Entry): string {
  const utf8 = (entry.generalPurposeBitFlag & 0x800) !== 0;
  return entry.fileNameRaw.toString(utf8 ? 'utf8' : 'latin1');
}

function checkName(file: InputFile, name: string): void {
  let why: string | undefined;
  if (name.includes('\\')) why = 'contains a backslash';
  else if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) why = 'is an absolute path';
  else if (name.split('/').includes('..')) why = 'climbs out of the archive with ".."';
  else if (name.includes('\u0000')) why = 'contains a NUL character';
  if (why !== undefined) {
    throw new InputError('E_ARCHIVE_PATH', `${file.name} is refused: its ZIP entry ${JSON.stringify(name)} ${why}, which no workbook does`, { location: { file: file.name } });
  }
}

function corrupt(file: InputFile, err: unknown, part?: string): InputError {
  const why = err instanceof Error ? err.message : String(err);
  return new InputError('E_XLSX_CORRUPT', `${file.name} is not a readable workbook${part === undefined ? '' : ` (part ${part})`}: the ZIP archive is damaged or truncated (${why})`, {
    cause: err,
    location: { file: file.name },
  });
}

function mb(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
