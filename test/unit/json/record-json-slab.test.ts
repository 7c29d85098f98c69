import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { RecordJsonSlab } from '../../../src/json/record-json-slab.js';
import { RawJson, recordJson } from '../../../src/json/to-json.js';
import { Decimal } from '../../../src/mapping/decimal.js';

function dec(text: string): Decimal {
  const d = Decimal.parse(text);
  assert.ok(d !== undefined, text);
  return d;
}

const AWKWARD: readonly Record<string, unknown>[] = [
  { order: 'A-1001', article: '000123', qty: 3, price: dec('1234.56'), paid: true, note: null },
  { s: 'Müller "&" Söhne\n\u2028', tab: 'a\tb', back: 'c:\\dir', del: '\u007f', emoji: '😀', lone: '\ud800x' },
  { n: Number.NaN, inf: -Infinity, negZero: -0, big: 1e21, small: 5e-7, skip: undefined, t: false },
  { 'Order "No"': 1, 'line\nbreak': 2, 'Größe': 'XL', __empty: '' },
  { items: [{ sku: 'A', qty: dec('1.0') }, { sku: 'B' }], at: new Date(Date.UTC(2026, 0, 15)), raw: new RawJson('{"x":1}'), none: [] },
  {},
  { a: dec('0.05'), b: dec('-0.10'), c: dec('-1234.5'), d: dec('0'), e: dec('0.000'), f: dec('9007199254740991'), g: dec('-900719925474099.1') },
  { h: dec('12345678901234567890.5'), i: dec('-0.000000000000000000000000000001'), j: dec('100'), k: dec('7.000000') },
  { long: 'x'.repeat(3000), longUtf8: 'ä'.repeat(1500) },
  // either side of the 32-bit boundary, where the digit writer changes its arithmetic
  { m: 2147483647, n: 2147483648, o: -2147483648, p: -2147483649, q: 4294967296, r: Number.MAX_SAFE_INTEGER, s: dec('21474836.48'), t: dec('-21474836.49') },
];

function slabText(records: readonly Record<string, unknown>[], size: number, takeEvery: number): string {
  const slab = new RecordJsonSlab(size);
  const parts: Buffer[] = [];
  records.forEach((r, i) => {
    slab.record(r);
    if ((i + 1) % takeEvery === 0) parts.push(...slab.take());
  });
  parts.push(...slab.take());
  return Buffer.concat(parts).toString('utf8');
}

describe('RecordJsonSlab', () => {
  it('writes the same bytes as recordJson and a line feed, for every kind of value', () => {
    const expected = AWKWARD.map((r) => `${recordJson(r)}\n`).join('');
    assert.equal(slabText(AWKWARD, 1 << 20, 1000), expected);
  });

  it('keeps records whole across small buffers and takes, even records larger than a buffer', () => {
    const many = Array.from({ length: 400 }, (_, i) => AWKWARD[i % AWKWARD.length] ?? {});
    const expected = many.map((r) => `${recordJson(r)}\n`).join('');
    for (const [size, every] of [[64, 1], [64, 7], [257, 3], [4096, 50]] as const) {
      assert.equal(slabText(many, size, every), expected, `size ${size}, take every ${every}`);
    }
  });

  it('never changes bytes it handed out while it collects more', () => {
    const slab = new RecordJsonSlab(128);
    const handed: Buffer[][] = [];
    const expected: string[] = [];
    for (let i = 0; i < 200; i++) {
      const r = { i, s: 'ü'.repeat(i % 50), a: 'x'.repeat(i % 90) };
      slab.record(r);
      handed.push(slab.take());
      expected.push(`${recordJson(r)}\n`);
    }
    assert.deepEqual(handed.map((b) => Buffer.concat(b).toString('utf8')), expected);
  });
});
