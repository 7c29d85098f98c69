import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isDateFormatCode } from '../../../../src/formats/xlsx/styles.js';

describe('isDateFormatCode', () => {
  it('sees dates and times in d, m, y, h and s outside quotes, escapes and brackets', () => {
    for (const code of ['dd.mm.yyyy', 'dd\\.mm\\.yyyy', 'yyyy-mm-dd hh:mm:ss', 'h:mm AM/PM', 'mmm yy', '[$-409]mmmm d, yyyy;@', '[Red]dd/mm/yyyy', 'DD.MM.YYYY', 'ss.0']) {
      assert.equal(isDateFormatCode(code), true, code);
    }
  });

  it('leaves numbers, text, quoted words and elapsed durations as numbers', () => {
    for (const code of ['General', '0.00', '#,##0.00 "days"', '0\\h', '_-* #,##0.00 €_-', '[Red]0.00;[Blue]-0.00', '@', '0.00E+00', '[h]:mm:ss', '[mm]:ss', '# ?/?']) {
      assert.equal(isDateFormatCode(code), false, code);
    }
  });
});
