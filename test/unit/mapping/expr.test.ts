import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Decimal } from '../../../src/mapping/decimal.js';
import type { ExprValue } from '../../../src/mapping/expr/compile.js';
import { compile, compileError, dec, money, record, run, runtimeError, scopeOf } from './expr-harness.js';

describe('expression literals', () => {
  it('reads numbers as exact Decimals', () => {
    assert.equal(dec(run('1.25')), '1.25');
    assert.equal(dec(run('.5')), '0.5');
    assert.equal(dec(run('12')), '12');
    assert.equal(dec(run('0.1 + 0.2')), '0.3');
  });

  it('reads strings in either quote with escapes', () => {
    assert.equal(run(`"it's"`), "it's");
    assert.equal(run(`'say "hi"'`), 'say "hi"');
    assert.equal(run(String.raw`"a\nb\tc\\d\'e\"f"`), 'a\nb\tc\\d\'e"f');
    assert.equal(run(String.raw`"\u00e9\u20AC"`), 'é€');
    assert.equal(run(String.raw`"\d+"`), String.raw`\d+`);
  });

  it('knows true, false and null', () => {
    assert.equal(run('true'), true);
    assert.equal(run('false'), false);
    assert.equal(run('null'), null);
  });
});

describe('expression operators', () => {
  it('applies the usual precedence and associativity', () => {
    assert.equal(dec(run('1 + 2 * 3')), '7');
    assert.equal(dec(run('(1 + 2) * 3')), '9');
    assert.equal(dec(run('10 - 4 - 3')), '3');
    assert.equal(dec(run('100 / 10 / 2')), '5');
    assert.equal(dec(run('-2 * 3 + 10 % 4')), '-4');
    assert.equal(run('1 + 2 > 2 and 3 < 4'), true);
    assert.equal(run('not true or true'), true);
    assert.equal(run('!false && false'), false);
    assert.equal(run('false ? 1 : true ? "b" : "c"'), 'b');
    assert.equal(run('1 < 2 == 2 < 3'), true);
    assert.equal(dec(run('missing ?? 1 + 1')), '2');
  });

  it('does exact money arithmetic', () => {
    assert.equal(dec(run('price * qty * 1.25', money)), '4629.6000');
    assert.equal(dec(run('round(price * qty * 1.25, 2)', money)), '4629.60');
    assert.equal(dec(run('0.1 + 0.2 - 0.3')), '0.0');
    assert.equal(run('0.1 + 0.2 == 0.3'), true);
    assert.equal(dec(run('a + b', { a: 0.1, b: 0.2 })), '0.3');
  });

  it('keeps safe-integer JS numbers as numbers and switches to Decimal otherwise', () => {
    assert.equal(run('a + b', { a: 2, b: 3 }), 5);
    assert.equal(run('a * b - c', { a: 2, b: 3, c: 1 }), 5);
    assert.equal(dec(run('a * b - 1', { a: 2, b: 3 })), '5');
    assert.equal(run('a / b', { a: 6, b: 3 }), 2);
    assert.equal(dec(run('a / b', { a: 7, b: 2 })), '3.5');
    assert.equal(dec(run('a + 1', { a: Number.MAX_SAFE_INTEGER })), '9007199254740992');
    assert.equal(dec(run('a * a', { a: 2 ** 40 })), '1208925819614629174706176');
    assert.equal(dec(run('qty * 2', money)), '6');
    assert.equal(run('a % b', { a: 10, b: 3 }), 1);
    assert.ok(Object.is(run('a % b', { a: -4, b: 2 }), 0));
  });

  it('divides to 20 digits and trims trailing zeros', () => {
    assert.equal(dec(run('1 / 3')), '0.33333333333333333333');
    assert.equal(dec(run('2 / 3')), '0.66666666666666666667');
    assert.equal(dec(run('10 / 4')), '2.5');
    assert.equal(dec(run('6.00 / 2')), '3');
    assert.equal(dec(run('5.5 % 2')), '1.5');
  });

  it('reports division by zero with the operator column', () => {
    const e = runtimeError('qty / 0', money);
    assert.equal(e.code, 'expr_div_zero');
    assert.equal(e.column, 5);
    assert.equal(runtimeError('a % b', { a: 1, b: 0 }).code, 'expr_div_zero');
  });

  it('concatenates when either side of + is text', () => {
    assert.equal(run('"a" + 1.50'), 'a1.50');
    assert.equal(run('first + " " + last', { first: 'Ada', last: 'Lovelace' }), 'Ada Lovelace');
    assert.equal(run('"n=" + n', { n: 1e21 }), 'n=1000000000000000000000');
    assert.equal(run('"ok: " + true'), 'ok: true');
    assert.equal(run('d + ""', { d: new Date(Date.UTC(2024, 0, 31)) }), '2024-01-31T00:00:00.000Z');
    assert.equal(run('row["Qty"] + 1', {}, { Qty: '3' }), '31');
  });

  it('reads number text in arithmetic and refuses other text', () => {
    assert.equal(dec(run('row["Qty"] * 2', {}, { Qty: '3' })), '6');
    assert.equal(dec(run('-row.Qty', {}, { Qty: '3.50' })), '-3.50');
    assert.equal(dec(run('+row.Qty', {}, { Qty: '3.50' })), '3.50');
    const e = runtimeError('row["Name"] * 2', {}, { Name: 'abc' });
    assert.equal(e.code, 'expr_type');
    assert.match(e.message, /operator "\*"/);
    assert.match(e.message, /"abc"/);
    assert.equal(e.column, 13);
    assert.equal(runtimeError('flag * 2', { flag: true }).code, 'expr_type');
    assert.equal(runtimeError('"a" + [1]').code, 'expr_type');
  });

  it('propagates absent inputs through arithmetic', () => {
    assert.equal(run('missing * 2'), null);
    assert.equal(run('price * missing', money), null);
    assert.equal(run('-missing'), null);
    assert.equal(run('"a" + missing'), null);
    assert.equal(run('missing + null'), null);
    assert.equal(run('missing > 1'), null);
  });

  it('coalesces null and undefined only', () => {
    assert.equal(run('missing ?? "default"'), 'default');
    assert.equal(run('null ?? missing ?? "x"'), 'x');
    assert.equal(run('"" ?? "default"'), '');
    assert.equal(run('n ?? 1', { n: 0 }), 0);
  });

  it('compares numbers across kinds, text by code point and dates by time', () => {
    assert.equal(run('qty == 3', money), true);
    assert.equal(run('qty != 3.0', money), false);
    assert.equal(run('price > 1000', money), true);
    assert.equal(run('price <= 1234.560', money), true);
    assert.equal(run('"b" > "a"'), true);
    assert.equal(run('"B" < "a"'), true);
    assert.equal(run('"\uFF01" < "😀"'), true);
    const early = new Date('2024-01-01T00:00:00Z');
    assert.equal(run('a < b', { a: early, b: new Date('2024-06-01T00:00:00Z') }), true);
    assert.equal(run('a == b', { a: early, b: new Date(early.getTime()) }), true);
  });

  it('never coerces across kinds in ==', () => {
    assert.equal(run('"1" == 1'), false);
    assert.equal(run('"1" != 1'), true);
    assert.equal(run('true == 1'), false);
    assert.equal(run('missing == null'), true);
    assert.equal(run('missing == 0'), false);
    assert.equal(run('[1, "a"] == [1.0, "a"]'), true);
    assert.equal(run('a == b', { a: record({ x: 1 }), b: record({ x: 1 }) }), true);
  });

  it('refuses to order values of different kinds', () => {
    const e = runtimeError('row.Qty > 9', {}, { Qty: '10' });
    assert.equal(e.code, 'expr_type');
    assert.match(e.message, /number\(/);
    assert.equal(runtimeError('true < false').code, 'expr_type');
  });

  it('short-circuits and/or and returns booleans by truthiness', () => {
    assert.equal(run('"x" and 1'), true);
    assert.equal(run('0 or ""'), false);
    assert.equal(run('0.00 || null'), false);
    assert.equal(run('[] and true'), true);
    assert.equal(run('false and 1 / 0 > 0'), false);
    assert.equal(run('true or 1 / 0 > 0'), true);
    assert.equal(run('not missing'), true);
    assert.equal(run('qty > 1 ? "many" : "one"', money), 'many');
  });

  it('tests membership with in and not in', () => {
    assert.equal(run('status in ["open", "closed"]', { status: 'open' }), true);
    assert.equal(run('qty in [1, 2, 3]', money), true);
    assert.equal(run('"3" in [3]'), false);
    assert.equal(run('status not in ["open"]', { status: 'void' }), true);
    assert.equal(run('1 in missing'), null);
    assert.equal(run('1 not in missing'), null);
    assert.equal(runtimeError('"a" in "abc"').code, 'expr_type');
  });
});

describe('expression references', () => {
  it('reads fields by bare name and by field["…"]', () => {
    const expression = compile('price + field["Unit price"] + price');
    assert.deepEqual(expression.fieldRefs, ['price', 'Unit price']);
    assert.deepEqual(expression.columnRefs, []);
    assert.equal(dec(expression.evaluate(scopeOf({ price: Decimal.fromInteger(1), 'Unit price': 2 }))), '4');
  });

  it('reads raw columns and parameters by literal name only', () => {
    const expression = compile('row["Order No"] + "/" + row.Line + "/" + param.from + param["to"]');
    assert.deepEqual(expression.columnRefs, ['Order No', 'Line']);
    assert.deepEqual(expression.fieldRefs, []);
    const scope = scopeOf({}, { 'Order No': 'A1', Line: '2' }, { from: 'x', to: 'y' });
    assert.equal(expression.evaluate(scope), 'A1/2/xy');
    assert.equal(run('row.Missing'), undefined);
    assert.match(compileError('row[name]').message, /quoted name/);
    assert.match(compileError('row').message, /"row" must be followed/);
    assert.equal(compileError('param').code, 'expr_syntax');
  });

  it('reads own properties of nested objects and list elements', () => {
    const fields = {
      address: record({ street: 'Main St 1', 'zip code': '0150' }),
      variants: [record({ sku: 'A' }), record({ sku: 'B' })],
      parsed: JSON.parse('{"a":{"b":[10,20]}}') as ExprValue,
    };
    assert.equal(run('address.street', fields), 'Main St 1');
    assert.equal(run('address["zip code"]', fields), '0150');
    assert.equal(run('variants[1].sku', fields), 'B');
    assert.equal(run('variants[5]', fields), undefined);
    assert.equal(run('variants[-1]', fields), undefined);
    assert.equal(run('parsed.a.b[1]', fields), 20);
    assert.equal(run('address.nothing', fields), undefined);
    assert.equal(run('missing.street'), undefined);
    assert.equal(runtimeError('variants[1.5]', fields).code, 'expr_type');
    assert.equal(runtimeError('variants["0"]', fields).code, 'expr_type');
    assert.equal(runtimeError('price.coefficient', money).code, 'expr_type');
  });

  it('never runs getters of nested objects', () => {
    let called = false;
    const tricky = Object.create(null) as Record<string, ExprValue>;
    Object.defineProperty(tricky, 'secret', {
      enumerable: true,
      get: () => {
        called = true;
        return 'leak';
      },
    });
    assert.equal(run('o.secret', { o: tricky }), undefined);
    assert.equal(called, false);
  });

  it('accepts letters beyond ASCII in field names', () => {
    assert.equal(dec(run('größe * 2', { größe: 21 })), '42');
    assert.equal(dec(run('field + 1', { field: 1 })), '2');
  });

  it('compiles once and evaluates per row', () => {
    const expression = compile('upper(name) + "-" + qty');
    assert.equal(expression.source, 'upper(name) + "-" + qty');
    assert.equal(expression.evaluate(scopeOf({ name: 'a', qty: 1 })), 'A-1');
    assert.equal(expression.evaluate(scopeOf({ name: 'b', qty: 2 })), 'B-2');
  });
});

describe('expression compile errors', () => {
  it('reports unexpected tokens with a 1-based column', () => {
    assert.deepEqual(compileError('(1 + 2))'), {
      ok: false,
      code: 'expr_syntax',
      column: 8,
      message: 'unexpected ")" at column 8',
    });
    assert.equal(compileError('1 +').message, 'unexpected end of expression at column 4');
    assert.equal(compileError('').column, 1);
    assert.equal(compileError('price qty').column, 7);
    assert.equal(compileError('[1, 2').code, 'expr_syntax');
    assert.match(compileError('a = 1').message, /use == to compare/);
    assert.equal(compileError('a # b').column, 3);
  });

  it('explains bad literals', () => {
    assert.match(compileError('"abc').message, /not closed/);
    assert.equal(compileError('1e5').code, 'expr_syntax');
    assert.equal(compileError('1.2.3').code, 'expr_syntax');
    assert.match(compileError(String.raw`"\u12"`).message, /hex digits/);
  });

  it('names unknown functions and suggests close ones', () => {
    const e = compileError('1 + uper(name)');
    assert.equal(e.code, 'expr_unknown_function');
    assert.equal(e.column, 5);
    assert.equal(e.message, 'unknown function "uper" at column 5 (did you mean "upper"?)');
    assert.match(compileError('UPPER(x)').message, /did you mean "upper"/);
    assert.equal(compileError('sum(a, b)').code, 'expr_unknown_function');
  });

  it('refuses computed and invalid replace() patterns', () => {
    assert.equal(compileError('replace(s, p, "")').code, 'expr_pattern');
    assert.match(compileError('replace(s, "(", "")').message, /invalid replace\(\) pattern at column 12/);
    assert.match(compileError(`replace(s, "${'a'.repeat(501)}", "")`).message, /longer than 500/);
  });

  it('refuses calls on anything but a built-in function', () => {
    assert.match(compileError('name.trim()').message, /only built-in functions/);
    assert.match(compileError('(upper)(x)').message, /only built-in functions/);
  });
});
