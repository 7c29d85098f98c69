import { escapeXml } from './xml-text.js';

const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

/** Style indexes in `cellXfs` of styles.xml. */
export const STYLE = { header: 1, date: 2, dateTime: 3, text: 4 } as const;

/** The sheet's path inside the zip. */
export const SHEET_PATH = 'xl/worksheets/sheet1.xml';

/** The parts that come before the sheet, so that streaming readers know styles and sheet names first. */
export function packageParts(sheetName: string, dateFormat: string): [string, string][] {
  return [
    ['[Content_Types].xml', `${HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`
      + '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      + '<Default Extension="xml" ContentType="application/xml"/>'
      + '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
      + '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
      + '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
      + '</Types>'],
    ['_rels/.rels', `${HEAD}<Relationships xmlns="${PKG_REL_NS}">`
      + `<Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`],
    ['xl/workbook.xml', `${HEAD}<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}"><bookViews><workbookView/></bookViews>`
      + `<sheets><sheet name="${escapeXml(sheetName)}" sheetId="1" r:id="rId1"/></sheets></workbook>`],
    ['xl/_rels/workbook.xml.rels', `${HEAD}<Relationships xmlns="${PKG_REL_NS}">`
      + `<Relationship Id="rId1" Type="${REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>`
      + `<Relationship Id="rId2" Type="${REL_NS}/styles" Target="styles.xml"/></Relationships>`],
    ['xl/styles.xml', stylesXml(dateFormat)],
  ];
}

function stylesXml(dateFormat: string): string {
  const font = '<sz val="11"/><name val="Calibri"/><family val="2"/>';
  const xf = (numFmt: number, fontId: number, extra: string): string => `<xf numFmtId="${numFmt}" fontId="${fontId}" fillId="0" borderId="0" xfId="0"${extra}/>`;
  return `${HEAD}<styleSheet xmlns="${MAIN_NS}">`
    + `<numFmts count="2"><numFmt numFmtId="164" formatCode="${escapeXml(dateFormat)}"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>`
    + `<fonts count="2"><font>${font}</font><font><b/>${font}</font></fonts>`
    + '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    + '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    + `<cellXfs count="5">${xf(0, 0, '')}${xf(0, 1, ' applyFont="1"')}${xf(164, 0, ' applyNumberFormat="1"')}${xf(165, 0, ' applyNumberFormat="1"')}${xf(0, 0, ' quotePrefix="1"')}</cellXfs>`
    + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    + '</styleSheet>';
}

/** The start of the sheet up to `<sheetData>`: header row frozen, column widths from the header names. */
export function sheetStart(columns: readonly string[]): string {
  const cols = columns.map((name, i) => `<col min="${i + 1}" max="${i + 1}" width="${Math.min(Math.max(name.length + 4, 10), 60)}" customWidth="1"/>`).join('');
  return `${HEAD}<worksheet xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">`
    + '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
    + '<sheetFormatPr defaultRowHeight="15"/>'
    + (cols === '' ? '' : `<cols>${cols}</cols>`)
    + '<sheetData>';
}

/** The end of the sheet. */
export const SHEET_END = '</sheetData></worksheet>';

/**
 * A sheet name Excel accepts: `: \ / ? * [ ]` become `_`, no leading or trailing `'`, at most
 * 31 characters, never empty.
 */
export function sheetName(name: string | undefined): string {
  const cleaned = [...(name ?? 'Sheet1').replace(/[:\\/?*[\]\u0000-\u001f]/g, '_').replace(/^'+|'+$/g, '')].slice(0, 31).join('');
  return cleaned.trim() === '' ? 'Sheet1' : cleaned;
}

/** Column letters: 0 → A, 25 → Z, 26 → AA. */
export function columnLetters(index: number): string {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(65 + r) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

const DAY_MS = 86_400_000;
/** 1900-01-01 and 1900-03-01 (UTC) in milliseconds */
const EXCEL_FIRST_DAY = Date.UTC(1900, 0, 1);
const EXCEL_LEAP_BUG_END = Date.UTC(1900, 2, 1);

/**
 * The Excel serial number (1900 date system) of a date's UTC wall time, or undefined before
 * 1900-01-01, which Excel cannot show as a date. Excel counts a 29 February 1900 that never was,
 * so serials from 1 March 1900 on are one higher than the plain day count.
 */
export function excelSerial(date: Date): number | undefined {
  const t = date.getTime();
  if (Number.isNaN(t) || t < EXCEL_FIRST_DAY) return undefined;
  const days = (t - EXCEL_FIRST_DAY) / DAY_MS;
  return t >= EXCEL_LEAP_BUG_END ? days + 2 : days + 1;
}
