import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { recordJson } from '../../../src/json/to-json.js';
import { GroupLimitError } from '../../../src/mapping/group-records.js';
import type { RowItem } from '../../../src/mapping/types.js';
import { compileIssues, compileOk, parseProfile, type ProfileExtras } from '../../support/mapping-fixture.js';

/** Runs rows (first is line 2) through filter, split and group, as the pipeline does. */
function processRows(fields: Readonly<Record<string, unknown>>, extras: ProfileExtras, columns: readonly string[], rows: readonly (readonly string[])[]): RowItem[] {
  const processor = compileOk(parseProfile(fields, extras)).process(columns, 'test.csv');
  const items: RowItem[] = [];
  const emit = (item: RowItem): void => {
    items.push(item);
  };
  rows.forEach((cells, i) => processor.push({ row: i + 2, cells }, emit));
  processor.end(emit);
  return items;
}

function records(items: readonly RowItem[]): { rows: readonly number[]; json: string }[] {
  return items.flatMap((i) => (i.kind === 'record' ? [{ rows: i.rows, json: recordJson(i.record) }] : []));
}

function others(items: readonly RowItem[]): string[] {
  return items.flatMap((i) => (i.kind === 'rejected' ? [`${i.row} rejected ${i.errors.map((e) => e.code).join(',')}`] : i.kind === 'skipped' ? [`${i.row} skipped`] : []));
}

const variantFields = {
  parentSku: { from: 'Parent', required: true },
  name: { from: 'Name' },
  sku: { from: 'SKU', required: true },
  size: { from: 'Size' },
  stock: { from: 'Stock', type: 'integer' },
  price: { from: 'Price', type: 'decimal', decimalSeparator: ',' },
};
const variantColumns = ['Parent', 'Name', 'SKU', 'Size', 'Stock', 'Price'];
const variantGroup = { group: { by: 'parentSku', collect: { variants: ['sku', 'size', 'stock'] }, aggregate: { price: 'min' } }, key: ['parentSku'] };

describe('group', () => {
  it('merges consecutive and non-consecutive rows into one record per key, in first-appearance order', () => {
    const items = processRows(variantFields, variantGroup, variantColumns, [
      ['P1', 'Shirt', 'P1-S', 'S', '4', '199,00'],
      ['P2', 'Cap', 'P2-U', 'U', '10', '99,50'],
      ['P1', 'Shirt (ignored name)', 'P1-M', 'M', '0', '189,00'],
      ['P1', 'Shirt', 'P1-L', 'L', '2', '209,00'],
    ]);
    assert.deepEqual(records(items), [
      { rows: [2, 4, 5], json: '{"parentSku":"P1","name":"Shirt","price":189.00,"variants":[{"sku":"P1-S","size":"S","stock":4},{"sku":"P1-M","size":"M","stock":0},{"sku":"P1-L","size":"L","stock":2}]}' },
      { rows: [3], json: '{"parentSku":"P2","name":"Cap","price":99.50,"variants":[{"sku":"P2-U","size":"U","stock":10}]}' },
    ]);
    assert.deepEqual(others(items), []);
  });

  it('computes first, last, sum, count, min and max, ignoring empty cells', () => {
    const items = processRows(
      { order: { from: 'Order' }, qty: { from: 'Qty', type: 'decimal' }, lines: { from: 'Qty' }, first: { from: 'Note' }, last: { from: 'Note' }, low: { from: 'N', type: 'integer' }, high: { from: 'N', type: 'integer' } },
      { group: { by: 'order', aggregate: { qty: 'sum', lines: 'count', first: 'first', last: 'last', low: 'min', high: 'max' } } },
      ['Order', 'Qty', 'N', 'Note'],
      [['A', '1.5', '7', ''], ['A', '', '', 'x'], ['A', '10', '-3', 'y'], ['A', '2.25', '12', '']],
    );
    assert.deepEqual(records(items).map((r) => r.json), ['{"order":"A","qty":13.75,"lines":3,"first":"x","last":"y","low":-3,"high":12}']);
  });

  it('rejects the whole group when one of its rows is rejected, and marks every row', () => {
    const items = processRows(variantFields, variantGroup, variantColumns, [
      ['P1', 'Shirt', 'P1-S', 'S', '4', '199,00'],
      ['P2', 'Cap', 'P2-U', 'U', '10', '99,50'],
      ['P1', 'Shirt', 'P1-M', 'M', 'many', '189,00'],
      ['P1', 'Shirt', 'P1-L', 'L', '2', '209,00'],
    ]);
    assert.deepEqual(records(items).map((r) => r.rows), [[3]]);
    assert.deepEqual(others(items), ['2 rejected group', '4 rejected type', '5 rejected group']);
    const marked = items.find((i) => i.kind === 'rejected' && i.row === 2);
    assert.ok(marked?.kind === 'rejected');
    assert.match(marked.errors[0]?.message ?? '', /rejected with its group P1, because row 4 of the group was rejected/);
  });

  it('rejects a row without a group key', () => {
    const items = processRows({ parent: { from: 'Parent' }, sku: { from: 'SKU' } }, { group: { by: 'parent', collect: { items: ['sku'] } } }, ['Parent', 'SKU'], [['P1', 'a'], ['', 'b']]);
    assert.deepEqual(others(items), ['3 rejected group']);
  });

  it('streams sorted input, and rejects a key that comes back after its group closed', () => {
    const items = processRows(variantFields, { ...variantGroup, group: { ...variantGroup.group, sorted: true } }, variantColumns, [
      ['P1', 'Shirt', 'P1-S', 'S', '4', '199,00'],
      ['P1', 'Shirt', 'P1-M', 'M', '1', '189,00'],
      ['P2', 'Cap', 'P2-U', 'U', '10', '99,50'],
      ['P1', 'Shirt', 'P1-L', 'L', '2', '209,00'],
    ]);
    assert.deepEqual(records(items).map((r) => r.rows), [[2, 3], [4]]);
    const late = items.find((i) => i.kind === 'rejected');
    assert.ok(late?.kind === 'rejected' && late.row === 5);
    assert.match(late.errors[0]?.message ?? '', /already appeared from row 2 .*group\.sorted/);
  });

  it('refuses an unsorted file beyond maxRows and says how to go on', () => {
    const rows = Array.from({ length: 50 }, (_, i) => [`P${i % 7}`, `S${i}`]);
    assert.throws(() => processRows({ parent: { from: 'Parent' }, sku: { from: 'SKU' } }, { group: { by: 'parent', collect: { items: ['sku'] }, maxRows: 20 } }, ['Parent', 'SKU'], rows), (err: unknown) => {
      assert.ok(err instanceof GroupLimitError);
      assert.match(err.message, /more than 20 rows .* sort the export by parent and set group\.sorted: true, or raise group\.maxRows/);
      return true;
    });
  });

  it('lists every mistake in a group spec', () => {
    const issues = compileIssues({ parent: { from: 'P' }, sku: { from: 'S' }, qty: { from: 'Q' } }, {
      group: { by: ['parent', 'nope'], collect: { sku: ['sku'], items: ['parent', 'ghost', 'qty'] }, aggregate: { qty: 'sum' } },
    });
    const paths = issues.map((i) => i.path.join('.'));
    assert.deepEqual(paths.sort(), ['group.aggregate.qty', 'group.by.1', 'group.collect.items.0', 'group.collect.items.1', 'group.collect.sku'].sort());
  });
});

describe('split', () => {
  const fields = {
    sku: { from: 'SKU', required: true },
    warehouse: { from: 'warehouse' },
    quantity: { from: 'qty', type: 'integer', required: true },
  };
  const split = { split: { columns: { 'Stock Oslo': 'OSL', 'Stock Bergen': 'BGO', 'Stock Trondheim': 'TRD' }, nameAs: 'warehouse', valueAs: 'qty' }, key: ['sku', 'warehouse'] };
  const columns = ['SKU', 'Stock Oslo', 'Stock Bergen', 'Stock Trondheim'];

  it('makes one record per listed column, skipping empty cells', () => {
    const items = processRows(fields, split, columns, [['A-1', '5', '', '0'], ['B-2', '', '', '']]);
    assert.deepEqual(records(items), [
      { rows: [2], json: '{"sku":"A-1","warehouse":"OSL","quantity":5}' },
      { rows: [2], json: '{"sku":"A-1","warehouse":"TRD","quantity":0}' },
    ]);
    assert.deepEqual(others(items), ['3 skipped']);
  });

  it('rejects the row when one part fails, naming the column', () => {
    const items = processRows(fields, split, columns, [['A-1', '5', 'x', '1']]);
    assert.deepEqual(records(items), []);
    const rejected = items[0];
    assert.ok(rejected?.kind === 'rejected');
    assert.match(rejected.errors[0]?.message ?? '', /^Stock Bergen \(BGO\): /);
  });

  it('refuses a file that lacks a split column', () => {
    const mapping = compileOk(parseProfile(fields, split));
    assert.throws(() => mapping.process(['SKU', 'Stock Oslo', 'Stock Bergen'], 'stock.csv'), /stock\.csv has no column "Stock Trondheim"/);
  });
});

describe('filter', () => {
  const fields = { sku: { from: 'SKU' }, status: { from: 'Status' } };
  it('skips rows where the filter is false; they are counted as skipped, not rejected', () => {
    const items = processRows(fields, { filter: "row['Status'] != 'DELETED' and not isEmpty(row['SKU'])" }, ['SKU', 'Status'], [['a', 'OK'], ['b', 'DELETED'], ['', 'OK'], ['d', '']]);
    assert.deepEqual(records(items).map((r) => r.rows[0]), [2, 5]);
    assert.deepEqual(others(items), ['3 skipped', '4 skipped']);
    const reason = items.find((i) => i.kind === 'skipped');
    assert.ok(reason?.kind === 'skipped');
    assert.match(reason.reason, /left out by the filter/);
  });

  it('reads parameters and lookups', () => {
    const mapping = compileOk(parseProfile(fields, { filter: "lookup('active', row['Status'], 'no') == 'yes'" }), new Map([['active', new Map([['OK', 'yes']])]]));
    const processor = mapping.process(['SKU', 'Status'], 'f.csv');
    const kinds: string[] = [];
    for (const [i, cells] of [['a', 'OK'], ['b', 'OLD']].entries()) processor.push({ row: i + 2, cells }, (item) => kinds.push(item.kind));
    assert.deepEqual(kinds, ['record', 'skipped']);
  });

  it('refuses a filter over mapped fields: it runs before mapping', () => {
    const issues = compileIssues(fields, { filter: "status == 'OK'" });
    assert.match(issues[0]?.message ?? '', /reads source columns as row\["…"\]/);
  });

  it('keeps skipped rows out of groups and in row order', () => {
    const items = processRows({ parent: { from: 'P' }, sku: { from: 'S' } }, { filter: "row['S'] != 'x'", group: { by: 'parent', collect: { items: ['sku'] } } }, ['P', 'S'], [['A', '1'], ['A', 'x'], ['B', '2'], ['A', '3']]);
    assert.deepEqual(records(items).map((r) => r.json), ['{"parent":"A","items":[{"sku":"1"},{"sku":"3"}]}', '{"parent":"B","items":[{"sku":"2"}]}']);
    assert.deepEqual(others(items), ['3 skipped']);
  });
});
