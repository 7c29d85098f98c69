import { posix } from 'node:path';

import { InputError } from '../../errors.js';
import type { InputFile } from '../types.js';
import { parsePart } from './xml-part.js';
import type { ZipArchive, ZipPart } from './zip-archive.js';

/** One sheet of the workbook, in workbook order. */
export interface SheetInfo {
  readonly name: string;
  readonly hidden: boolean;
  /** `worksheet` holds cells; chart, dialog and macro sheets do not */
  readonly kind: 'worksheet' | 'chartsheet' | 'dialogsheet' | 'macrosheet' | 'unknown';
  readonly part: ZipPart | undefined;
}

/** What the workbook part and its relationships say. */
export interface WorkbookInfo {
  readonly sheets: readonly SheetInfo[];
  /** the 1904 date system of old Mac workbooks (`workbookPr date1904`) */
  readonly date1904: boolean;
  readonly styles: ZipPart | undefined;
  readonly sharedStrings: ZipPart | undefined;
}

/** more than a crafted workbook.xml needs to be harmless, far more than any real one has */
const MAX_SHEETS = 10_000;
const MAX_RELATIONSHIPS = 50_000;

interface Relationship {
  readonly type: string;
  readonly target: string;
}

/**
 * Reads the package relationships, the workbook part and its relationships: sheet names (hidden
 * ones too) with their parts, the date system, and where styles and shared strings are.
 */
export async function readWorkbook(archive: ZipArchive, file: InputFile): Promise<WorkbookInfo> {
  const location = { file: file.name };
  const rootRels = await readRelationships(archive, file, '_rels/.rels');
  const main = [...rootRels.values()].find((r) => r.type.endsWith('/officeDocument'));
  const workbookPath = main === undefined ? 'xl/workbook.xml' : resolveTarget('', main.target);
  const workbookPart = workbookPath === undefined ? undefined : archive.part(workbookPath);
  if (workbookPart === undefined || !workbookPart.name.toLowerCase().endsWith('.xml')) {
    throw new InputError('E_FORMAT_MISMATCH', `${file.name} is a ZIP archive but not an .xlsx workbook (${notWorkbook(archive, workbookPath)})`, { location });
  }

  const sheetRefs: { name: string; state: string; id: string }[] = [];
  let date1904 = false;
  await parsePart(archive, file, workbookPart, {
    open(name, attributes) {
      if (name === 'workbookPr') {
        const flag = attributes.date1904;
        date1904 = flag === '1' || flag === 'true';
      } else if (name === 'sheet') {
        if (sheetRefs.length >= MAX_SHEETS) throw new InputError('E_ARCHIVE_LIMIT', `${file.name} lists more than ${MAX_SHEETS} sheets; it is refused`, { location });
        sheetRefs.push({ name: attributes.name ?? '', state: attributes.state ?? 'visible', id: relationshipId(attributes) });
      }
    },
  });

  const dir = posix.dirname(workbookPart.name);
  const rels = await readRelationships(archive, file, posix.join(dir, '_rels', `${posix.basename(workbookPart.name)}.rels`));
  const partOf = (rel: Relationship | undefined): ZipPart | undefined => {
    const path = rel === undefined ? undefined : resolveTarget(dir, rel.target);
    return path === undefined ? undefined : archive.part(path);
  };
  const sheets = sheetRefs.map((ref): SheetInfo => {
    const rel = rels.get(ref.id);
    return { name: ref.name, hidden: ref.state !== 'visible', kind: sheetKind(rel?.type), part: partOf(rel) };
  });
  const all = [...rels.values()];
  return {
    sheets,
    date1904,
    styles: partOf(all.find((r) => r.type.endsWith('/styles'))),
    sharedStrings: partOf(all.find((r) => r.type.endsWith('/sharedStrings'))),
  };
}

async function readRelationships(archive: ZipArchive, file: InputFile, path: string): Promise<Map<string, Relationship>> {
  const rels = new Map<string, Relationship>();
  const part = archive.part(path);
  if (part === undefined) return rels;
  await parsePart(archive, file, part, {
    open(name, attributes) {
      if (name !== 'Relationship' || attributes.TargetMode === 'External') return;
      if (rels.size >= MAX_RELATIONSHIPS) throw new InputError('E_ARCHIVE_LIMIT', `${file.name}: ${path} lists more than ${MAX_RELATIONSHIPS} relationships; it is refused`, { location: { file: file.name } });
      const { Id: id, Type: type, Target: target } = attributes;
      if (id !== undefined && type !== undefined && target !== undefined) rels.set(id, { type, target });
    },
  });
  return rels;
}

/** The `r:id` attribute, whatever prefix the relationships namespace was given. */
function relationshipId(attributes: Readonly<Record<string, string>>): string {
  for (const [key, value] of Object.entries(attributes)) if (key.endsWith(':id')) return value;
  return attributes.id ?? '';
}

/** A relationship target as a part name: relative to the source part's folder, or absolute from the package root. */
function resolveTarget(dir: string, target: string): string | undefined {
  const decoded = safeDecode(target);
  const joined = decoded.startsWith('/') ? decoded.slice(1) : posix.join(dir, decoded);
  const normal = posix.normalize(joined);
  return normal.startsWith('../') || normal === '..' ? undefined : normal;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function sheetKind(type: string | undefined): SheetInfo['kind'] {
  if (type === undefined) return 'unknown';
  for (const kind of ['worksheet', 'chartsheet', 'dialogsheet', 'macrosheet'] as const) if (type.endsWith(`/${kind}`)) return kind;
  // Excel 4 macro sheets are related with the type .../xlMacrosheet
  return type.toLowerCase().endsWith('macrosheet') ? 'macrosheet' : 'unknown';
}

/** Why a ZIP archive is not a workbook, as precisely as its parts tell. */
function notWorkbook(archive: ZipArchive, workbookPath: string | undefined): string {
  if (workbookPath?.toLowerCase().endsWith('.bin') === true) return 'it is a binary .xlsb workbook; save it as .xlsx';
  if (archive.part('mimetype') !== undefined && archive.part('content.xml') !== undefined) return 'it is an OpenDocument file (.ods); save it as .xlsx';
  if (archive.part('word/document.xml') !== undefined) return 'it is a Word document';
  return 'it has no workbook part xl/workbook.xml';
}
