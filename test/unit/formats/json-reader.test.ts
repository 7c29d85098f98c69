import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import iconv from 'iconv-lite';

import { openJsonReader, type JsonOptions } from '../../../src/formats/json/json-reader.js';
import type { InputFile, RawValue, RowReader, SourceRow } from '../../../src/formats/types.js';
import { Decimal } from '../../../src/mapping/decimal.js';
import { tempFiles, type TempFiles } from '../../support/csv-files.js';
import { REPO_ROOT } from '../../support/run-cli.js';

let files: TempFiles;
before(() => {
  files = tempFiles();
});
after(() => files.remove());

async function readJson(file: InputFile, options: JsonOptions, limits?: { maxDepth: number; maxRecordChars: number }): Promise<{ reader: RowReader; rows: SourceRow[] }> {
  const reader = await openJsonReader(file, options, limits);
  const rows: SourceRow[] = [];
  for await (const batch of reader.batches()) rows.push(...batch);
  return { reader, rows };
}

function values(reader: RowReader, rows: readonly SourceRow[], from: string): RawValue[] {
  const read = reader.resolve?.(from);
  assert.ok(read, 'a JSON reader resolves paths');
  return rows.map((r) => read(r));
}

function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v)) as unknown;
}

describe('openJsonReader: the array of records', () => {
  it('reads a top-level array of objects, values keeping their JSON types', async () => {
    const file = files.write('top.json', '[\n  {"id": "0006", "qty": 12, "price": 1.5, "active": true, "note": null},\n  {"id": "0007", "qty": 0, "active": false}\n]\n');
    for (const record of [undefined, '/', '']) {
      const { reader, rows } = await readJson(file, record === undefined ? {} : { record });
      assert.deepEqual(rows.map((r) => r.row), [1, 2]);
      assert.deepEqual(values(reader, rows, 'id'), ['0006', '0007']);
      assert.deepEqual(values(reader, rows, 'qty'), [12, 0]);
      assert.deepEqual(values(reader, rows, 'price'), [1.5, undefined]);
      assert.deepEqual(values(reader, rows, 'active'), [true, false]);
      assert.deepEqual(values(reader, rows, 'note'), [undefined, undefined], 'null reads as absent');
      assert.equal(reader.detected.format, 'json');
      assert.equal(reader.detected.record, '/');
      assert.deepEqual(reader.columns, ['id', 'qty', 'price', 'active']);
    }
  });

  it('reads the array at a nested path and paths inside the records', async () => {
    const file = files.write('nested.json', JSON.stringify({
      meta: { items: ['not', 'these'], count: 2 },
      data: { items: [
        { no: 'A', customer: { id: '000731', address: { zip: '01067' } }, lines: [{ sku: '000101', qty: 2 }, { sku: '004711', qty: 1 }] },
        { no: 'B', customer: { id: '000042' }, lines: [] },
      ] },
    }));
    const { reader, rows } = await readJson(file, { record: '/data/items' });
    assert.equal(reader.detected.record, '/data/items');
    assert.deepEqual(values(reader, rows, 'no'), ['A', 'B']);
    assert.deepEqual(values(reader, rows, 'customer/address/zip'), ['01067', undefined]);
    assert.deepEqual(values(reader, rows, 'lines/sku'), [['000101', '004711'], undefined]);
    assert.deepEqual(values(reader, rows, 'lines/1/qty'), [1, undefined]);
    assert.deepEqual(plain(values(reader, rows, 'lines')[0]), [{ sku: '000101', qty: 2 }, { sku: '004711', qty: 1 }]);
    assert.deepEqual(reader.columns, ['no', 'customer/id', 'customer/address/zip', 'lines/sku', 'lines/qty']);
    assert.equal(Object.getPrototypeOf(rows[0]?.record), null);
  });

  it('keeps every digit of numbers a double cannot hold, as exact decimals', async () => {
    const file = files.write('numbers.json', '[{"big": 12345678901234567890, "long": 0.12345678901234567891, "small": 0.1, "exp": 1.5e3, "tiny": 1e-7, "neg": -42, "huge": 1e400}]');
    const { reader, rows } = await readJson(file, {});
    const one = (from: string): RawValue => values(reader, rows, from)[0];
    assert.ok(one('big') instanceof Decimal);
    assert.equal(String(one('big')), '12345678901234567890');
    assert.equal(String(one('long')), '0.12345678901234567891');
    assert.equal(one('small'), 0.1);
    assert.equal(one('exp'), 1500);
    assert.equal(one('tiny'), 1e-7);
    assert.equal(one('neg'), -42);
    assert.equal(String(one('huge')), `1${'0'.repeat(400)}`);
  });

  it('rejects items that are not objects on their own rows and reads on', async () => {
    const file = files.write('mixed.json', '[{"a": 1}, 5, "text", [1, 2], null, {"a": 2}]');
    const { reader, rows } = await readJson(file, {});
    assert.deepEqual(rows.map((r) => [r.row, r.problem?.code]), [[1, undefined], [2, 'E_JSON_NOT_OBJECT'], [3, 'E_JSON_NOT_OBJECT'], [4, 'E_JSON_NOT_OBJECT'], [5, 'E_JSON_NOT_OBJECT'], [6, undefined]]);
    assert.match(rows[2]?.problem?.message ?? '', /is the text "text", not an object/);
    assert.deepEqual(values(reader, rows, 'a'), [1, undefined, undefined, undefined, undefined, 2]);
  });

  it('keeps __proto__ and constructor keys as plain keys without pollution', async () => {
    const file = files.write('proto.json', '[{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}, "a": 1}]');
    const { reader, rows } = await readJson(file, {});
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(values(reader, rows, '__proto__/polluted'), ['yes']);
    assert.deepEqual(values(reader, rows, 'constructor/prototype/polluted'), ['yes']);
    assert.deepEqual(values(reader, rows, 'toString'), [undefined]);
  });

  it('reports malformed JSON with line and column, after the items before it', async () => {
    const small = files.write('broken.json', '[\n  {"a": 1},\n  {"a": 2,, "b": 3}\n]');
    await assert.rejects(openJsonReader(small, {}), (err: unknown) => {
      const e = err as Error & { code?: string; location?: { line?: number; column?: number } };
      assert.equal(e.code, 'E_JSON_MALFORMED');
      assert.match(e.message, /broken\.json is not valid JSON at line 3, column 11: unexpected ","/);
      assert.deepEqual([e.location?.line, e.location?.column], [3, 11]);
      return true;
    });
    const items = Array.from({ length: 80 }, (_, i) => `{"n": ${i + 1}}`).join(',\n');
    const late = files.write('late.json', `[\n${items},\n{"n": tru}\n]`);
    const reader = await openJsonReader(late, {});
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (const batch of reader.batches()) for (const row of batch) seen.push(row.row);
    }, { code: 'E_JSON_MALFORMED', message: /line 82, column 10: unexpected character "}"/ });
    assert.equal(seen.length, 80);
    await assert.rejects(openJsonReader(files.write('cut.json', '[{"a": 1}, {"a": "unterminated'), {}), { code: 'E_JSON_MALFORMED', message: /ends/ });
    await assert.rejects(openJsonReader(files.write('two.json', '[{"a": 1}] [{"a": 2}]'), {}), { code: 'E_JSON_MALFORMED', message: /after the end of the JSON value/ });
  });

  it('says where the records are when format.record misses them', async () => {
    const file = files.write('object.json', '{"meta": {"warnings": []}, "data": {"orders": [{"a": 1}]}}');
    await assert.rejects(openJsonReader(file, {}), { code: 'E_FORMAT_MISMATCH', message: /the top-level value is an object, not an array of records/ });
    await assert.rejects(openJsonReader(file, { record: '/data/items' }), { code: 'E_FORMAT_MISMATCH', message: /no array at \/data\/items \(format\.record\); arrays in the file: \/meta\/warnings, \/data\/orders/ });
    await assert.rejects(openJsonReader(file, { record: '/meta' }), { code: 'E_FORMAT_MISMATCH', message: /\/meta is an object, not an array/ });
  });

  it('refuses deep nesting and rejects records that are too large', async () => {
    const deep = files.write('deep.json', `[${'['.repeat(100_000)}${']'.repeat(100_000)}]`);
    const started = performance.now();
    await assert.rejects(openJsonReader(deep, {}), { code: 'E_JSON_DEPTH', message: /more than 100 levels deep/ });
    assert.ok(performance.now() - started < 2000);
    const big = files.write('big.json', `[{"id": 1}, {"id": 2, "text": "${'x'.repeat(3000)}"}, {"id": 3}]`);
    const { reader, rows } = await readJson(big, {}, { maxDepth: 100, maxRecordChars: 1000 });
    assert.deepEqual(rows.map((r) => r.problem?.code), [undefined, 'E_JSON_RECORD_TOO_LARGE', undefined]);
    assert.deepEqual(values(reader, rows, 'id'), [1, undefined, 3]);
  });

  it('refuses bytes that are not UTF-8 unless the profile names the encoding', async () => {
    const bytes = iconv.encode('[{"name": "Müller"}]', 'windows-1252');
    await assert.rejects(openJsonReader(files.write('cp.json', bytes), {}), { code: 'E_ENCODING' });
    const { reader, rows } = await readJson(files.write('cp2.json', bytes), { encoding: 'windows-1252' });
    assert.deepEqual(values(reader, rows, 'name'), ['Müller']);
    const bom = await readJson(files.write('bom.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[{"name": "Groß"}]')])), {});
    assert.deepEqual(values(bom.reader, bom.rows, 'name'), ['Groß']);
  });

  it('reads the shop orders sample', async () => {
    const file = { path: join(REPO_ROOT, 'samples', 'orders.json'), name: 'orders.json' };
    const { reader, rows } = await readJson(file, { record: '/data/orders' });
    assert.equal(rows.length, 5);
    assert.deepEqual(values(reader, rows, 'customer/id'), ['000731', '000042', '001200', '000731', '000915']);
    assert.deepEqual(values(reader, rows, 'paymentRef').map((v) => (v === undefined ? v : String(v))), ['12345678901234567890', '98765432109876543210', undefined, '12345678901234567891', undefined]);
    assert.deepEqual(values(reader, rows, 'items/sku')[2], ['000040', '000041', '002300']);
  });
});
