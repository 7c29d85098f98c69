/**
 * Bad-input cases of the test plan (§6.2) that the reader tests did not spell out yet: mixed line
 * endings (B09) and the CVE-2026-26278 shape, one big entity referenced many times (B20).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { openXmlReader } from '../../../src/formats/xml/xml-reader.js';
import { cellsOf, readCsv, tempFiles, type TempFiles } from '../../support/csv-files.js';

let files: TempFiles;
before(() => {
  files = tempFiles();
});
after(() => files.remove());

describe('B09: mixed line endings', () => {
  it('reads a file mixing CRLF and LF line by line, whichever comes first', async () => {
    for (const [name, text] of [['crlf-first.csv', 'a;b\r\n1;2\n3;4\r\n5;6\n'], ['lf-first.csv', 'a;b\n1;2\r\n3;4\r\n5;6']] as const) {
      const { rows } = await readCsv(files.write(name, Buffer.from(text)), { delimiter: ';' });
      assert.deepEqual(cellsOf(rows), [[2, ['1', '2']], [3, ['3', '4']], [4, ['5', '6']]], name);
      assert.ok(rows.every((r) => r.problem === undefined), name);
    }
  });

  it('rejects the row with a bare CR inside a CRLF file instead of splitting or merging rows silently', async () => {
    const { rows } = await readCsv(files.write('stray-cr.csv', Buffer.from('a;b\r\n1;2\r3;4\r\n5;6\r\n')), { delimiter: ';' });
    assert.deepEqual(rows.map((r) => [r.row, r.problem?.code]), [[2, 'E_CSV_COLUMNS'], [3, undefined]]);
    assert.deepEqual(cellsOf(rows.filter((r) => r.problem === undefined)), [[3, ['5', '6']]]);
  });
});

describe('B20: one big entity referenced many times (CVE-2026-26278)', () => {
  it('is refused at the DOCTYPE, quickly and without expanding anything', async () => {
    const xml = [
      '<?xml version="1.0"?>',
      `<!DOCTYPE orders [<!ENTITY big "${'A'.repeat(1000)}">]>`,
      `<orders><order><id>${'&big;'.repeat(100)}</id></order></orders>`,
    ].join('\n');
    const file = files.write('big-entity.xml', Buffer.from(xml));
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    await assert.rejects(openXmlReader(file, { record: '/orders/order' }), { code: 'E_XML_DTD', message: /big-entity\.xml has a document type declaration/ });
    // the plan's bound is 50 ms; vulnerable parsers took 4–8 s. Generous for a shared 2-core box.
    assert.ok(performance.now() - started < 1000, `refused in ${(performance.now() - started).toFixed(0)} ms`);
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 20 * 1024 * 1024, 'nothing was expanded');
  });
});
