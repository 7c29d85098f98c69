import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import iconv from 'iconv-lite';

import { openXmlReader, type XmlOptions } from '../../../src/formats/xml/xml-reader.js';
import type { InputFile, RawValue, RowReader, SourceRow } from '../../../src/formats/types.js';
import { tempFiles, type TempFiles } from '../../support/csv-files.js';
import { REPO_ROOT } from '../../support/run-cli.js';
import { assertInheritsNothing } from '../../support/invariants.js';

let files: TempFiles;
before(() => {
  files = tempFiles();
});
after(() => files.remove());

async function readXml(file: InputFile, options: XmlOptions): Promise<{ reader: RowReader; rows: SourceRow[] }> {
  const reader = await openXmlReader(file, options);
  const rows: SourceRow[] = [];
  for await (const batch of reader.batches()) rows.push(...batch);
  return { reader, rows };
}

/** What `from` gives for each row, as a mapping would read it. */
function values(reader: RowReader, rows: readonly SourceRow[], from: string): RawValue[] {
  const read = reader.resolve?.(from);
  assert.ok(read, 'an XML reader resolves paths');
  return rows.map((r) => read(r));
}

/** A record tree as plain JSON data, for deep comparison. */
function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v)) as unknown;
}

describe('openXmlReader: records, paths and values', () => {
  it('matches the record path by local name, with prefixes and a default namespace', async () => {
    const file = files.write('ns.xml', [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<inv:Invoices xmlns:inv="urn:example:invoices" xmlns:cbc="urn:example:cbc">',
      '  <inv:Invoice><cbc:ID>A-1</cbc:ID></inv:Invoice>',
      '  <Invoice xmlns="urn:example:invoices"><ID>A-2</ID></Invoice>',
      '</inv:Invoices>',
    ].join('\n'));
    const { reader, rows } = await readXml(file, { record: '/Invoices/Invoice' });
    assert.deepEqual(values(reader, rows, 'ID'), ['A-1', 'A-2']);
    assert.deepEqual(values(reader, rows, 'cbc:ID'), ['A-1', 'A-2'], 'a written prefix is ignored');
    const prefixed = await readXml(file, { record: '/inv:Invoices/inv:Invoice' });
    assert.equal(prefixed.rows.length, 2);
    assert.deepEqual(reader.detected.namespaces, { inv: 'urn:example:invoices', cbc: 'urn:example:cbc', '': 'urn:example:invoices' });
    assert.equal(reader.detected.root, 'inv:Invoices');
    assert.equal(reader.detected.record, '/Invoices/Invoice');
  });

  it('gives an element its text even when it has attributes, and attributes as @name', async () => {
    const file = files.write('qty.xml', '<Orders><Order no="7"><Qty unit="KG">12</Qty><xml:Note xml:lang="de">Hallo</xml:Note></Order></Orders>');
    const { reader, rows } = await readXml(file, { record: '/Orders/Order' });
    assert.deepEqual(values(reader, rows, 'Qty'), ['12']);
    assert.deepEqual(values(reader, rows, 'Qty/@unit'), ['KG']);
    assert.deepEqual(values(reader, rows, 'Qty/#text'), ['12']);
    assert.deepEqual(values(reader, rows, '@no'), ['7']);
    assert.deepEqual(values(reader, rows, 'Note/@lang'), ['de']);
    assert.deepEqual(values(reader, rows, 'Qty/@missing'), [undefined]);
    assert.deepEqual(values(reader, rows, 'Nothing/Here'), [undefined]);
    assert.deepEqual(plain(rows[0]?.record), { '@no': '7', Qty: { '@unit': 'KG', '#text': '12' }, Note: { '@lang': 'de', '#text': 'Hallo' } });
    assertInheritsNothing(rows[0]?.record);
  });

  it('turns repeated children into arrays and reads paths through them', async () => {
    const file = files.write('lines.xml', [
      '<Orders>',
      '  <Order><ID>1</ID><Line><SKU>000123</SKU><Qty unit="EA">2</Qty></Line><Line><SKU>004711</SKU><Qty unit="KG">1.5</Qty></Line></Order>',
      '  <Order><ID>2</ID><Line><SKU>000009</SKU><Qty unit="EA">1</Qty></Line></Order>',
      '</Orders>',
    ].join('\n'));
    const { reader, rows } = await readXml(file, { record: '/Orders/Order' });
    assert.deepEqual(values(reader, rows, 'Line/SKU'), [['000123', '004711'], '000009']);
    assert.deepEqual(values(reader, rows, 'Line/Qty'), [['2', '1.5'], '1']);
    assert.deepEqual(values(reader, rows, 'Line/Qty/@unit'), [['EA', 'KG'], 'EA']);
    assert.deepEqual(plain(values(reader, rows, 'Line')[1]), { SKU: '000009', Qty: { '@unit': 'EA', '#text': '1' } }, 'an element with children gives its tree');
    assert.deepEqual(reader.columns, ['ID', 'Line/SKU', 'Line/Qty', 'Line/Qty/@unit']);
  });

  it('reads CDATA as text, keeps text exactly and drops only whitespace-only text', async () => {
    const file = files.write('text.xml', [
      '<R>',
      '  <Rec>',
      '    <Note><![CDATA[a < b & "c"]]></Note>',
      '    <Mixed>x <![CDATA[<y>]]> z</Mixed>',
      '    <Spaced>  two  spaces  </Spaced>',
      '    <Blank>   </Blank>',
      '    <Empty/>',
      '    <OnlyAttr code="X"/>',
      '    <Escaped>Müller &amp; Söhne &lt;GmbH&gt; &#8364; &#x41;</Escaped>',
      '  </Rec>',
      '</R>',
    ].join('\n'));
    const { reader, rows } = await readXml(file, { record: '/R/Rec' });
    const one = (from: string): RawValue => values(reader, rows, from)[0];
    assert.equal(one('Note'), 'a < b & "c"');
    assert.equal(one('Mixed'), 'x <y> z');
    assert.equal(one('Spaced'), '  two  spaces  ');
    assert.equal(one('Blank'), '');
    assert.equal(one('Empty'), '');
    assert.equal(one('OnlyAttr'), '', 'an element with only attributes has empty text');
    assert.equal(one('OnlyAttr/@code'), 'X');
    assert.equal(one('Escaped'), 'Müller & Söhne <GmbH> € A');
    assert.equal(Object.hasOwn(rows[0]?.record ?? {}, '#text'), false, 'indentation is not text');
  });

  it('never converts values: leading zeros and long digit strings stay text', async () => {
    const file = files.write('zeros.xml', '<Items><Item><No>0006</No><EAN>04012345000017</EAN><Big>12345678901234567890</Big><Price>1.50</Price></Item></Items>');
    const { reader, rows } = await readXml(file, { record: '/Items/Item' });
    assert.deepEqual(['No', 'EAN', 'Big', 'Price'].map((p) => values(reader, rows, p)[0]), ['0006', '04012345000017', '12345678901234567890', '1.50']);
  });

  it('reads deep paths, numbers records by their ordinal and ignores same-named elements elsewhere', async () => {
    const file = files.write('deep.xml', [
      '<Export>',
      '  <Header><Order><ID>not a record</ID></Order></Header>',
      '  <Orders>',
      '    <Order><A><B><C><D><E>deep</E></D></C></B></A></Order>',
      '    <Order><A><B><C><D><E>deeper</E></D></C></B></A></Order>',
      '  </Orders>',
      '  <Orders><Order><ID>third</ID></Order></Orders>',
      '</Export>',
    ].join('\n'));
    const { reader, rows } = await readXml(file, { record: '/Export/Orders/Order' });
    assert.deepEqual(rows.map((r) => r.row), [1, 2, 3]);
    assert.deepEqual(values(reader, rows, 'A/B/C/D/E'), ['deep', 'deeper', undefined]);
    assert.deepEqual(values(reader, rows, 'ID'), [undefined, undefined, 'third']);
    assert.ok(rows.every((r) => r.cells.length === 0));
    const wildcard = await readXml(file, { record: '/*/*/Order' });
    assert.equal(wildcard.rows.length, 4, 'a * step matches any element, the header included');
  });

  it('guesses the record path when the profile has none, and says so', async () => {
    const file = files.write('guess.xml', '<Feed><Meta><Count>2</Count></Meta><Item><ID>1</ID></Item><Item><ID>2</ID></Item></Feed>');
    const { reader, rows } = await readXml(file, {});
    assert.equal(reader.detected.record, '/Feed/Item');
    assert.match(reader.detected.notes?.join('\n') ?? '', /format\.record is not set; reading \/Feed\/Item/);
    assert.deepEqual(values(reader, rows, 'ID'), ['1', '2']);
  });

  it('refuses a record path that does not start at the root element', async () => {
    const file = files.write('root.xml', '<Orders><Order/></Orders>');
    await assert.rejects(openXmlReader(file, { record: '/Invoices/Invoice' }), {
      code: 'E_FORMAT_MISMATCH',
      message: /root element of root\.xml is <Orders>, but format\.record starts at <Invoices>/,
    });
  });

  it('notes a file without records instead of failing', async () => {
    const file = files.write('none.xml', '<Orders created="today"></Orders>');
    const { reader, rows } = await readXml(file, { record: '/Orders/Order' });
    assert.equal(rows.length, 0);
    assert.match(reader.detected.notes?.join('\n') ?? '', /no <Order> element at \/Orders\/Order/);
  });

  it('decodes the encoding the XML declaration names, and UTF-16 with a byte order mark', async () => {
    const text = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<Kunden><Kunde><Name>Müller Größ</Name></Kunde></Kunden>\n';
    const latin = files.write('latin1.xml', iconv.encode(text, 'latin1'));
    const l = await readXml(latin, { record: '/Kunden/Kunde' });
    assert.equal(l.reader.detected.encoding, 'iso-8859-1');
    assert.deepEqual(values(l.reader, l.rows, 'Name'), ['Müller Größ']);
    const utf16 = files.write('utf16.xml', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text.replace('ISO-8859-1', 'UTF-16'), 'utf-16le')]));
    const u = await readXml(utf16, { record: '/Kunden/Kunde' });
    assert.equal(u.reader.detected.encoding, 'utf-16le');
    assert.deepEqual(values(u.reader, u.rows, 'Name'), ['Müller Größ']);
  });

  it('reads the UBL invoice sample: header fields, party paths, lines and units', async () => {
    const file = { path: join(REPO_ROOT, 'samples', 'invoices-ubl.xml'), name: 'invoices-ubl.xml' };
    const { reader, rows } = await readXml(file, { record: '/InvoiceExport/Invoice' });
    assert.equal(rows.length, 4);
    assert.equal(reader.detected.root, 'exp:InvoiceExport');
    assert.equal(reader.detected.namespaces?.cbc, 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2');
    assert.equal(reader.detected.namespaces?.[''], 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2');
    assert.deepEqual(values(reader, rows, 'cbc:ID'), ['INV-2026-000017', 'INV-2026-000018', 'INV-2026-000019', 'INV-2026-000020']);
    assert.deepEqual(values(reader, rows, 'BuyerReference'), ['0004711', '0000815', '0004711', '0012000']);
    assert.deepEqual(values(reader, rows, 'AccountingCustomerParty/Party/PartyIdentification/ID/@schemeID'), ['0088', '0088', '0088', '0088']);
    assert.deepEqual(values(reader, rows, 'AccountingSupplierParty/Party/PartyName/Name')[0], 'Mühlenwerke Größ & Söhne GmbH');
    assert.deepEqual(values(reader, rows, 'Note'), ['Lieferung frei Haus & verzollt', 'Rückfrage bei Frau Groß <Einkauf>', undefined, 'Partial delivery; rest follows in week 47']);
    assert.deepEqual(values(reader, rows, 'InvoiceLine/Item/SellersItemIdentification/ID'), [['000123', '000124', '004711'], '000125', ['000123', '000900'], ['000124', '000125', '000041']]);
    assert.deepEqual(values(reader, rows, 'InvoiceLine/InvoicedQuantity/@unitCode')[2], ['KGM', 'H87']);
    assert.deepEqual(values(reader, rows, 'LegalMonetaryTotal/PayableAmount'), ['369.13', '115.00', '513.60', '90.40']);
    assert.ok(reader.columns.includes('InvoiceLine/InvoicedQuantity/@unitCode'));
    assert.ok(reader.columns.includes('AccountingCustomerParty/Party/PostalAddress/Country/IdentificationCode'));
  });
});
