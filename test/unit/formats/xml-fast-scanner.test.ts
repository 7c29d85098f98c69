import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { SourceRow } from '../../../src/formats/types.js';
import { XmlFastScanner } from '../../../src/formats/xml/xml-fast-scanner.js';
import { XmlRecordParser } from '../../../src/formats/xml/xml-record-parser.js';
import { openXmlReader } from '../../../src/formats/xml/xml-reader.js';
import type { XmlLimits } from '../../../src/formats/xml/xml-tree-builder.js';
import { tempFiles, type TempFiles } from '../../support/csv-files.js';

const LIMITS: XmlLimits = { maxDepth: 100, maxRecordChars: 16 * 1024 * 1024 };
const SAMPLES = join(import.meta.dirname, '..', '..', '..', '..', 'samples');

let files: TempFiles;
before(() => {
  files = tempFiles();
});
after(() => files.remove());

function pieces(doc: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < doc.length; i += size) out.push(doc.slice(i, i + size));
  return out;
}

/** What the fast scanner reads, or undefined when it declines. */
function readFast(doc: string, steps: string[], size: number, limits = LIMITS): { rows: SourceRow[]; scanner: XmlFastScanner; line: number } | undefined {
  const scanner = new XmlFastScanner('t.xml', steps, limits);
  const rows: SourceRow[] = [];
  for (const piece of pieces(doc, size)) {
    if (!scanner.write(piece)) return undefined;
    rows.push(...scanner.takeRows());
  }
  const line = scanner.line;
  if (!scanner.end()) return undefined;
  rows.push(...scanner.takeRows());
  return { rows, scanner, line };
}

function readGeneral(doc: string, steps: string[], size: number): { rows: SourceRow[]; parser: XmlRecordParser; line: number } {
  const parser = new XmlRecordParser('t.xml', steps, LIMITS);
  const rows: SourceRow[] = [];
  for (const piece of pieces(doc, size)) {
    parser.write(piece);
    rows.push(...parser.takeRows());
  }
  // the line reached before the end: saxes starts over at line 1 once closed
  const line = parser.line;
  parser.end();
  rows.push(...parser.takeRows());
  return { rows, parser, line };
}

const PLAIN = `<?xml version="1.0" encoding="UTF-8"?>
<!-- exported by an ERP -->
<inv:Invoices xmlns:inv="urn:inv" xmlns="urn:default" xmlns:cbc='urn:cbc' created="2026">
  <inv:Invoice id="0001" status='O'>
    <cbc:ID>00042</cbc:ID>
    <Customer>Schäfer &amp; Söhne &lt;KG&gt; &#x41;&#66; &quot;q&quot; &apos;a&apos;</Customer>
    <Note><![CDATA[raw <b>bold</b> & ]] text]]></Note>
    <Line no="1"><SKU>A-1</SKU><Qty unit="EA">0006</Qty></Line>
    <Line no="2"><SKU>A-2</SKU><Qty unit="KG" >1.5</Qty></Line>
    <Empty/><Blank></Blank ><Attr only="x"/>
    <Mixed>before<b>inner</b>after</Mixed>
    <Spaced a = "1"   b='2' />
    <Gt cmp="a > b">x</Gt>
    <Lang xml:lang="de" lang="en">Tür</Lang>
    <!-- a comment -- no, without the double dash -->
  </inv:Invoice>
  <inv:Invoice id="0002"><cbc:ID>7</cbc:ID><Line no="1"><SKU>B</SKU></Line>text</inv:Invoice>
  <inv:Invoice/>
</inv:Invoices>
`.replace('-- no, without the double dash', 'no double dash');

describe('XmlFastScanner', () => {
  it('reads plain XML exactly as the general parser does, however the text is cut', () => {
    const docs: [string, string[]][] = [
      [PLAIN, ['Invoices', 'Invoice']],
      [PLAIN, ['*', '*']],
      [PLAIN, ['Invoices', 'Invoice', 'Line']],
      [readFileSync(join(SAMPLES, 'invoices-ubl.xml'), 'utf8'), ['InvoiceExport', 'Invoice']],
    ];
    for (const [doc, steps] of docs) {
      const general = readGeneral(doc, steps, doc.length);
      assert.ok(general.rows.length > 0);
      for (const size of [1, 2, 7, 64, 1000, doc.length]) {
        const fast = readFast(doc, steps, size);
        assert.ok(fast !== undefined, `declined ${steps.join('/')} in pieces of ${size}`);
        assert.deepEqual(fast.rows, general.rows, `${steps.join('/')} in pieces of ${size}`);
        assert.equal(fast.scanner.records, general.parser.records);
        assert.equal(fast.scanner.root, general.parser.root);
        assert.deepEqual([...fast.scanner.namespaces], [...general.parser.namespaces]);
        assert.equal(fast.line, general.line);
      }
    }
  });

  it('declines what it does not read itself, and every fault, for the general parser to handle', () => {
    const wrap = (body: string): string => `<?xml version="1.0"?>\n<R>\n<E><a>1</a></E>\n${body}\n</R>\n`;
    const declined: [string, string][] = [
      ['doctype', '<!DOCTYPE R [<!ENTITY x "y">]><R><E/></R>'],
      ['processing instruction', wrap('<?pi data?>')],
      ['other xml declaration', '<?xml version="1.1"?><R><E/></R>'],
      ['non-ASCII element name', wrap('<E><Straße>x</Straße></E>')],
      ['CR line ends', wrap('<E>a</E>').replace(/\n/g, '\r\n')],
      ['control character', wrap('<E>a\u0001</E>')],
      ['control character between records', wrap('<E/>\u0007<E/>')],
      ['control character in an attribute value', wrap('<E a="x\u001fy"/>')],
      ['CR in an attribute value', wrap('<E a="x\ry"/>')],
      ['CR between attributes', wrap('<E a="1"\rb="2"/>')],
      ['control character in a comment', wrap('<!-- a\u0002 -->')],
      ['control character in CDATA', wrap('<E><![CDATA[a\u0000]]></E>')],
      ['U+FFFE in text', wrap('<E>a\uFFFE</E>')],
      ['U+FFFF in an attribute value', wrap('<E a="\uFFFF"/>')],
      ['lone surrogate in an attribute value', wrap('<E a="\uD800"/>')],
      ['surrogate pair', wrap('<E>\u{1F600}</E>')],
      ['undefined entity', wrap('<E>&nbsp;</E>')],
      ['character reference to a forbidden character', wrap('<E>&#1;</E>')],
      ['unterminated reference', wrap('<E>a & b</E>')],
      [']]> in text', wrap('<E>a ]]> b</E>')],
      ['mismatched close tag', wrap('<E><a>1</b></E>')],
      ['root closed by a record', '<R><E><a>1</a></R>'],
      ['unclosed root', '<R><E/>'],
      ['no root', '<!-- nothing -->'],
      ['duplicate attribute', wrap('<E a="1" a="2"/>')],
      ['attributes without space', wrap('<E a="1"b="2"/>')],
      ['unquoted attribute', wrap('<E a=1/>')],
      ['< in an attribute value', wrap('<E a="<"/>')],
      ['tab in an attribute value', wrap('<E a="x\ty"/>')],
      ['-- in a comment', wrap('<!-- a -- b -->')],
      ['text after the root', '<R><E/></R>x'],
      ['second root', '<R><E/></R><R/>'],
      ['text before the root', 'x<R><E/></R>'],
      ['CDATA outside the root', '<R><E/></R><![CDATA[x]]>'],
      ['byte order mark', '\uFEFF<R><E/></R>'],
      ['root that is not the record path', '<Other><E/></Other>'],
    ];
    for (const [what, doc] of declined) {
      for (const size of [3, doc.length]) assert.equal(readFast(doc, ['R', 'E'], size), undefined, `${what} in pieces of ${size}`);
    }
    const deep = `<R>${'<E>'.repeat(5)}${'</E>'.repeat(5)}</R>`;
    assert.equal(readFast(deep, ['R', 'E'], deep.length, { maxDepth: 4, maxRecordChars: 1000 }), undefined, 'nesting over the limit');
    const large = `<R><E>${'x'.repeat(50)}</E></R>`;
    assert.equal(readFast(large, ['R', 'E'], large.length, { maxDepth: 10, maxRecordChars: 20 }), undefined, 'record over the limit');
    const quiet = `<R>${'<!-- c -->'.repeat(300)}<E/></R>`;
    assert.equal(readFast(quiet, ['R', 'E'], 100, { maxDepth: 10, maxRecordChars: 1000 }), undefined, 'a long run of comments');
    assert.ok(readFast(quiet, ['R', 'E'], 100), 'the same run under the default limit');
  });

  it('hands the document to the general parser midway: every record once, in order, then the fault', async () => {
    const records = Array.from({ length: 3000 }, (_, i) => `<E id="${i + 1}"><a>value ${i + 1}</a></E>`);
    // past the first 64 KiB read: the scanner has already handed out records when it declines
    const clean = files.write('late.xml', `<R>\n${records.join('\n')}\n<?pi late?>\n<E id="3001"><Straße>ß</Straße></E>\n</R>\n`);
    const reader = await openXmlReader(clean, { record: '/R/E' });
    const rows: SourceRow[] = [];
    for await (const batch of reader.batches()) rows.push(...batch);
    assert.equal(rows.length, 3001);
    rows.forEach((row, i) => assert.equal(row.row, i + 1));
    assert.equal(rows[2999]?.record?.['a'], 'value 3000');
    assert.equal(rows[3000]?.record?.['Straße'], 'ß');

    const broken = files.write('late-broken.xml', `<R>\n${records.join('\n')}\n<E id="3001"><a>x</b></E>\n</R>\n`);
    const brokenReader = await openXmlReader(broken, { record: '/R/E' });
    const seen: SourceRow[] = [];
    await assert.rejects(async () => {
      for await (const batch of brokenReader.batches()) seen.push(...batch);
    }, { code: 'E_XML_MALFORMED', message: /line 3002, column \d+/ });
    assert.equal(seen.length, 3000);
    seen.forEach((row, i) => assert.equal(row.row, i + 1));
  });
});
