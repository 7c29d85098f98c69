import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { openXmlReader } from '../../../src/formats/xml/xml-reader.js';
import type { InputFile, RawValue, SourceRow } from '../../../src/formats/types.js';
import { tempFiles, type TempFiles } from '../../support/csv-files.js';
import { assertInheritsNothing } from '../../support/invariants.js';

let files: TempFiles;
before(() => {
  files = tempFiles();
});
after(() => files.remove());

async function readAll(file: InputFile, record: string, limits?: { maxDepth: number; maxRecordChars: number }): Promise<{ rows: SourceRow[]; read: (from: string) => RawValue[] }> {
  const reader = await openXmlReader(file, { record }, limits);
  const rows: SourceRow[] = [];
  for await (const batch of reader.batches()) rows.push(...batch);
  return {
    rows,
    read: (from) => {
      const accessor = reader.resolve?.(from);
      assert.ok(accessor);
      return rows.map((r) => accessor(r));
    },
  };
}

/** Runs `fn` and returns how long it took, in milliseconds. */
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

const BILLION_LAUGHS = [
  '<?xml version="1.0"?>',
  '<!DOCTYPE lolz [',
  ' <!ENTITY lol "lol">',
  ...Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
  ']>',
  '<lolz><lol>&lol9;</lol></lolz>',
].join('\n');

describe('openXmlReader: hostile documents', () => {
  it('refuses a billion-laughs document at its DOCTYPE, before expanding anything', async () => {
    const file = files.write('laughs.xml', BILLION_LAUGHS);
    const heapBefore = process.memoryUsage().heapUsed;
    const ms = await timed(() => assert.rejects(openXmlReader(file, { record: '/lolz/lol' }), { code: 'E_XML_DTD', message: /laughs\.xml has a document type declaration \(<!DOCTYPE …\) at line 2/ }));
    assert.ok(ms < 500, `refused in ${ms.toFixed(0)} ms`);
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 20 * 1024 * 1024, 'nothing was expanded');
  });

  it('refuses an external entity, so file:///etc/passwd is never read', async () => {
    const file = files.write('xxe.xml', '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<r><e>&x;</e></r>\n');
    await assert.rejects(openXmlReader(file, { record: '/r/e' }), (err: unknown) => {
      assert.ok(err instanceof Error);
      assert.equal((err as Error & { code?: string }).code, 'E_XML_DTD');
      assert.doesNotMatch(err.message, /root:/);
      return true;
    });
    const external = files.write('system.xml', '<!DOCTYPE r SYSTEM "file:///etc/passwd"><r><e/></r>');
    await assert.rejects(openXmlReader(external, { record: '/r/e' }), { code: 'E_XML_DTD' });
  });

  it('refuses repeated, lower-case and late DOCTYPEs and bare entity declarations', async () => {
    const repeated = files.write('repeated.xml', '<!DOCTYPE a><!DOCTYPE a [<!ENTITY x "y">]><a><b>&x;</b></a>');
    await assert.rejects(openXmlReader(repeated, { record: '/a/b' }), { code: 'E_XML_DTD' });
    const lower = files.write('lower.xml', '<!doctype a><a><b/></a>');
    await assert.rejects(openXmlReader(lower, { record: '/a/b' }), { code: 'E_XML_DTD' });
    const entity = files.write('entity.xml', '<?xml version="1.0"?><!ENTITY x "y"><a><b/></a>');
    await assert.rejects(openXmlReader(entity, { record: '/a/b' }), { code: 'E_XML_DTD' });
    // a prolog longer than the part looked at first: the parser itself refuses the DOCTYPE
    const late = files.write('late.xml', `<!--${' '.repeat(400 * 1024)}-->\n<!DOCTYPE a [<!ENTITY x "y">]><a><b>&x;</b></a>`);
    await assert.rejects(openXmlReader(late, { record: '/a/b' }), { code: 'E_XML_DTD', message: /line 2/ });
    // inside the document an entity declaration is not XML at all, and is never expanded
    const inBody = files.write('body.xml', '<a><b><!ENTITY x "y"></b></a>');
    await assert.rejects(openXmlReader(inBody, { record: '/a/b' }), { code: 'E_XML_MALFORMED' });
  });

  it('refuses 100,000 levels of nesting quickly and without a stack overflow', async () => {
    const file = files.write('deep.xml', `${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`);
    const ms = await timed(() => assert.rejects(openXmlReader(file, { record: '/a/a' }), { code: 'E_XML_DEPTH', message: /more than 100 levels deep/ }));
    assert.ok(ms < 1000, `refused in ${ms.toFixed(0)} ms`);
  });

  it('decodes 200,000 numeric character references in bounded time', async () => {
    const file = files.write('refs.xml', `<r><e><v>${'&#65;'.repeat(200_000)}</v></e></r>`);
    let value: RawValue;
    const ms = await timed(async () => {
      value = (await readAll(file, '/r/e')).read('v')[0];
    });
    assert.equal(value, 'A'.repeat(200_000));
    assert.ok(ms < 1000, `read in ${ms.toFixed(0)} ms`);
  });

  it('keeps __proto__ and constructor names as plain keys without touching Object.prototype', async () => {
    const file = files.write('proto.xml', '<R><Rec __proto__="p" constructor="c"><__proto__><polluted>yes</polluted></__proto__><constructor>x</constructor><prototype>y</prototype></Rec></R>');
    const { rows, read } = await readAll(file, '/R/Rec');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
    assert.deepEqual(read('__proto__/polluted'), ['yes']);
    assert.deepEqual(read('@__proto__'), ['p']);
    assert.deepEqual(read('@constructor'), ['c']);
    assert.deepEqual(read('constructor'), ['x']);
    assert.deepEqual(read('prototype'), ['y']);
    assert.deepEqual(read('toString'), [undefined], 'nothing is inherited');
    assertInheritsNothing(rows[0]?.record);
  });

  it('reads a legitimate file with 5,000 escaped ampersands and angle brackets', async () => {
    const records = Array.from({ length: 5000 }, (_, i) => `<o><n>Müller &amp; Söhne &lt;${i}&gt;</n></o>`).join('\n');
    const file = files.write('amp.xml', `<os>\n${records}\n</os>`);
    const { rows, read } = await readAll(file, '/os/o');
    assert.equal(rows.length, 5000);
    assert.equal(read('n')[4999], 'Müller & Söhne <4999>');
  });

  it('reports malformed XML with its line and column', async () => {
    const file = files.write('broken.xml', '<Orders>\n  <Order><ID>1</ID></Order>\n  <Order><ID>2</ID></Ordr>\n</Orders>\n');
    await assert.rejects(openXmlReader(file, { record: '/Orders/Order' }), (err: unknown) => {
      const e = err as Error & { code?: string; location?: { line?: number; column?: number } };
      assert.equal(e.code, 'E_XML_MALFORMED');
      assert.match(e.message, /broken\.xml is not well-formed XML at line 3, column \d+: unexpected close tag/);
      assert.equal(e.location?.line, 3);
      assert.ok((e.location?.column ?? 0) > 20);
      return true;
    });
    const entity = files.write('entity.xml', '<a><b>&nbsp;</b></a>');
    await assert.rejects(openXmlReader(entity, { record: '/a/b' }), { code: 'E_XML_MALFORMED', message: /undefined entity/ });
    const csv = files.write('orders.xml', 'Order No;Customer\nORD-1;Müller\n');
    await assert.rejects(openXmlReader(csv, { record: '/a/b' }), { code: 'E_XML_MALFORMED', message: /orders\.xml is not XML: it starts with "Order No;Customer\\nOR"/ });
  });

  it('yields every record before a fault that comes late, then throws', async () => {
    const good = Array.from({ length: 120 }, (_, i) => `  <Order><ID>${i + 1}</ID></Order>`).join('\n');
    const file = files.write('late-fault.xml', `<Orders>\n${good}\n  <Order><ID>121</ID>\n</Orders>\n`);
    const reader = await openXmlReader(file, { record: '/Orders/Order' });
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (const batch of reader.batches()) for (const row of batch) seen.push(row.row);
    }, { code: 'E_XML_MALFORMED', message: /line 123/ });
    assert.deepEqual(seen, Array.from({ length: 120 }, (_, i) => i + 1), 'every complete record, none of the broken one');
  });

  it('rejects a record that is too large on its own row and reads on', async () => {
    const big = Array.from({ length: 30 }, (_, i) => `<L>${'x'.repeat(50)}${i}</L>`).join('');
    const file = files.write('large.xml', `<R>\n<Rec><ID>1</ID></Rec>\n<Rec><ID>2</ID>${big}</Rec>\n<Rec><ID>3</ID></Rec>\n</R>`);
    const { rows, read } = await readAll(file, '/R/Rec', { maxDepth: 100, maxRecordChars: 1000 });
    assert.deepEqual(rows.map((r) => r.row), [1, 2, 3]);
    assert.equal(rows[1]?.problem?.code, 'E_XML_RECORD_TOO_LARGE');
    assert.equal(rows[1]?.problem?.line, 3);
    assert.deepEqual(read('ID'), ['1', undefined, '3']);
  });

  it('refuses a text longer than the limit instead of buffering it', async () => {
    const file = files.write('long-text.xml', `<R><Rec><T>${'y'.repeat(700 * 1024)}</T></Rec></R>`);
    await assert.rejects(readAll(file, '/R/Rec', { maxDepth: 100, maxRecordChars: 1000 }), { code: 'E_XML_RECORD_TOO_LARGE', message: /longer than 1000 characters/ });
  });

  it('refuses empty and binary files with a clear message', async () => {
    await assert.rejects(openXmlReader(files.write('empty.xml', ''), { record: '/a/b' }), { code: 'E_EMPTY_FILE' });
    const zip = files.write('book.xml', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]));
    await assert.rejects(openXmlReader(zip, { record: '/a/b' }), { code: 'E_FORMAT_MISMATCH', message: /ZIP archive/ });
  });
});
