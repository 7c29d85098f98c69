import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { RawJson, recordJson, toJson } from '../../../src/json/to-json.js';
import { Decimal } from '../../../src/mapping/decimal.js';
import { mapperFor, mapRows, recordOf } from '../../support/mapping-fixture.js';

function dec(text: string): Decimal {
  const d = Decimal.parse(text);
  assert.ok(d !== undefined, text);
  return d;
}

describe('toJson and recordJson', () => {
  it('write decimals as exact JSON numbers, never through a double', () => {
    const record = { a: dec('0.3'), b: dec('12345678901234567890.12345678901234567890'), c: dec('-0.10'), d: dec('1234.56') };
    const expected = '{"a":0.3,"b":12345678901234567890.12345678901234567890,"c":-0.10,"d":1234.56}';
    assert.equal(recordJson(record), expected);
    assert.equal(toJson(record), expected);
  });

  it('write strings, numbers, booleans and null like JSON.stringify', () => {
    const record = { s: 'Müller "&" Söhne\n\u2028', n: 42, f: 1.5, t: true, z: null, neg: -0, big: 1e21 };
    assert.equal(recordJson(record), JSON.stringify(record));
    assert.equal(toJson(record), JSON.stringify(record));
    assert.deepEqual(JSON.parse(recordJson(record)), JSON.parse(JSON.stringify(record)));
  });

  it('leave undefined members out and write non-finite numbers as null', () => {
    assert.equal(recordJson({ a: undefined, b: 1, c: Number.NaN, d: Infinity }), '{"b":1,"c":null,"d":null}');
    assert.equal(toJson({ a: undefined, b: [undefined, Number.NaN] }), '{"b":[null,null]}');
  });

  it('escape member names that need it', () => {
    const record = { 'Order "No"': 1, 'line\nbreak': 2, 'back\\slash': 3, 'ctl\u0001': 4 };
    assert.equal(recordJson(record), JSON.stringify(record));
  });

  it('write nested objects, arrays, dates and raw JSON', () => {
    const value = { items: [{ sku: 'A', qty: dec('1.0') }, { sku: 'B' }], at: new Date(Date.UTC(2026, 0, 15, 8, 30)), raw: new RawJson('{"x":1}'), empty: {}, none: [] };
    const text = '{"items":[{"sku":"A","qty":1.0},{"sku":"B"}],"at":"2026-01-15T08:30:00.000Z","raw":{"x":1},"empty":{},"none":[]}';
    assert.equal(toJson(value), text);
    assert.equal(recordJson(value), text);
  });

  it('indent like JSON.stringify when asked', () => {
    const value = { a: [1, { b: 'c' }], d: dec('2.50') };
    assert.equal(toJson(value, '  '), JSON.stringify({ a: [1, { b: 'c' }], d: 2.5 }, null, 2).replace('2.5', '2.50'));
  });

  it('write own members only, never inherited ones', () => {
    const proto = { inherited: 'no' };
    const record = Object.create(proto) as Record<string, unknown>;
    record.own = 'yes';
    assert.equal(recordJson(record), '{"own":"yes"}');
    assert.equal(toJson(record), '{"own":"yes"}');
  });

  it('write a field named __proto__ as a plain member', () => {
    const record = JSON.parse('{"__proto__": "x", "a": 1}') as Record<string, unknown>;
    assert.equal(recordJson(record), '{"__proto__":"x","a":1}');
    assert.equal(toJson(record), '{"__proto__":"x","a":1}');
  });
});

describe('mapped records as JSON', () => {
  it('0,1 times 3 is 0.3 in the JSON body, not 0.30000000000000004', () => {
    const mapper = mapperFor({
      price: { from: 'Price', type: 'decimal', decimalSeparator: ',' },
      triple: { expr: 'price * 3', type: 'decimal' },
      sum: { expr: 'price + 0.2', type: 'decimal' },
    }, ['Price']);
    const record = recordOf(mapRows(mapper, [['0,1']])[0]);
    assert.equal(recordJson(record), '{"price":0.1,"triple":0.3,"sum":0.3}');
  });

  it('keeps 20-digit decimals, leading zeros and long digit strings exact', () => {
    const mapper = mapperFor({
      amount: { from: 'Amount', type: 'decimal' },
      article: { from: 'Article' },
      ean: { from: 'EAN' },
      qty: { from: 'Qty', type: 'integer' },
    }, ['Amount', 'Article', 'EAN', 'Qty']);
    const record = recordOf(mapRows(mapper, [['98765432109876543210.55', '000123', '4006381333931', '0007']])[0]);
    assert.equal(recordJson(record), '{"amount":98765432109876543210.55,"article":"000123","ean":"4006381333931","qty":7}');
  });

  it('writes the erp-orders shape with gross rounded to two places', () => {
    const mapper = mapperFor({
      orderId: { from: 'Order No', required: true, trim: true },
      qty: { from: 'Qty', type: 'integer', min: 1 },
      price: { from: 'Price', type: 'decimal', decimalSeparator: ',', thousandsSeparator: '.' },
      gross: { expr: 'price * qty * 1.25', type: 'decimal', scale: 2 },
      orderedAt: { from: 'Date', type: 'date', format: 'dd.MM.yyyy' },
      status: { from: 'Status', map: { O: 'open', C: 'closed' } },
      active: { from: 'Active', type: 'boolean' },
      channel: { value: 'erp' },
      comment: { from: 'Comment', trim: true },
    }, ['Order No', 'Qty', 'Price', 'Date', 'Status', 'Active', 'Comment']);
    const record = recordOf(mapRows(mapper, [['ORD-20001', '10', '1.234,56', '07.01.2026', 'O', 'ja', '']])[0]);
    assert.equal(recordJson(record), '{"orderId":"ORD-20001","qty":10,"price":1234.56,"gross":15432.00,"orderedAt":"2026-01-07","status":"open","active":true,"channel":"erp"}');
  });
});
