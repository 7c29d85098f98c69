import { join } from 'node:path';
import { crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';

import { openXlsxReader, type XlsxOptions } from '../../src/formats/xlsx/xlsx-reader.js';
import { XLSX_LIMITS, type XlsxLimits } from '../../src/formats/xlsx/limits.js';
import type { InputFile, RowReader, SourceRow } from '../../src/formats/types.js';

/** The repository's `samples/` folder (tests run compiled, three levels below the repository). */
export const SAMPLES = join(import.meta.dirname, '..', '..', '..', 'samples');

/** A sample workbook as a reader input. */
export function sample(name: string): InputFile {
  return { path: join(SAMPLES, name), name };
}

/** One entry of a hand-made ZIP archive. */
export interface ZipEntrySpec {
  readonly name: string;
  readonly data: Buffer | string;
  /** stored instead of deflated */
  readonly store?: boolean;
  /** the uncompressed size written in the headers, when it should lie */
  readonly declaredSize?: number;
}

/** An entry whose data is already compressed (for bombs too big to hold inflated). */
export interface RawZipEntry {
  readonly name: string;
  readonly deflated: Buffer;
  readonly crc: number;
  readonly size: number;
}

/**
 * Writes a ZIP archive by hand (local headers, central directory, end record), so that tests can
 * build archives that no well-behaved ZIP library would: lying sizes, `../` names, bombs.
 */
export function zipArchive(entries: readonly (ZipEntrySpec | RawZipEntry)[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    let body: Buffer;
    let crc: number;
    let size: number;
    let method: number;
    if ('deflated' in entry) {
      body = entry.deflated;
      crc = entry.crc;
      size = entry.size;
      method = 8;
    } else {
      const data = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data;
      body = entry.store === true ? data : deflateRawSync(data);
      crc = crc32(data);
      size = entry.declaredSize ?? data.length;
      method = entry.store === true ? 0 : 8;
    }
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** Deflates `bytes` bytes of the same repeated XML without ever holding them, for zip bombs. */
export async function deflatedRepeat(name: string, head: string, unit: string, bytes: number, tail: string): Promise<RawZipEntry> {
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => out.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  const block = Buffer.from(unit.repeat(Math.max(1, Math.floor((1 << 20) / unit.length))), 'utf8');
  let crc = 0;
  let size = 0;
  const write = (buf: Buffer): Promise<void> => {
    crc = crc32(buf, crc);
    size += buf.length;
    return deflate.write(buf) ? Promise.resolve() : new Promise((resolve) => deflate.once('drain', () => resolve()));
  };
  await write(Buffer.from(head, 'utf8'));
  while (size < bytes) await write(block);
  await write(Buffer.from(tail, 'utf8'));
  deflate.end();
  await done;
  return { name, deflated: Buffer.concat(out), crc, size };
}

/** One sheet of a hand-made workbook. */
export interface SheetSpec {
  readonly name: string;
  /** the inner XML of `<sheetData>` */
  readonly rows?: string;
  /** the whole sheet part, instead of `rows` */
  readonly xml?: string;
  readonly hidden?: boolean;
  /** a chart sheet (no cells) instead of a worksheet */
  readonly chart?: boolean;
  /** merged ranges such as `B1:D1` */
  readonly merges?: readonly string[];
  readonly dimension?: string;
}

/** A hand-made workbook: the parts a minimal SpreadsheetML package needs. */
export interface WorkbookSpec {
  readonly sheets: readonly SheetSpec[];
  /** entries of the shared-strings table (plain text), or its whole part */
  readonly sharedStrings?: readonly string[] | { readonly xml: string };
  /** the whole styles part */
  readonly styles?: string;
  readonly date1904?: boolean;
  /** more entries, e.g. to make hostile archives */
  readonly extra?: readonly (ZipEntrySpec | RawZipEntry)[];
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** Escapes text for XML content and attribute values. */
export function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A sheet part around the given `<sheetData>` rows. */
export function sheetXml(rows: string, options: { merges?: readonly string[]; dimension?: string } = {}): string {
  const merges = options.merges === undefined || options.merges.length === 0 ? '' : `<mergeCells count="${options.merges.length}">${options.merges.map((m) => `<mergeCell ref="${m}"/>`).join('')}</mergeCells>`;
  const dimension = options.dimension === undefined ? '' : `<dimension ref="${options.dimension}"/>`;
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="${MAIN}" xmlns:r="${REL}">${dimension}<sheetData>${rows}</sheetData>${merges}</worksheet>`;
}

/** A styles part with the given custom number formats and one cell format per listed numFmtId. */
export function stylesXml(numFmts: Readonly<Record<number, string>>, cellFormats: readonly number[]): string {
  const fmts = Object.entries(numFmts).map(([id, code]) => `<numFmt numFmtId="${id}" formatCode="${xmlText(code)}"/>`).join('');
  const xfs = cellFormats.map((id) => `<xf numFmtId="${id}" fontId="0" fillId="0" borderId="0" xfId="0"/>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="${MAIN}"><numFmts count="${Object.keys(numFmts).length}">${fmts}</numFmts><cellXfs count="${cellFormats.length}">${xfs}</cellXfs></styleSheet>`;
}

/** The bytes of a workbook built from `spec`. */
export function workbookBytes(spec: WorkbookSpec): Buffer {
  const folder = (s: SheetSpec): string => (s.chart === true ? 'chartsheets' : 'worksheets');
  const sheetEntries = spec.sheets.map((s, i) => ({ name: `xl/${folder(s)}/sheet${i + 1}.xml`, data: s.xml ?? sheetXml(s.rows ?? '', s) }));
  const rels = spec.sheets.map((s, i) => `<Relationship Id="rId${i + 1}" Type="${REL}/${s.chart === true ? 'chartsheet' : 'worksheet'}" Target="${folder(s)}/sheet${i + 1}.xml"/>`);
  const entries: (ZipEntrySpec | RawZipEntry)[] = [
    { name: '[Content_Types].xml', data: '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>' },
    { name: '_rels/.rels', data: `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>` },
    {
      name: 'xl/workbook.xml',
      data: `<?xml version="1.0"?><workbook xmlns="${MAIN}" xmlns:r="${REL}"><workbookPr${spec.date1904 === true ? ' date1904="1"' : ''}/><sheets>${spec.sheets
        .map((s, i) => `<sheet name="${xmlText(s.name)}" sheetId="${i + 1}"${s.hidden === true ? ' state="hidden"' : ''} r:id="rId${i + 1}"/>`)
        .join('')}</sheets></workbook>`,
    },
    ...sheetEntries,
  ];
  if (spec.sharedStrings !== undefined) {
    const sst = 'xml' in spec.sharedStrings ? spec.sharedStrings.xml : `<?xml version="1.0"?><sst xmlns="${MAIN}">${spec.sharedStrings.map((t) => `<si><t xml:space="preserve">${xmlText(t)}</t></si>`).join('')}</sst>`;
    entries.push({ name: 'xl/sharedStrings.xml', data: sst });
    rels.push(`<Relationship Id="rIdS" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>`);
  }
  if (spec.styles !== undefined) {
    entries.push({ name: 'xl/styles.xml', data: spec.styles });
    rels.push(`<Relationship Id="rIdT" Type="${REL}/styles" Target="styles.xml"/>`);
  }
  entries.push({ name: 'xl/_rels/workbook.xml.rels', data: `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels.join('')}</Relationships>` });
  entries.push(...(spec.extra ?? []));
  return zipArchive(entries);
}

/** A row of cells for {@link sheetXml}: strings become inline strings, numbers numbers. */
export function rowXml(row: number, cells: readonly (string | number | undefined)[]): string {
  const xml = cells.map((v, i) => {
    const ref = `${String.fromCharCode(65 + i)}${row}`;
    if (v === undefined) return '';
    if (typeof v === 'number') return `<c r="${ref}"><v>${v}</v></c>`;
    return `<c r="${ref}" t="inlineStr"><is><t>${xmlText(v)}</t></is></c>`;
  });
  return `<row r="${row}">${xml.join('')}</row>`;
}

/**
 * A minimal OLE compound file (the container of `.xls` workbooks and of encrypted OOXML) holding
 * empty streams and storages of the given names, enough for a reader that looks at its directory.
 */
export function oleFile(entries: readonly { name: string; storage?: boolean }[]): Buffer {
  const sector = 512;
  const header = Buffer.alloc(sector);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(header, 0);
  header.writeUInt16LE(0x3e, 0x18);
  header.writeUInt16LE(3, 0x1a);
  header.writeUInt16LE(0xfffe, 0x1c);
  header.writeUInt16LE(9, 0x1e);
  header.writeUInt16LE(6, 0x20);
  header.writeUInt32LE(1, 0x2c);
  header.writeUInt32LE(1, 0x30);
  header.writeUInt32LE(4096, 0x38);
  header.writeUInt32LE(0xfffffffe, 0x3c);
  header.writeUInt32LE(0xfffffffe, 0x44);
  for (let i = 0; i < 109; i++) header.writeUInt32LE(i === 0 ? 0 : 0xffffffff, 0x4c + i * 4);
  const fat = Buffer.alloc(sector, 0xff);
  fat.writeUInt32LE(0xfffffffd, 0);
  fat.writeUInt32LE(0xfffffffe, 4);
  const dir = Buffer.alloc(sector);
  const all = [{ name: 'Root Entry', type: 5 }, ...entries.map((e) => ({ name: e.name, type: e.storage === true ? 1 : 2 }))];
  if (all.length > 4) throw new Error('oleFile: at most 3 entries');
  all.forEach((e, i) => {
    const at = i * 128;
    const name = Buffer.from(`${e.name}\u0000`, 'utf16le');
    name.copy(dir, at);
    dir.writeUInt16LE(name.length, at + 0x40);
    dir[at + 0x42] = e.type;
    dir.writeUInt32LE(0xffffffff, at + 0x44);
    dir.writeUInt32LE(0xffffffff, at + 0x48);
    dir.writeUInt32LE(i === 0 && all.length > 1 ? 1 : 0xffffffff, at + 0x4c);
    dir.writeUInt32LE(0xfffffffe, at + 0x74);
  });
  return Buffer.concat([header, fat, dir]);
}

/** Opens a workbook and reads all its rows. */
export async function readXlsx(file: InputFile, options: XlsxOptions = {}, limits: Partial<XlsxLimits> = {}): Promise<{ reader: RowReader; rows: SourceRow[] }> {
  const reader = await openXlsxReader(file, options, { ...XLSX_LIMITS, ...limits });
  const rows: SourceRow[] = [];
  for await (const batch of reader.batches()) rows.push(...batch);
  return { reader, rows };
}

/** Row numbers and cells (`width` of them, empty ones undefined), as a person would check them. */
export function rowsOf(rows: readonly SourceRow[], width: number): [number, readonly unknown[]][] {
  return rows.map((r) => [r.row, Array.from({ length: width }, (_, i) => r.cells[i])]);
}
