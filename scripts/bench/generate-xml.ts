/**
 * Deterministic generator for issue 5's XML benchmark input: an order export of `records` <Order>
 * elements (500,000 make about 110 MB) under a root in a default namespace, with attributes,
 * leading-zero numbers, non-ASCII text and the odd `&amp;`, one record per line as ERPs write them.
 */
import { createWriteStream } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';

/** Bump whenever the generated document changes, so stale cached files are not reused. */
export const REFERENCE_XML_VERSION = 1;

/** The record path of the reference document. */
export const REFERENCE_XML_RECORD = '/Orders/Order';

/** A generated reference document. */
export interface ReferenceXml {
  readonly path: string;
  readonly records: number;
  readonly bytes: number;
}

const SEED = 0x5eed_2028;

const CUSTOMERS: readonly string[] = [
  'Müller GmbH', 'Schäfer &amp; Söhne KG', 'Bäckerei Köhler', 'Grüner Weg Handel', 'Jürgens Logistik',
  'Hofmann Büro AG', 'Krämer Metallbau', 'Weiß Elektro', 'Schröder Getränke', 'Fröhlich Textil',
  'Größ Maschinen', 'Lührs Holz', 'Vögele Bau', 'Möbelhaus Bäumer', 'Nürnberger Papier',
];

const COMMENTS: readonly string[] = [
  'Lieferung vormittags', 'bitte avisieren', 'Teillieferung ok', 'Rampe 3', 'Expressversand',
  'Ware prüfen', 'Rückfrage Einkauf', 'Palette tauschen', 'Kunde ruft an', 'Termin fix &lt;fix&gt;',
];

/** mulberry32, as in generate-csv.ts: the same document on every run. */
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

function pick(list: readonly string[], random: (bound: number) => number): string {
  return list[random(list.length)] ?? '';
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Writes the reference document with `records` orders to `path`, a few thousand at a time. */
export async function generateReferenceXml(path: string, records: number): Promise<ReferenceXml> {
  const random = createRandom(SEED);
  const out = createWriteStream(path);
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('<?xml version="1.0" encoding="UTF-8"?>\n<Orders xmlns="urn:ferry:bench:orders" created="2026-11-23T02:00:00Z">\n');
  const firstDay = Date.UTC(2020, 0, 1);
  let piece = '';
  for (let n = 1; n <= records; n++) {
    const date = new Date(firstDay + random(2557) * 86_400_000).toISOString().slice(0, 10);
    const price = `${1 + random(100_000)}.${pad(random(100), 2)}`;
    const comment = random(4) === 0 ? `<Comment>${pick(COMMENTS, random)}</Comment>` : '';
    piece += `<Order id="ORD-${pad(n, 8)}" status="${random(4) === 0 ? 'C' : 'O'}"><Customer>${pick(CUSTOMERS, random)}</Customer>`
      + `<SKU>SKU-${pad(random(1_000_000), 6)}</SKU><Qty unit="EA">${1 + random(500)}</Qty><Price currency="EUR">${price}</Price>`
      + `<Date>${date}</Date><Warehouse>WH${1 + random(5)}</Warehouse>${comment}</Order>\n`;
    if (n % 2000 === 0) {
      await write(piece);
      piece = '';
    }
  }
  await write(`${piece}</Orders>\n`);
  out.end();
  await once(out, 'finish');
  return { path, records, bytes: (await stat(path)).size };
}

interface ReferenceMeta {
  readonly version: number;
  readonly records: number;
  readonly bytes: number;
}

async function readMeta(path: string): Promise<ReferenceMeta | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { version, records, bytes } = parsed as Record<string, unknown>;
    return typeof version === 'number' && typeof records === 'number' && typeof bytes === 'number' ? { version, records, bytes } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Returns the reference document with `records` orders in `dir`, generating it only when no
 * complete file of the current {@link REFERENCE_XML_VERSION} exists (temporary name, then rename,
 * then a `.meta.json` sidecar, so an interrupted run is never reused).
 */
export async function ensureReferenceXml(dir: string, records: number): Promise<ReferenceXml & { readonly generated: boolean }> {
  const path = join(dir, `reference-${records}.xml`);
  const metaPath = `${path}.meta.json`;
  const meta = await readMeta(metaPath);
  const size = await stat(path).then((s) => s.size, () => undefined);
  if (meta !== undefined && meta.version === REFERENCE_XML_VERSION && meta.records === records && meta.bytes === size) {
    return { path, records, bytes: meta.bytes, generated: false };
  }
  const partial = `${path}.partial`;
  await rm(metaPath, { force: true });
  const written = await generateReferenceXml(partial, records);
  await rename(partial, path);
  const fresh: ReferenceMeta = { version: REFERENCE_XML_VERSION, records, bytes: written.bytes };
  await writeFile(metaPath, `${JSON.stringify(fresh)}\n`);
  return { ...written, path, generated: true };
}
