import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Decimal } from '../../../src/mapping/decimal.js';
import { parseXml, writeTable, type XmlElement } from '../../support/writer-output.js';

const decimal = (text: string): Decimal => Decimal.parse(text) ?? assert.fail(`bad decimal ${text}`);
const day = (y: number, m: number, d: number): Date => new Date(Date.UTC(y, m - 1, d));

/** The records of a written document as column → text, in document order. */
function records(root: XmlElement): Record<string, string>[] {
  return root.children.map((record) => Object.fromEntries(record.children.map((c) => [c.name, c.text])));
}

describe('XML writer', () => {
  it('writes a declaration, root and record elements, one child per column, and reads back', async () => {
    const bytes = await writeTable('xml', { columns: ['row', 'status', 'key'], rootElement: 'results', recordElement: 'result' }, [
      [2, 'delivered', 'ORD-1'],
      [3, 'rejected', null],
    ]);
    const text = bytes.toString('utf8');
    assert.ok(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<results>\n  <result>\n    <row>2</row>\n'));
    const root = parseXml(text);
    assert.equal(root.name, 'results');
    assert.deepEqual(root.children.map((c) => c.name), ['result', 'result']);
    assert.deepEqual(records(root), [{ row: '2', status: 'delivered', key: 'ORD-1' }, { row: '3', status: 'rejected', key: '' }]);
  });

  it('makes column names valid element names, and keeps repeated names apart', async () => {
    const columns = ['Order No', '1st price', 'ns:tag', 'Grüße', '', 'a/b', 'Order_No', '-x', 'ok.name-1'];
    const bytes = await writeTable('xml', { columns, rootElement: 'my root', recordElement: '9' }, [columns.map((_c, i) => i)]);
    const root = parseXml(bytes.toString('utf8'));
    assert.equal(root.name, 'my_root');
    assert.equal(root.children[0]?.name, '_9');
    assert.deepEqual(root.children[0]?.children.map((c) => c.name), ['Order_No', '_1st_price', 'ns_tag', 'Grüße', '_', 'a_b', 'Order_No_2', '_-x', 'ok.name-1']);
  });

  it('escapes markup, keeps CR, replaces characters XML 1.0 forbids, and writes values like CSV', async () => {
    const bytes = await writeTable('xml', { columns: ['text', 'n', 'd', 'date', 'time', 'flag', 'formula'] }, [
      ['a & b < c > d "e" \'f\'\r\nnext\u0000\u000b😀', 1e21, decimal('12.50'), day(2024, 2, 29), new Date(Date.UTC(2024, 1, 29, 8, 0)), true, '=1+1'],
    ]);
    const text = bytes.toString('utf8');
    assert.ok(text.includes('a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos;&#13;\nnext\uFFFD\uFFFD😀'));
    assert.ok(!text.includes('CDATA'));
    assert.deepEqual(records(parseXml(text)), [{
      text: 'a & b < c > d "e" \'f\'\r\nnext\uFFFD\uFFFD😀', n: '1000000000000000000000', d: '12.50',
      date: '2024-02-29', time: '2024-02-29T08:00:00.000Z', flag: 'true', formula: '=1+1',
    }]);
  });

  it('writes an empty root when there are no rows', async () => {
    const bytes = await writeTable('xml', { columns: ['a'] }, []);
    assert.equal(bytes.toString('utf8'), '<?xml version="1.0" encoding="UTF-8"?>\n<records>\n</records>\n');
    assert.deepEqual(parseXml(bytes.toString('utf8')).children, []);
  });
});

describe('JSON writer', () => {
  it('writes an array of objects with exact Decimals, ISO dates, booleans and nulls', async () => {
    const bytes = await writeTable('json', { columns: ['row', 'amount', 'big', 'date', 'ok', 'note', 'n'] }, [
      [2, decimal('1234.50'), decimal('12345678901234567890.123456789'), day(2024, 2, 29), true, 'say "hi"\n=1', 0.1],
      [3, null, undefined, new Date(Number.NaN), false, '', Number.NaN],
    ]);
    const text = bytes.toString('utf8');
    assert.ok(text.includes('"amount":1234.50,"big":12345678901234567890.123456789,'), 'Decimals are exact number text');
    assert.deepEqual(JSON.parse(text), [
      { row: 2, amount: 1234.5, big: 12345678901234567890.123456789, date: '2024-02-29', ok: true, note: 'say "hi"\n=1', n: 0.1 },
      { row: 3, amount: null, big: null, date: null, ok: false, note: '', n: null },
    ]);
  });

  it('keeps repeated column names apart and writes [] for no rows', async () => {
    const bytes = await writeTable('json', { columns: ['a', 'a', 'b'] }, [[1, 2, 3]]);
    assert.deepEqual(JSON.parse(bytes.toString('utf8')), [{ a: 1, a_2: 2, b: 3 }]);
    const empty = await writeTable('json', { columns: ['a'] }, []);
    assert.deepEqual(JSON.parse(empty.toString('utf8')), []);
  });
});
