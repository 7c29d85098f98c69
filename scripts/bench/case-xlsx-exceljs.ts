/**
 * exceljs's streaming WorkbookReader alone (shared strings cached, styles ignored: its defaults),
 * the baseline of issue 5's XLSX benchmark. Reads every row of the first worksheet and touches
 * every cell value, as a consumer would, and counts the data rows (the header row excluded).
 * It neither names the sheet nor turns date serials into dates: that is left to the caller.
 */
import ExcelJS from 'exceljs';
import { runCase } from './case-runtime.js';

runCase(async (file) => {
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(file, { sharedStrings: 'cache', worksheets: 'emit', entries: 'ignore', hyperlinks: 'ignore', styles: 'ignore' });
  let rows = 0;
  let cells = 0;
  for await (const sheet of workbook) {
    for await (const row of sheet) {
      const values = row.values;
      if (Array.isArray(values)) {
        for (const value of values) if (value !== undefined && value !== null) cells++;
      }
      rows++;
    }
    // the first worksheet only, like ferry's default sheet
    break;
  }
  if (cells === 0) throw new Error('no cells read');
  return rows - 1;
});
