import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { compileMapping } from '../../../src/mapping/compile.js';
import { Decimal } from '../../../src/mapping/decimal.js';
import type { Profile } from '../../../src/profiles/schema.js';
import { compileIssues, compileOk, errorsOf, mapperFor, mapRows, parseProfile, recordOf, textOf } from '../../support/mapping-fixture.js';

const orderFields = {
  qty: { from: 'Qty', type: 'integer' },
  price: { from: 'Price', type: 'decimal', decimalSeparator: ',', thousandsSeparator: '.' },
  gross: { expr: 'price * qty * 1.25', type: 'decimal', scale: 2 },
};

describe('expressions in profiles', () => {
  it('compute from fields mapped above, exactly, with scale', () => {
    const mapper = mapperFor(orderFields, ['Qty', 'Price']);
    const [a, b] = mapRows(mapper, [['10', '1.234,56'], ['3', '0,10']]);
    assert.equal(textOf(recordOf(a).gross), '15432.00');
    assert.equal(textOf(recordOf(b).gross), '0.38', '0.375 rounds half-up');
    assert.ok(recordOf(a).gross instanceof Decimal);
  });

  it('read each file\'s own fields when two files of one profile are mapped row by row in turn', () => {
    const mapping = compileOk(parseProfile(orderFields));
    const first = mapping.bind(['Qty', 'Price'], 'a.csv');
    const second = mapping.bind(['Price', 'Qty'], 'b.csv');
    const grossOf = (outcome: ReturnType<typeof first>): string | undefined => textOf(recordOf(outcome).gross);
    assert.equal(grossOf(first({ row: 2, cells: ['10', '1,00'] })), '12.50');
    assert.equal(grossOf(second({ row: 2, cells: ['2,00', '3'] })), '7.50');
    assert.equal(grossOf(first({ row: 3, cells: ['4', '1,00'] })), '5.00');
    assert.equal(grossOf(second({ row: 3, cells: ['1,00', '1'] })), '1.25');
  });

  it('read raw columns with row["Column name"] and field names with field["…"]', () => {
    const mapper = mapperFor({
      'unit price': { from: 'Unit Price', type: 'decimal' },
      net: { expr: 'field["unit price"] * number(row["Order Qty"])', type: 'decimal' },
      note: { expr: 'row["Comment"] ?? "none"' },
    }, ['Unit Price', 'Order Qty', 'Comment']);
    assert.deepEqual(mapRows(mapper, [['2.50', '4', '']]).map((o) => { const r = recordOf(o); return [textOf(r.net), r.note]; }), [['10.00', 'none']]);
  });

  it('see run parameters as param.name', () => {
    const mapper = mapperFor({ id: { from: 'Id' }, batch: { expr: 'param.batch' } }, ['Id'], { params: new Map([['batch', 'B-7']]), extras: { params: { batch: {} } } });
    assert.equal(recordOf(mapRows(mapper, [['1']])[0]).batch, 'B-7');
  });

  it('go through the field rules after evaluation: type, pattern, map, required', () => {
    const mapper = mapperFor({
      code: { from: 'Code' },
      n: { expr: 'row["Num"] + "0"', type: 'integer' },
      kind: { expr: 'upper(code)', map: { A: 'alpha', B: 'beta' } },
      sku: { expr: '"SKU-" + row["Num"]', pattern: '^SKU-[0-9]+$' },
      must: { expr: 'row["Missing"]', required: true },
    }, ['Code', 'Num', 'Missing']);
    const [ok, bad] = mapRows(mapper, [['a', '5', 'm'], ['z', 'x', '']]);
    assert.deepEqual(recordOf(ok), { code: 'a', n: 50, kind: 'alpha', sku: 'SKU-5', must: 'm' });
    assert.deepEqual(errorsOf(bad).map((e) => [e.field, e.code]), [['n', 'type'], ['kind', 'map'], ['sku', 'pattern'], ['must', 'required']]);
  });

  it('reject the row with code expr when evaluation fails, naming the field', () => {
    const mapper = mapperFor({ a: { from: 'A', type: 'decimal' }, b: { from: 'B', type: 'decimal' }, ratio: { expr: 'a / b', type: 'decimal', scale: 2 } }, ['A', 'B']);
    const [ok, zero, absent] = mapRows(mapper, [['1', '3'], ['1', '0'], ['1', '']]);
    assert.equal(textOf(recordOf(ok).ratio), '0.33');
    const [e] = errorsOf(zero);
    assert.equal(zero?.row, 3);
    assert.equal(e?.code, 'expr');
    assert.equal(e?.field, 'ratio');
    assert.equal(e?.column, undefined);
    assert.match(e?.message ?? '', /^ratio could not be computed: .*zero/i);
    assert.deepEqual(Object.keys(recordOf(absent)), ['a'], 'arithmetic on an absent value leaves the field out');
  });

  it('do not add a second error when a field they use was rejected already', () => {
    const mapper = mapperFor(orderFields, ['Qty', 'Price']);
    const errors = errorsOf(mapRows(mapper, [['abc', '1,00']])[0]);
    assert.deepEqual(errors.map((e) => [e.field, e.code]), [['qty', 'type']]);
  });

  it('are compiled once: a compiled mapping binds to many files with the same results', () => {
    const mapping = compileOk(parseProfile(orderFields));
    for (const columns of [['Qty', 'Price'], ['Price', 'Qty']]) {
      const mapper = mapping.bind(columns, 'f.csv');
      const cells = columns[0] === 'Qty' ? ['2', '1,50'] : ['1,50', '2'];
      assert.equal(textOf(recordOf(mapper({ row: 2, cells })).gross), '3.75');
    }
  });
});

describe('expression problems found when the profile is compiled', () => {
  it('a field used before it is mapped', () => {
    const issues = compileIssues({ gross: { expr: 'price * 2' }, price: { from: 'Price', type: 'decimal' } });
    assert.deepEqual(issues, [{ path: ['fields', 'gross', 'expr'], message: 'uses "price", which is mapped below this field; move gross after price' }]);
  });

  it('an unknown name, with a hint that columns are read with row["…"]', () => {
    const issues = compileIssues({ total: { expr: 'Amount * 2' } });
    assert.deepEqual(issues[0]?.path, ['fields', 'total', 'expr']);
    assert.match(issues[0]?.message ?? '', /"Amount", which is not a field of this profile \(a source column is written row\["Amount"\]\)/);
  });

  it('a syntax error or an unknown function, with its column', () => {
    const [syntax] = compileIssues({ a: { expr: 'row["A"] *' } });
    assert.deepEqual(syntax?.path, ['fields', 'a', 'expr']);
    assert.match(syntax?.message ?? '', /column \d+/);
    const [fn] = compileIssues({ a: { expr: 'uper(row["A"])' } });
    assert.match(fn?.message ?? '', /unknown function "uper".*did you mean "upper"/);
  });

  it('a field referring to itself', () => {
    const issues = compileIssues({ a: { expr: 'a + 1' } });
    assert.match(issues[0]?.message ?? '', /"a"/);
  });
});

describe('expressions cannot reach the process, files, network or prototypes', () => {
  const refused = [
    'process.exit(1)',
    'process',
    'require("fs")',
    'import("fs")',
    'globalThis',
    'this',
    'eval("1")',
    'Function("return process")()',
    'constructor',
    '"x".constructor',
    '"x"["constructor"]["constructor"]("return process")()',
    '[1].__proto__',
    'row.__proto__',
    'fetch("http://example.com")',
    'upper.constructor',
  ];
  for (const source of refused) {
    it(`refuses ${source}`, () => {
      const compiled = compileMapping(parseProfile({ id: { from: 'Id' }, x: { expr: source } }), new Map());
      assert.equal(compiled.ok, false);
      if (compiled.ok) return;
      assert.deepEqual(compiled.issues.map((i) => i.path), [['fields', 'x', 'expr']]);
    });
  }

  it('reads no prototype member through a computed key either', () => {
    const mapper = mapperFor({ k: { from: 'K' }, x: { expr: '[1, 2][k]' }, y: { expr: 'row["K"][row["K"]]' } }, ['K']);
    for (const name of ['constructor', '__proto__', 'toString', 'length']) {
      const outcome = mapRows(mapper, [[name]])[0];
      if (outcome?.ok === true) {
        assert.equal(outcome.record.x, undefined, name);
        assert.equal(outcome.record.y, undefined, name);
      } else {
        assert.ok(errorsOf(outcome).every((e) => e.code === 'expr'), name);
      }
    }
  });
});

describe('columns and fields named like Object.prototype members', () => {
  const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();

  function assertNoPollution(): void {
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(({} as Record<string, unknown>).x, undefined);
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), protoBefore);
    assert.equal(typeof Object.prototype.toString, 'function');
    assert.equal(Object.getPrototypeOf({}), Object.prototype);
  }

  it('maps columns named __proto__, constructor and toString like any other', () => {
    const mapper = mapperFor({
      proto: { from: '__proto__' },
      ctor: { from: 'constructor', type: 'integer' },
      str: { from: 'toString', map: { polluted: 'yes', x: 'no' } },
    }, ['__proto__', 'constructor', 'toString']);
    const [a, b] = mapRows(mapper, [['{"polluted":1}', '7', 'polluted'], ['', '', 'x']]);
    assert.deepEqual(recordOf(a), { proto: '{"polluted":1}', ctor: 7, str: 'yes' });
    assert.deepEqual(recordOf(b), { str: 'no' });
    assertNoPollution();
  });

  it('reports a missing __proto__ column as missing, not as found on the prototype', () => {
    const mapping = compileOk(parseProfile({ p: { from: '__proto__' }, c: { from: 'constructor' } }));
    assert.throws(() => mapping.bind(['A'], 'f.csv'), /no column "__proto__", "constructor"/);
  });

  it('keeps a field named constructor as an own record property', () => {
    const mapper = mapperFor({ constructor: { from: 'C' }, toString: { from: 'T' }, hasOwnProperty: { value: 'h' } }, ['C', 'T']);
    const [full, empty] = mapRows(mapper, [['c', 't'], ['', '']]);
    const record = recordOf(full);
    assert.deepEqual(Object.entries(record), [['constructor', 'c'], ['toString', 't'], ['hasOwnProperty', 'h']]);
    assert.deepEqual(Object.keys(recordOf(empty)), ['hasOwnProperty'], 'an absent constructor field is absent, not Object');
    assertNoPollution();
  });

  it('refuses row["__proto__"] and row["constructor"] in expressions at compile time', () => {
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      const issues = compileIssues({ p: { from: 'A' }, e: { expr: `row["${name}"]` } });
      assert.deepEqual(issues[0]?.path, ['fields', 'e', 'expr']);
      assert.match(issues[0]?.message ?? '', new RegExp(`"${name}" is not allowed`));
    }
    assertNoPollution();
  });

  it('refuses a field named __proto__ that reaches the compiler', () => {
    const base = parseProfile({ a: { from: 'A' } });
    const fields = JSON.parse('{"__proto__": {"from": "A"}, "b": {"from": "B"}}') as Profile['fields'];
    const compiled = compileMapping({ ...base, fields }, new Map());
    assert.equal(compiled.ok, false);
    if (!compiled.ok) assert.deepEqual(compiled.issues.map((i) => i.path), [['fields', '__proto__']]);
    assertNoPollution();
  });

  it('does not let a profile with __proto__ keys pollute anything when it is validated and mapped', () => {
    const raw = JSON.parse('{"version": 1, "fields": {"__proto__": {"from": "A", "polluted": true}, "a": {"from": "A", "map": {"__proto__": "x", "k": "v"}}}, "lookups": {"__proto__": {"polluted": "yes"}}}') as unknown;
    const parsed = (() => {
      try {
        return parseProfileRaw(raw);
      } catch {
        return undefined;
      }
    })();
    if (parsed !== undefined) {
      const compiled = compileMapping(parsed, new Map());
      if (compiled.ok) {
        const mapper = compiled.mapping.bind(['A'], 'f.csv');
        mapRows(mapper, [['__proto__'], ['k']]);
      }
    }
    assertNoPollution();
  });
});

function parseProfileRaw(raw: unknown): Profile {
  const { fields, ...extras } = raw as { fields: Record<string, unknown> };
  return parseProfile(fields, extras);
}
