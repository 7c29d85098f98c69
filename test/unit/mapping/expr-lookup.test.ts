import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Decimal } from '../../../src/mapping/decimal.js';
import { compileExpression, type ExprValue } from '../../../src/mapping/expr/compile.js';
import type { LookupTable } from '../../../src/mapping/types.js';
import { compileIssues, mapperFor, mapRows, recordOf, textOf } from '../../support/mapping-fixture.js';
import { scopeOf, type Values } from './expr-harness.js';

const tables: ReadonlyMap<string, LookupTable> = new Map<string, LookupTable>([
  ['vat', new Map<string, string | number | boolean | null>([['NO', 25], ['SE', 25], ['DE', 19], ['CH', 8.1], ['US', null]])],
  ['carriers', new Map<string, string | number | boolean | null>([['P', 'Posten'], ['B', 'Bring'], ['X', ''], ['25', 'twenty-five']])],
  ['rates', new Map<string, string | number | boolean | null>([['EUR', '11.52'], ['USD', '10.81']])],
]);

function lookupRun(source: string, fields: Values = {}, lookups: ReadonlyMap<string, LookupTable> = tables): ExprValue {
  const compiled = compileExpression(source, { lookups });
  if (!compiled.ok) assert.fail(`${source}: ${compiled.message}`);
  return compiled.expression.evaluate(scopeOf(fields));
}

function lookupCompileError(source: string, lookups: ReadonlyMap<string, LookupTable> = tables): { code: string; message: string; column: number } {
  const compiled = compileExpression(source, { lookups });
  if (compiled.ok) assert.fail(`expected a compile error for ${source}`);
  return compiled;
}

describe('lookup', () => {
  it('reads a profile lookup table by key', () => {
    assert.equal(lookupRun('lookup("vat", country)', { country: 'NO' }), 25);
    assert.equal(lookupRun("lookup('carriers', 'B')"), 'Bring');
    assert.equal(lookupRun('lookup("rates", "EUR")'), '11.52', 'a CSV lookup gives text');
    assert.equal(lookupRun('number(lookup("rates", "EUR")) * 2')?.toString(), '23.04');
  });

  it('keeps fractional table numbers exact', () => {
    const v = lookupRun('lookup("vat", "CH")');
    assert.ok(v instanceof Decimal);
    assert.equal(v.toString(), '8.1');
  });

  it('gives the default, else null, for an unknown or absent key', () => {
    assert.equal(lookupRun('lookup("vat", "DK", 25)')?.toString(), '25');
    assert.equal(lookupRun('lookup("vat", "DK")'), null);
    assert.equal(lookupRun('lookup("vat", missing, "none")'), 'none');
    assert.equal(lookupRun('lookup("vat", missing)'), null);
    assert.equal(lookupRun('lookup("vat", "no")'), null, 'keys are case-sensitive, as the field option is');
  });

  it('evaluates the default only when it is needed', () => {
    assert.equal(lookupRun('lookup("vat", "NO", 1 / zero)', { zero: 0 }), 25);
    assert.throws(() => lookupRun('lookup("vat", "DK", 1 / zero)', { zero: 0 }), /division by zero/);
  });

  it('treats an empty table value as nothing, not as the default', () => {
    assert.equal(lookupRun('lookup("carriers", "X", "?")'), null);
    assert.equal(lookupRun('lookup("vat", "US", 0)'), null);
  });

  it('looks numbers and other scalars up by their text', () => {
    assert.equal(lookupRun('lookup("carriers", 25)'), 'twenty-five');
    assert.equal(lookupRun('lookup("carriers", n)', { n: 25 }), 'twenty-five');
    assert.throws(() => lookupRun('lookup("carriers", [1])'), /lookup\(\) key needs text/);
  });

  it('computes with the value, as in a VAT calculation', () => {
    const source = 'round(price * (1 + lookup("vat", country, 25) / 100), 2)';
    assert.equal(lookupRun(source, { price: Decimal.parse('100'), country: 'DE' })?.toString(), '119.00');
    assert.equal(lookupRun(source, { price: Decimal.parse('99.99'), country: 'CH' })?.toString(), '108.09');
    assert.equal(lookupRun(source, { price: Decimal.parse('10'), country: 'FR' })?.toString(), '12.50');
  });

  it('refuses an unknown table when the profile is compiled, listing the known ones', () => {
    const e = lookupCompileError('lookup("vats", country)');
    assert.equal(e.code, 'expr_lookup');
    assert.equal(e.column, 8);
    assert.match(e.message, /no lookup named "vats".*known: vat, carriers, rates/);
    assert.match(lookupCompileError('lookup("vat", c)', new Map()).message, /this profile has no lookups/);
    const plain = compileExpression('lookup("vat", c)');
    assert.equal(plain.ok, false, 'without tables, no table exists');
  });

  it('needs the table name as quoted text', () => {
    assert.equal(lookupCompileError('lookup(table, c)').code, 'expr_lookup');
    assert.match(lookupCompileError('lookup(row.Table, c)').message, /table of lookup\(\) must be quoted text/);
    assert.equal(lookupCompileError('lookup("vat")').code, 'expr_arity');
    assert.equal(lookupCompileError('lookup("vat", 1, 2, 3)').code, 'expr_arity');
  });
});

describe('lookup in profiles', () => {
  const lookups = new Map<string, LookupTable>([['vat', new Map<string, string | number | boolean | null>([['NO', 25], ['DE', 19]])]]);

  it('reads the same tables as the field option lookup', () => {
    const mapper = mapperFor({
      country: { from: 'Country' },
      price: { from: 'Price', type: 'decimal' },
      rate: { from: 'Country', lookup: 'vat', default: 25 },
      gross: { expr: 'round(price * (1 + lookup("vat", country, 25) / 100), 2)', type: 'decimal' },
      reduced: { expr: 'true', type: 'boolean', when: 'lookup("vat", country, 25) < 20' },
    }, ['Country', 'Price'], { lookups });
    const [no, de, fr] = mapRows(mapper, [['NO', '100'], ['DE', '10.50'], ['FR', '1']]).map(recordOf);
    assert.deepEqual([textOf(no?.gross), textOf(de?.gross), textOf(fr?.gross)], ['125.00', '12.50', '1.25']);
    assert.deepEqual([no?.reduced, de?.reduced, fr?.reduced], [undefined, true, undefined]);
    assert.equal(textOf(no?.rate), '25');
  });

  it('reports an unknown table at the field that names it', () => {
    const issues = compileIssues({ country: { from: 'Country' }, gross: { expr: 'lookup("vta", country)' } }, {}, lookups);
    assert.deepEqual(issues.map((i) => i.path.join('.')), ['fields.gross.expr']);
    assert.match(issues[0]?.message ?? '', /no lookup named "vta" \(column 8\); known: vat in the expression/);
    const when = compileIssues({ country: { from: 'Country' }, x: { value: 1, when: 'lookup("nope", country)' } }, {}, lookups);
    assert.deepEqual(when.map((i) => i.path.join('.')), ['fields.x.when']);
  });
});
