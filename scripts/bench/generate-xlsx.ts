/**
 * Deterministic generator for issue 5's XLSX benchmark input: 100,000 rows × 10 columns written by
 * exceljs's streaming writer with shared strings and styles, as Excel itself would store them
 * (text in the shared-strings table, prices and weights as numbers, dates as date-formatted serials).
 * The columns are those of the reference CSV (generate-csv.ts).
 */
import { createWriteStream } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';

/** Bump whenever the generated workbook changes, so stale cached files are not reused. */
export const REFERENCE_XLSX_VERSION = 1;

/** Header cells of the reference workbook. */
export const REFERENCE_XLSX_HEADER = ['Order No', 'Customer', 'SKU', 'Qty', 'Price', 'Date', 'Status', 'Warehouse', 'Weight', 'Comment'] as const;

/** A generated reference workbook. */
export interface ReferenceXlsx {
  readonly path: string;
  /** Data rows, not counting the header row. */
  readonly rows: number;
  readonly bytes: number;
}

const SEED = 0x5eed_2027;

const CUSTOMERS: readonly string[] = [
  'Müller GmbH', 'Schäfer & Söhne KG', 'Bäckerei Köhler', 'Grüner Weg Handel', 'Jürgens Logistik',
  'Hofmann Büro AG', 'Krämer Metallbau', 'Weiß Elektro', 'Schröder Getränke', 'Fröhlich Textil',
  'Größ Maschinen', 'Lührs Holz', 'Vögele Bau', 'Möbelhaus Bäumer', 'Nürnberger Papier',
  'Düsseldorfer Drähte', 'Österreich Import', 'Zürcher Uhren AG', 'Gärtnerei Blümel', 'Stöckl Werkzeuge',
];

const COMMENTS: readonly string[] = [
  'Lieferung vormittags', 'bitte avisieren', 'Teillieferung ok', 'Rampe 3', 'Expressversand',
  'Ware prüfen', 'Rückfrage Einkauf', 'Palette tauschen', 'Kunde ruft an', 'Termin fix <fix>',
];

/** mulberry32, as in generate-csv.ts: the same workbook on every run. */
function createRandom(seed: number): (bound: number) => number {
  let state = seed >>> 0;
  return (bound) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * bound);
  };
}

function pick<T>(list: readonly T[], random: (bound: number) => number): T {
  const item = list[random(list.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/**
 * Writes the reference workbook with `rows` data rows to `path` with exceljs's streaming writer
 * (rows are committed as they are written, so memory stays flat).
 */
export async function generateReferenceXlsx(path: string, rows: number): Promise<ReferenceXlsx> {
  const random = createRandom(SEED);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: createWriteStream(path), useSharedStrings: true, useStyles: true });
  const sheet = workbook.addWorksheet('Orders');
  sheet.columns = REFERENCE_XLSX_HEADER.map((header) => ({ header, key: header }));
  const price = sheet.getColumn(5);
  price.numFmt = '#,##0.00';
  sheet.getColumn(6).numFmt = 'dd.mm.yyyy';
  sheet.getColumn(9).numFmt = '0.000';
  const firstDay = Date.UTC(2020, 0, 1);
  for (let n = 1; n <= rows; n++) {
    const comment = random(8) === 0 ? null : pick(COMMENTS, random);
    sheet.addRow([
      `ORD-${String(n).padStart(8, '0')}`,
      pick(CUSTOMERS, random),
      `SKU-${String(random(1_000_000)).padStart(6, '0')}`,
      1 + random(500),
      (1 + random(10_000_000)) / 100,
      new Date(firstDay + random(2557) * 86_400_000),
      random(4) === 0 ? 'C' : 'O',
      `WH${1 + random(5)}`,
      random(100_000) / 1000,
      comment,
    ]).commit();
  }
  sheet.commit();
  await workbook.commit();
  return { path, rows, bytes: (await stat(path)).size };
}

interface ReferenceMeta {
  readonly version: number;
  readonly rows: number;
  readonly bytes: number;
}

async function readMeta(path: string): Promise<ReferenceMeta | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const record = parsed as Record<string, unknown>;
    const { version, rows, bytes } = record;
    return typeof version === 'number' && typeof rows === 'number' && typeof bytes === 'number' ? { version, rows, bytes } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Returns the reference workbook with `rows` data rows in `dir`, generating it only when no
 * complete file of the current {@link REFERENCE_XLSX_VERSION} exists (temporary name, then rename,
 * then a `.meta.json` sidecar, so an interrupted run is never reused).
 */
export async function ensureReferenceXlsx(dir: string, rows: number): Promise<ReferenceXlsx & { readonly generated: boolean }> {
  const path = join(dir, `reference-${rows}.xlsx`);
  const metaPath = `${path}.meta.json`;
  const meta = await readMeta(metaPath);
  const size = await stat(path).then((s) => s.size, () => undefined);
  if (meta !== undefined && meta.version === REFERENCE_XLSX_VERSION && meta.rows === rows && meta.bytes === size) {
    return { path, rows, bytes: meta.bytes, generated: false };
  }
  const partial = `${path}.partial`;
  await rm(metaPath, { force: true });
  const written = await generateReferenceXlsx(partial, rows);
  await rename(partial, path);
  const fresh: ReferenceMeta = { version: REFERENCE_XLSX_VERSION, rows, bytes: written.bytes };
  await writeFile(metaPath, `${JSON.stringify(fresh)}\n`);
  return { ...written, path, generated: true };
}
