import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { recordJson } from '../../../src/json/to-json.js';
import { compileIssues, mapperFor, mapRows } from '../../support/mapping-fixture.js';

describe('conditional fields (when)', () => {
  const fields = {
    type: { from: 'Type' },
    discount: { from: 'Discount', type: 'decimal', when: "type == 'B2B'" },
    vatRate: { expr: "row['Country'] == 'NO' ? 0.25 : 0.2", type: 'decimal', when: "not isEmpty(row['Country'])" },
  };
  it('maps the field only when its condition holds, and leaves it out otherwise', () => {
    const map = mapperFor(fields, ['Type', 'Discount', 'Country']);
    const [b2b, b2c, none] = mapRows(map, [['B2B', '10', 'NO'], ['B2C', 'abc', 'SE'], ['B2C', '5', '']]);
    assert.ok(b2b?.ok && b2c?.ok && none?.ok);
    assert.equal(recordJson(b2b.record), '{"type":"B2B","discount":10,"vatRate":0.25}');
    assert.equal(recordJson(b2c.record), '{"type":"B2C","vatRate":0.2}', 'a bad value in a field that does not apply is no error');
    assert.equal(recordJson(none.record), '{"type":"B2C"}');
  });
  it('refuses a condition that does not compile or uses a field mapped below it', () => {
    const issues = compileIssues({ a: { from: 'A', when: 'b ==' }, c: { from: 'C', when: "d == 'x'" }, d: { from: 'D' } });
    assert.ok(issues.some((i) => i.path.join('.') === 'fields.a.when' && /condition/.test(i.message)));
    assert.ok(issues.some((i) => i.path.join('.') === 'fields.c.expr' && /mapped below/.test(i.message)));
  });
});

describe('nested target shapes', () => {
  it('builds nested objects from dotted field names, usable in expressions and keys below them', () => {
    const map = mapperFor({
      'customer.id': { from: 'Customer', required: true },
      'customer.address.city': { from: 'City' },
      'customer.address.zip': { from: 'Zip' },
      label: { expr: "customer.id + ' (' + customer.address.city + ')'" },
    }, ['Customer', 'City', 'Zip'], { extras: { key: ['customer.id'] } });
    const [first, dup] = mapRows(map, [['0042', 'Oslo', '0150'], ['0042', 'Bergen', '5003']]);
    assert.ok(first?.ok);
    assert.equal(recordJson(first.record), '{"customer":{"id":"0042","address":{"city":"Oslo","zip":"0150"}},"label":"0042 (Oslo)"}');
    assert.ok(dup !== undefined && !dup.ok);
    assert.equal(dup.errors[0]?.code, 'duplicate');
  });
});
