import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { loadLookups } from '../../../src/mapping/lookups.js';
import type { LookupTable, RowItem } from '../../../src/mapping/types.js';
import { compileIssues, compileOk, errorsOf, mapperFor, mapRows, parseProfile, recordOf } from '../../support/mapping-fixture.js';

async function tablesOf(lookups: Record<string, unknown>, dir: string): Promise<Map<string, LookupTable>> {
  const profile = parseProfile({ a: { from: 'A' } }, { lookups });
  const loaded = await loadLookups(profile.lookups, dir);
  assert.deepEqual(loaded.issues, []);
  return loaded.tables;
}

describe('lookups', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-lookups-'));
    await writeFile(join(dir, 'warehouses.csv'), 'Code;Name;Region\nWH1;OSL-1;East\n WH2 ; BRG-2 ;West\nWH3;;North\n0042;Zero-Four-Two;South\n');
    await writeFile(join(dir, 'two-columns.csv'), 'code,name\nA,Alpha\nB,Beta\nA,Alpha\n');
    await writeFile(join(dir, 'conflict.csv'), 'code,name\nA,Alpha\nB,Beta\nA,Other\n');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('translates through an inline table', async () => {
    const lookups = await tablesOf({ warehouses: { WH1: 'OSL-1', WH2: 'BRG-2' } }, dir);
    const mapper = mapperFor({ wh: { from: 'Warehouse', lookup: 'warehouses' } }, ['Warehouse'], { lookups });
    const [ok, bad] = mapRows(mapper, [['WH1'], ['WH9']]);
    assert.deepEqual(recordOf(ok), { wh: 'OSL-1' });
    assert.deepEqual(errorsOf(bad), [{ field: 'wh', code: 'lookup', column: 'Warehouse', message: 'Warehouse is "WH9", which is not in lookup warehouses; allowed: WH1, WH2' }]);
  });

  it('reads a CSV file next to the profile, by key and value column, trimming both', async () => {
    const lookups = await tablesOf({ warehouses: { file: 'warehouses.csv', key: 'Code', value: 'Name' } }, dir);
    const mapper = mapperFor({ wh: { from: 'Warehouse', lookup: 'warehouses' } }, ['Warehouse'], { lookups });
    const [a, b, c] = mapRows(mapper, [['WH1'], ['WH2'], ['0042']]);
    assert.equal(recordOf(a).wh, 'OSL-1');
    assert.equal(recordOf(b).wh, 'BRG-2');
    assert.equal(recordOf(c).wh, 'Zero-Four-Two', 'the key 0042 is text, not 42');
  });

  it('uses the first two columns when key and value are not named', async () => {
    const lookups = await tablesOf({ codes: { file: 'two-columns.csv' } }, dir);
    const mapper = mapperFor({ c: { from: 'C', lookup: 'codes' } }, ['C'], { lookups });
    assert.equal(recordOf(mapRows(mapper, [['B']])[0]).c, 'Beta');
  });

  it('treats an empty value in the lookup file as nothing, never ""', async () => {
    const lookups = await tablesOf({ warehouses: { file: 'warehouses.csv', key: 'Code', value: 'Name' } }, dir);
    const optional = mapperFor({ wh: { from: 'W', lookup: 'warehouses' } }, ['W'], { lookups });
    assert.deepEqual(recordOf(mapRows(optional, [['WH3']])[0]), {});
    const required = mapperFor({ wh: { from: 'W', lookup: 'warehouses', required: true } }, ['W'], { lookups });
    assert.equal(errorsOf(mapRows(required, [['WH3']])[0])[0]?.code, 'required');
  });

  it('falls back to default for unknown keys when one is given', async () => {
    const lookups = await tablesOf({ warehouses: { file: 'warehouses.csv', key: 'Code', value: 'Name' } }, dir);
    const mapper = mapperFor({ wh: { from: 'W', lookup: 'warehouses', default: 'UNKNOWN' } }, ['W'], { lookups });
    assert.deepEqual(mapRows(mapper, [['WH9'], ['WH1']]).map((o) => recordOf(o).wh), ['UNKNOWN', 'OSL-1']);
  });

  it('reports a missing file, a missing column or a key with two values as a profile issue at the lookup', async () => {
    const profile = parseProfile({ a: { from: 'A' } }, { lookups: { gone: { file: 'missing.csv' }, badColumn: { file: 'warehouses.csv', key: 'Kode' }, conflict: { file: 'conflict.csv' } } });
    const loaded = await loadLookups(profile.lookups, dir);
    assert.deepEqual(loaded.issues.map((i) => i.path), [['lookups', 'gone', 'file'], ['lookups', 'badColumn', 'file'], ['lookups', 'conflict', 'file']]);
    assert.match(loaded.issues[1]?.message ?? '', /no column "Kode"; its columns are: Code, Name, Region/);
    assert.match(loaded.issues[2]?.message ?? '', /conflict\.csv line 4: the key "A" appears a second time, with "Other" instead of "Alpha"/);
  });

  it('refuses a lookup file that is not CSV instead of taking it for an inline table', async () => {
    const profile = parseProfile({ a: { from: 'A' } }, { lookups: { sheet: { file: 'warehouses.xlsx', key: 'Code', value: 'Name' } } });
    const loaded = await loadLookups(profile.lookups, dir);
    assert.deepEqual(loaded.issues.map((i) => i.path), [['lookups', 'sheet', 'file']]);
    assert.equal(loaded.tables.has('sheet'), false);
  });

  it('keeps an inline table that merely has an entry called file', async () => {
    const lookups = await tablesOf({ kinds: { file: 'document', dir: 'folder' } }, dir);
    assert.equal(lookups.get('kinds')?.get('file'), 'document');
  });

  it('reports a field that names an unknown lookup when the profile is compiled', () => {
    const issues = compileIssues({ wh: { from: 'W', lookup: 'wherehouses' } }, {}, new Map([['warehouses', new Map()]]));
    assert.deepEqual(issues, [{ path: ['fields', 'wh', 'lookup'], message: 'no lookup named "wherehouses"; known: warehouses' }]);
  });

  it('refuses map and lookup on the same field', () => {
    assert.throws(() => parseProfile({ a: { from: 'A', map: { x: 'y' }, lookup: 'l' } }), /either map or lookup/);
  });
});

describe('key', () => {
  const fields = { orderId: { from: 'Order No', trim: true }, line: { from: 'Line', type: 'integer' }, qty: { from: 'Qty' } };
  const columns = ['Order No', 'Line', 'Qty'];

  it('rejects a second row with the same key, naming the first row', () => {
    const mapper = mapperFor(fields, columns, { extras: { key: 'orderId' } });
    const outcomes = mapRows(mapper, [['ORD-1', '1', '5'], ['ORD-2', '1', '5'], [' ORD-1 ', '2', '5']]);
    assert.equal(outcomes[0]?.ok && outcomes[0].key, 'ORD-1');
    assert.equal(outcomes[1]?.ok, true);
    const [e] = errorsOf(outcomes[2]);
    assert.equal(outcomes[2]?.row, 4);
    assert.equal(e?.code, 'duplicate');
    assert.equal(e?.field, 'orderId');
    assert.match(e?.message ?? '', /ORD-1 already appeared on row 2/);
  });

  it('combines the fields of a composite key', () => {
    const mapper = mapperFor(fields, columns, { extras: { key: ['orderId', 'line'] } });
    const outcomes = mapRows(mapper, [['ORD-1', '1', '5'], ['ORD-1', '2', '5'], ['ORD-1', '01', '5']]);
    assert.equal(outcomes[1]?.ok, true);
    const [e] = errorsOf(outcomes[2]);
    assert.equal(e?.code, 'duplicate');
    assert.equal(e?.field, 'orderId, line');
    assert.match(e?.message ?? '', /ORD-1 \/ 1 already appeared on row 2/);
  });

  it('does not confuse composite keys whose parts only concatenate alike', () => {
    const mapper = mapperFor({ a: { from: 'A' }, b: { from: 'B' } }, ['A', 'B'], { extras: { key: ['a', 'b'] } });
    const outcomes = mapRows(mapper, [['ab', 'c'], ['a', 'bc'], ['a b', 'c'], ['a', 'b c']]);
    assert.deepEqual(outcomes.map((o) => o.ok), [true, true, true, true]);
  });

  it('compares keys by the value the field type gives them', () => {
    const mapper = mapperFor({ n: { from: 'N', type: 'integer' }, d: { from: 'D', type: 'decimal' } }, ['N', 'D'], { extras: { key: ['n', 'd'] } });
    const outcomes = mapRows(mapper, [['7', '1.5'], ['007', '1.50'], ['7', '1.05']]);
    assert.equal(errorsOf(outcomes[1])[0]?.code, 'duplicate', '007 is 7 and 1.50 is 1.5');
    assert.equal(outcomes[2]?.ok, true);
    const strings = mapperFor({ s: { from: 'S' } }, ['S'], { extras: { key: 's' } });
    assert.deepEqual(mapRows(strings, [['007'], ['7']]).map((o) => o.ok), [true, true], 'as text, 007 and 7 differ');
  });

  it('rejects a row whose key is empty with code key', () => {
    const mapper = mapperFor(fields, columns, { extras: { key: ['orderId', 'line'] } });
    const [e] = errorsOf(mapRows(mapper, [['ORD-1', '', '5']])[0]);
    assert.equal(e?.code, 'key');
    assert.match(e?.message ?? '', /key \(orderId, line\) is empty/);
  });

  it('does not count a rejected row as the first holder of its key', () => {
    const mapper = mapperFor(fields, columns, { extras: { key: 'orderId' } });
    const outcomes = mapRows(mapper, [['ORD-1', 'x', '5'], ['ORD-1', '1', '5']]);
    assert.equal(errorsOf(outcomes[0])[0]?.code, 'type');
    assert.equal(outcomes[1]?.ok, true);
  });

  it('starts afresh for every file the compiled mapping is bound to', () => {
    const mapping = compileOk(parseProfile(fields, { key: 'orderId' }));
    const first = mapping.bind(columns, 'a.csv');
    const second = mapping.bind(columns, 'b.csv');
    assert.equal(mapRows(first, [['A', '1', '1']])[0]?.ok, true);
    assert.equal(mapRows(second, [['A', '1', '1']])[0]?.ok, true);
  });

  it('tells apart many keys over many rows, and finds every duplicate', () => {
    const mapper = mapperFor({ id: { from: 'Id' } }, ['Id'], { extras: { key: 'id' } });
    const n = 50_000;
    let duplicates = 0;
    for (let i = 0; i < n; i++) if (!mapper({ row: i + 2, cells: [`K${i}`] }).ok) duplicates++;
    assert.equal(duplicates, 0);
    const again = mapper({ row: n + 2, cells: ['K31337'] });
    assert.match(errorsOf(again)[0]?.message ?? '', /already appeared on row 31339/);
  });

  it('gives the same outcomes when the rows of a file are pushed a batch at a time', () => {
    const mapping = compileOk(parseProfile(fields, { key: ['orderId', 'line'] }));
    const rows = Array.from({ length: 3000 }, (_, i) => ({
      row: i + 2,
      // keys repeat 400 rows back (an earlier batch) and 5 rows back (mostly the same batch); every
      // 11th row has a bad line number, so it holds no key
      cells: [`ORD-${i % 7 === 0 ? Math.max(0, i - 400) : i % 13 === 0 ? i - 5 : i}`, i % 11 === 0 ? 'x' : '1', '5'],
    }));
    const collect = (feed: (processor: ReturnType<typeof mapping.process>, emit: (item: RowItem) => void) => void): RowItem[] => {
      const items: RowItem[] = [];
      const processor = mapping.process(columns, 'a.csv');
      feed(processor, (item) => items.push(item));
      processor.end((item) => items.push(item));
      return items;
    };
    const single = collect((p, emit) => {
      for (const row of rows) p.push(row, emit);
    });
    const batched = collect((p, emit) => {
      for (let i = 0; i < rows.length; i += 250) p.pushMany(rows.slice(i, i + 250), emit);
    });
    assert.deepEqual(batched, single);
    assert.ok(single.filter((item) => item.kind === 'rejected').length > 300);
  });

  it('refuses a key that is not a field', () => {
    const issues = compileIssues(fields, { key: ['orderNo'] });
    assert.deepEqual(issues, [{ path: ['key', 0], message: '"orderNo" is not a field of this profile; key lists target field names' }]);
  });
});
