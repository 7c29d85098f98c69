import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Decimal } from '../../../src/mapping/decimal.js';
import { parseParamArgs, resolveParams } from '../../../src/profiles/run-params.js';
import { compileIssues } from '../../support/mapping-fixture.js';

const declared = {
  from: { type: 'date', required: true },
  to: { type: 'date', default: 'today' },
  limit: { type: 'integer', default: 100 },
  rate: { type: 'decimal' },
  dryRun: { type: 'boolean', default: false },
  tag: { description: 'a label for the report' },
} as const;

describe('run parameters', () => {
  it('converts given values by their declared type and fills defaults', () => {
    const r = resolveParams(declared, { from: '2026-01-01', rate: '1.125', dryRun: 'yes', tag: 'Q1' }, new Date(2026, 10, 23, 12));
    assert.ok(r.ok);
    assert.deepEqual(r.params.texts, { from: '2026-01-01', to: '2026-11-23', limit: '100', rate: '1.125', dryRun: 'true', tag: 'Q1' });
    assert.equal(r.params.values.get('limit'), 100);
    assert.ok(r.params.values.get('rate') instanceof Decimal);
    assert.equal(r.params.values.get('dryRun'), true);
  });

  it('understands today, today-7 and today+1 for dates', () => {
    const r = resolveParams({ d: { type: 'date' } }, { d: 'today-7' }, new Date(2026, 2, 3, 9));
    assert.ok(r.ok);
    assert.equal(r.params.texts.d, '2026-02-24');
  });

  it('reports every problem: unknown names, missing required ones, wrong types', () => {
    const r = resolveParams(declared, { form: '2026-01-01', limit: 'ten', rate: '1,5', to: '2026-02-30' });
    assert.ok(!r.ok);
    assert.deepEqual(r.problems, [
      'unknown parameter form; declared: from, to, limit, rate, dryRun, tag',
      'parameter from is required; pass --param from=…',
      'parameter to must be a date written yyyy-MM-dd (or today, today-7), got "2026-02-30"',
      'parameter limit must be a whole number, got "ten"',
      'parameter rate must be a number such as 12.5, got "1,5"',
    ]);
  });

  it('refuses parameters for a profile that declares none', () => {
    const r = resolveParams(undefined, { x: '1' });
    assert.ok(!r.ok);
    assert.deepEqual(r.problems, ['unknown parameter x; the profile declares no params']);
  });

  it('parses k=v arguments, the value may hold =', () => {
    assert.deepEqual(parseParamArgs(['a=1', 'q=x=y', 'a=2']), { ok: true, given: { a: '2', q: 'x=y' } });
    assert.deepEqual(parseParamArgs(['novalue', '=x']), { ok: false, problems: ['--param novalue: write it as name=value', '--param =x: write it as name=value'] });
  });

  it('refuses an expression that reads an undeclared parameter, in fields, conditions and the filter', () => {
    const issues = compileIssues({ a: { expr: 'param.form' }, b: { from: 'B', when: 'param.flag' } }, { params: { from: { type: 'date' } }, filter: 'param.x == 1' });
    assert.deepEqual(issues.map((i) => i.path.join('.')), ['fields.a.expr', 'fields.b.when', 'filter']);
    assert.match(issues[0]?.message ?? '', /uses param\.form, which is not declared; .*declared: from/);
  });
});
