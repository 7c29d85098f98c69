import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InputError } from '../../../src/errors.js';
import { compileMapping } from '../../../src/mapping/compile.js';
import { compileIssues, compileOk, errorOf, errorsOf, mapCell, mapperFor, mapRows, parseProfile, recordOf, textOf, valueOf } from '../../support/mapping-fixture.js';

describe('empty cells, default and required', () => {
  it('leaves the field out for an empty cell, never ""', () => {
    const record = recordOf(mapCell({}, ''));
    assert.equal(Object.hasOwn(record, 'v'), false);
    assert.deepEqual(record, {});
    assert.equal(valueOf({ type: 'integer' }, '   '), undefined, 'blanks are empty for trimmed types');
    assert.equal(valueOf({ trim: true }, '   '), undefined);
  });

  it('keeps a blank-only cell of an untrimmed string, which is not empty', () => {
    assert.equal(valueOf({}, '  '), '  ');
  });

  it('treats a missing trailing cell like an empty one', () => {
    const mapper = mapperFor({ a: { from: 'A' }, b: { from: 'B', default: 'none' } }, ['A', 'B']);
    assert.deepEqual(recordOf(mapper({ row: 2, cells: ['x'] })), { a: 'x', b: 'none' });
  });

  it('fills an empty cell with default, converted to the field type', () => {
    assert.equal(valueOf({ default: 'n/a' }, ''), 'n/a');
    assert.equal(valueOf({ type: 'integer', default: 0 }, ''), 0);
    assert.equal(textOf(valueOf({ type: 'decimal', decimalSeparator: ',', default: '0,5' }, '')), '0.5');
    assert.equal(valueOf({ type: 'boolean', default: false }, ''), false);
    assert.equal(valueOf({ type: 'date', format: 'dd.MM.yyyy', default: '2026-01-01' }, ''), '2026-01-01', 'an ISO default suits a date field with a format');
    assert.equal(valueOf({ type: 'integer', required: true, default: 1 }, ''), 1, 'a default satisfies required');
  });

  it('rejects an empty required cell with code required, naming the column', () => {
    const e = errorOf({ from: 'Order No', required: true }, '');
    assert.deepEqual(e, { field: 'v', code: 'required', column: 'Order No', message: 'Order No is empty; a value is required' });
    assert.equal(errorOf({ from: 'Qty', type: 'integer', required: true }, ' ').code, 'required');
  });

  it('names the field by its label when one is given', () => {
    assert.match(errorOf({ from: 'KDNR', label: 'Customer number', required: true }, '').message, /^Customer number is empty/);
  });

  it('refuses a default that does not fit the type when the profile is compiled', () => {
    const issues = compileIssues({ q: { from: 'Q', type: 'integer', default: 'many' } });
    assert.deepEqual(issues[0]?.path, ['fields', 'q', 'default']);
    assert.match(issues[0]?.message ?? '', /"many" is not a whole number/);
  });
});

describe('value constants', () => {
  it('sets the same value on every row, converted to the type', () => {
    const mapper = mapperFor({ id: { from: 'Id' }, channel: { value: 'erp' }, n: { value: 5, type: 'integer' }, flag: { value: true, type: 'boolean' }, code: { value: '007' } }, ['Id']);
    const [a, b] = mapRows(mapper, [['1'], ['2']]);
    assert.deepEqual(recordOf(a), { id: '1', channel: 'erp', n: 5, flag: true, code: '007' });
    assert.equal(recordOf(b).channel, 'erp');
  });

  it('leaves the field out for an empty constant, or fills in its default', () => {
    const mapper = mapperFor({ id: { from: 'Id' }, a: { value: '' }, b: { value: null }, c: { value: '', default: 'd' } }, ['Id']);
    assert.deepEqual(recordOf(mapRows(mapper, [['1']])[0]), { id: '1', c: 'd' });
  });

  it('puts constants through map and pattern like any value', () => {
    const mapper = mapperFor({ id: { from: 'Id' }, kind: { value: 'O', map: { O: 'open' } } }, ['Id']);
    assert.equal(recordOf(mapRows(mapper, [['1']])[0]).kind, 'open');
  });

  it('refuses a constant that breaks its own rules when the profile is compiled', () => {
    const issues = compileIssues({ n: { value: 'x', type: 'integer' }, m: { value: 0, type: 'integer', min: 1 } });
    assert.deepEqual(issues.map((i) => i.path), [['fields', 'n', 'value'], ['fields', 'm', 'value']]);
  });

  it('needs exactly one source: from, value or expr', () => {
    assert.throws(() => parseProfile({ a: { type: 'string' } }), /needs one of from/);
    assert.throws(() => parseProfile({ a: { from: 'A', value: 'x' } }), /only one of from, value and expr/);
  });
});

describe('pattern', () => {
  it('checks the text after trimming and before conversion', () => {
    assert.equal(valueOf({ pattern: '^SKU-[0-9]+$' }, 'SKU-000123'), 'SKU-000123');
    assert.equal(valueOf({ type: 'integer', pattern: '^[0-9]{3}$' }, ' 007 '), 7);
    const e = errorOf({ from: 'SKU', pattern: '^SKU-[0-9]+$' }, '123-ABC');
    assert.equal(e.code, 'pattern');
    assert.equal(e.message, 'SKU is "123-ABC", which does not match the pattern ^SKU-[0-9]+$');
  });

  it('refuses an invalid regular expression when the profile is read', () => {
    assert.throws(() => parseProfile({ a: { from: 'A', pattern: '([' } }), /not a valid regular expression/);
  });
});

describe('min, max and length', () => {
  it('checks numbers against min and max', () => {
    assert.equal(valueOf({ type: 'integer', min: 1, max: 10 }, '10'), 10);
    const low = errorOf({ from: 'Qty', type: 'integer', min: 1 }, '0');
    assert.equal(low.code, 'min');
    assert.equal(low.message, 'Qty is 0, the minimum is 1');
    const high = errorOf({ from: 'Qty', type: 'integer', max: 10 }, '11');
    assert.equal(high.code, 'max');
    assert.equal(high.message, 'Qty is 11, the maximum is 10');
  });

  it('compares decimals exactly, with bounds written as numbers or text', () => {
    const spec = { from: 'Price', type: 'decimal', decimalSeparator: ',', min: '0.01', max: 1000 };
    assert.equal(textOf(valueOf(spec, '1000,00')), '1000.00');
    assert.equal(errorOf(spec, '1000,01').code, 'max');
    assert.equal(errorOf(spec, '0,009').code, 'min');
    assert.equal(errorOf(spec, '0,001-').code, 'min');
    assert.equal(errorOf({ type: 'integer', min: '5' }, '4').code, 'min', 'a bound written as text counts too');
  });

  it('compares dates and datetimes as points in time', () => {
    const date = { from: 'D', type: 'date', format: 'dd.MM.yyyy', min: '2026-01-01', max: '2026-12-31' };
    assert.equal(valueOf(date, '31.12.2026'), '2026-12-31');
    const e = errorOf(date, '31.12.2025');
    assert.equal(e.code, 'min');
    assert.equal(e.message, 'D is "31.12.2025", the minimum is 2026-01-01');
    const dt = { type: 'datetime', max: '2026-01-15T08:00:00+00:00' };
    assert.equal(valueOf(dt, '2026-01-15T08:30:00+01:00'), '2026-01-15T08:30:00+01:00', '07:30 UTC is before the maximum');
    assert.equal(errorOf(dt, '2026-01-15T08:30:00Z').code, 'max');
  });

  it('refuses bounds that do not fit the type when the profile is compiled', () => {
    const issues = compileIssues({ a: { from: 'A', min: 1 }, b: { from: 'B', type: 'integer', max: 'lots' }, c: { from: 'C', type: 'date', min: 'yesterday' } });
    assert.deepEqual(issues.map((i) => i.path), [['fields', 'a', 'min'], ['fields', 'b', 'max'], ['fields', 'c', 'min']]);
    assert.match(issues[0]?.message ?? '', /minLength\/maxLength/);
  });

  it('checks text length in characters with code length', () => {
    assert.equal(valueOf({ minLength: 2, maxLength: 3 }, 'abc'), 'abc');
    assert.equal(valueOf({ maxLength: 3 }, 'ÆØÅ'), 'ÆØÅ');
    assert.equal(valueOf({ maxLength: 2 }, '👍👍'), '👍👍', 'an emoji is one character');
    const long = errorOf({ from: 'Name', maxLength: 3 }, 'abcd');
    assert.equal(long.code, 'length');
    assert.equal(long.message, 'Name is "abcd", longer than 3 characters');
    assert.equal(errorOf({ minLength: 2 }, 'a').code, 'length');
  });
});

describe('map', () => {
  const status = { from: 'Status', map: { O: 'open', C: 'closed' } };

  it('translates values', () => {
    assert.equal(valueOf(status, 'O'), 'open');
    assert.equal(valueOf(status, 'C'), 'closed');
  });

  it('rejects a value that is not in the map, listing the allowed ones', () => {
    const e = errorOf(status, 'X');
    assert.deepEqual(e, { field: 'v', code: 'map', column: 'Status', message: 'Status is "X", which is not in the map; allowed: O, C' });
  });

  it('uses default for values not in the map, and for empty cells', () => {
    assert.equal(valueOf({ ...status, default: 'unknown' }, 'X'), 'unknown');
    assert.equal(valueOf({ ...status, default: 'unknown' }, ''), 'unknown');
  });

  it('converts mapped values to the field type', () => {
    assert.equal(valueOf({ type: 'boolean', map: { A: 'ja', I: 'nei' } }, 'A'), true);
    assert.equal(valueOf({ type: 'integer', map: { low: 1, high: 3 } }, 'high'), 3);
  });

  it('maps to nothing with null, which required refuses', () => {
    assert.equal(valueOf({ map: { '-': null, A: 'a' } }, '-'), undefined);
    assert.equal(errorOf({ map: { '-': null }, required: true }, '-').code, 'required');
  });

  it('does not mistake Object.prototype names for map entries', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      assert.equal(errorOf(status, name).code, 'map', name);
    }
    assert.equal(valueOf({ map: { constructor: 'c' } }, 'constructor'), 'c');
  });
});

describe('errors of a row', () => {
  it('reports every failing field of a row, with the row number', () => {
    const mapper = mapperFor({ id: { from: 'Id', required: true }, qty: { from: 'Qty', type: 'integer' }, ok: { from: 'Ok' } }, ['Id', 'Qty', 'Ok']);
    const [outcome] = mapRows(mapper, [['', 'x', 'fine']]);
    assert.equal(outcome?.row, 2);
    assert.deepEqual(errorsOf(outcome).map((e) => [e.field, e.code]), [['id', 'required'], ['qty', 'type']]);
  });

  it('passes on a reader problem as a row error with its stable code', () => {
    const mapper = mapperFor({ id: { from: 'Id' } }, ['Id']);
    const outcome = mapper({ row: 7, cells: [], problem: { code: 'E_CSV_QUOTE', message: 'quote character inside a field', line: 7, column: 12 } });
    assert.deepEqual(errorsOf(outcome), [{ field: 'row', code: 'E_CSV_QUOTE', message: 'quote character inside a field (line 7, column 12)' }]);
    assert.equal(outcome.row, 7);
  });

  it('shortens very long values in messages', () => {
    const e = errorOf({ from: 'C', type: 'integer' }, 'x'.repeat(500));
    assert.ok(e.message.length < 120, e.message);
  });

  it('keeps the field order of the profile in the record', () => {
    const mapper = mapperFor({ z: { from: 'A' }, a: { from: 'B' }, m: { value: 1 } }, ['B', 'A']);
    assert.deepEqual(Object.keys(recordOf(mapper({ row: 2, cells: ['b', 'a'] }))), ['z', 'a', 'm']);
  });

  it('gives every row its own record object', () => {
    const mapper = mapperFor({ a: { from: 'A' } }, ['A']);
    const [r1, r2] = mapRows(mapper, [['1'], ['2']]).map(recordOf);
    assert.notEqual(r1, r2);
    assert.equal(r1?.a, '1');
  });
});

describe('binding to a file', () => {
  it('throws E_CSV_HEADER listing the file columns when a column is missing', () => {
    const mapping = compileOk(parseProfile({ id: { from: 'Order No' }, qty: { from: 'Qty' }, total: { expr: 'row["Net"]' } }));
    assert.deepEqual(mapping.columns, ['Order No', 'Qty', 'Net']);
    assert.throws(() => mapping.bind(['Order No', 'Qty;Net'], 'orders.csv'), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.equal(err.code, 'E_CSV_HEADER');
      assert.equal(err.message, 'orders.csv has no column "Qty", "Net", which the profile reads; the file\'s columns are: Order No, Qty;Net');
      assert.deepEqual(err.location, { file: 'orders.csv', line: 1 });
      return true;
    });
  });

  it('reads columns by name whatever their order, and ignores extra ones', () => {
    const mapper = compileOk(parseProfile({ a: { from: 'A' }, b: { from: 'B' } })).bind(['X', 'B', 'A'], 'f.csv');
    assert.deepEqual(recordOf(mapper({ row: 2, cells: ['x', 'b', 'a'] })), { a: 'a', b: 'b' });
  });

  it('reports every problem of a profile at once, by key path', () => {
    const compiled = compileMapping(parseProfile({ a: { from: 'A', type: 'integer', default: 'x' }, b: { from: 'B', lookup: 'nope' } }, { key: ['c'] }), new Map());
    assert.equal(compiled.ok, false);
    if (compiled.ok) return;
    assert.deepEqual(compiled.issues.map((i) => i.path), [['fields', 'a', 'default'], ['fields', 'b', 'lookup'], ['key', 0]]);
  });
});
