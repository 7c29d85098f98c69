import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { compileError, dec, money, run, runtimeError, type Values } from './expr-harness.js';

describe('expression functions', () => {
  const s: Values = { s: '  Hello World  ', e: 'émoji😀x', list: ['a', 'b', 'c'], n: -2.5 };

  it('handles case, trimming and concatenation', () => {
    assert.equal(run('upper(s)', s), '  HELLO WORLD  ');
    assert.equal(run('lower(trim(s))', s), 'hello world');
    assert.equal(run('concat("a", 1.50, missing, true)'), 'a1.50true');
    assert.equal(run('concat()'), '');
    assert.equal(run('upper(missing)'), null);
    assert.equal(run('upper(12.5)'), '12.5');
    assert.equal(runtimeError('upper(list)', s).code, 'expr_type');
  });

  it('slices by character, counting from 0', () => {
    assert.equal(run('substring("abcdef", 2)'), 'cdef');
    assert.equal(run('substring("abcdef", 1, 3)'), 'bcd');
    assert.equal(run('substring("abc", 10)'), '');
    assert.equal(run('substring(e, 5, 2)', s), '😀x');
    assert.equal(run('left("abcdef", 2)'), 'ab');
    assert.equal(run('right("abcdef", 2)'), 'ef');
    assert.equal(run('right("ab", 0)'), '');
    assert.equal(run('right(e, 2)', s), '😀x');
    assert.equal(runtimeError('substring("abc", -1)').code, 'expr_argument');
    assert.equal(runtimeError('left("abc", 1.5)').code, 'expr_type');
  });

  it('pads to a length', () => {
    assert.equal(run('padStart("7", 3, "0")'), '007');
    assert.equal(run('padEnd("7", 3)'), '7  ');
    assert.equal(run('padStart("abc", 2)'), 'abc');
    assert.equal(run('padStart("1", 6, "ab")'), 'ababa1');
    assert.equal(run('padEnd("x", 3, "😀")'), 'x😀😀');
    assert.equal(runtimeError('padStart("1", 3, "")').code, 'expr_argument');
  });

  it('replaces every regex match, with $ groups', () => {
    assert.equal(run('replace(sku, "^SKU-", "")', { sku: 'SKU-0042' }), '0042');
    assert.equal(run('replace("a-b-c", "-", "+")'), 'a+b+c');
    assert.equal(run('replace("abc-123", "(\\w+)-(\\d+)", "$2:$1")'), '123:abc');
    assert.equal(run('replace("abc-123", "(?<w>\\w+)-\\d+", "[$<w>] $& $$")'), '[abc] abc-123 $');
    assert.equal(run('replace("2024-01-31", "(\\d+)-(\\d+)-(\\d+)", "$3.$2.$1")'), '31.01.2024');
    assert.equal(run('replace(missing, "a", "b")'), null);
    assert.equal(run('replace("aXa", "a", missing)'), 'X');
  });

  it('tests and measures text and lists', () => {
    assert.equal(run('contains(s, "World")', s), true);
    assert.equal(run('startsWith(trim(s), "Hello")', s), true);
    assert.equal(run('endsWith("abc", "b")'), false);
    assert.equal(run('contains(missing, "a")'), null);
    assert.equal(run('length(e)', s), 7);
    assert.equal(run('length(list)', s), 3);
    assert.equal(run('length(missing)'), null);
  });

  it('splits and joins', () => {
    assert.deepEqual(run('split("a;b;;c", ";")'), ['a', 'b', '', 'c']);
    assert.deepEqual(run('split("a😀", "")'), ['a', '😀']);
    assert.equal(run('join(list, "|")', s), 'a|b|c');
    assert.equal(run('join(list)', s), 'a,b,c');
    assert.equal(run('join([1.5, missing, true], "/")'), '1.5//true');
    assert.equal(run('join(split(row.Tags, ","), " ")', {}, { Tags: 'x,y' }), 'x y');
    assert.equal(runtimeError('join("abc", ",")').code, 'expr_type');
  });

  it('rounds half-up to Decimals', () => {
    assert.equal(dec(run('round(1.005, 2)')), '1.01');
    assert.equal(dec(run('round(-1.005, 2)')), '-1.01');
    assert.equal(dec(run('round(2.5)')), '3');
    assert.equal(dec(run('round(1.5, 2)')), '1.50');
    assert.equal(dec(run('round(1250, -2)')), '1300');
    assert.equal(dec(run('round(n, 0)', s)), '-3');
    assert.equal(dec(run('round("2.345", 2)')), '2.35');
    assert.equal(run('round(missing, 2)'), null);
    assert.equal(runtimeError('round(1, 5000)').code, 'expr_argument');
    assert.equal(runtimeError('round(1, 0.5)').code, 'expr_type');
  });

  it('floors, ceils and takes absolute values', () => {
    assert.equal(dec(run('floor(-1.5)')), '-2');
    assert.equal(dec(run('ceil(1.01)')), '2');
    assert.equal(dec(run('abs(-3.50)')), '3.50');
    assert.equal(run('abs(a)', { a: -4 }), 4);
    assert.equal(run('floor(a)', { a: 7 }), 7);
    assert.equal(dec(run('floor(n)', s)), '-3');
    assert.equal(run('ceil(missing)'), null);
  });

  it('picks the least and greatest value', () => {
    assert.equal(dec(run('min(3, 1.5, 2)')), '1.5');
    assert.equal(run('max(qty, 2)', money), 3);
    assert.equal(dec(run('max(missing, 2, null)')), '2');
    assert.equal(run('min(missing)'), null);
    assert.equal(run('max("apple", "pear")'), 'pear');
    assert.equal(dec(run('max([1, 5, 2])')), '5');
    assert.equal(runtimeError('min(1, "a")').code, 'expr_type');
  });

  it('converts between text and numbers', () => {
    assert.equal(dec(run('number("0012.50")')), '12.50');
    assert.equal(dec(run('number(row.Qty) + 1', {}, { Qty: '3' })), '4');
    assert.equal(run('number("")'), null);
    assert.equal(run('number(missing)'), null);
    assert.equal(runtimeError('number("1,5")').code, 'expr_type');
    assert.equal(runtimeError('number("1e5")').code, 'expr_type');
    assert.equal(run('string(1.50)'), '1.50');
    assert.equal(run('string(a)', { a: 1e-7 }), '0.0000001');
    assert.equal(run('string(d)', { d: new Date(Date.UTC(2024, 1, 29, 12)) }), '2024-02-29T12:00:00.000Z');
    assert.equal(run('string(false)'), 'false');
    assert.equal(run('string(missing)'), null);
    assert.equal(runtimeError('string(list)', s).code, 'expr_type');
  });

  it('chooses values with coalesce, if and isEmpty', () => {
    assert.equal(run('coalesce(missing, "", null, "x", "y")'), 'x');
    assert.equal(run('coalesce(missing, "")'), null);
    assert.equal(run('if(qty > 2, "bulk", "single")', money), 'bulk');
    assert.equal(run('if(missing, 1 / 0, "safe")'), 'safe');
    assert.equal(run('coalesce("first", 1 / 0)'), 'first');
    assert.equal(run('isEmpty(missing)'), true);
    assert.equal(run('isEmpty("")'), true);
    assert.equal(run('isEmpty([])'), true);
    assert.equal(run('isEmpty(" ")'), false);
    assert.equal(run('isEmpty(0)'), false);
  });

  it('checks argument counts at compile time', () => {
    const e = compileError('upper(a, b)');
    assert.equal(e.code, 'expr_arity');
    assert.match(e.message, /upper\(\) takes 1 argument, got 2/);
    assert.match(compileError('substring("a")').message, /takes 2 to 3 arguments/);
    assert.match(compileError('min()').message, /at least 1 argument/);
    assert.match(compileError('if(a, b)').message, /takes 3 arguments/);
  });
});
