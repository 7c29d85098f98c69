import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { ExprScope, ExprValue } from '../../../src/mapping/expr/compile.js';
import { compile, compileError, dec, record, run, runtimeError, scopeOf } from './expr-harness.js';

describe('hostile expressions', () => {
  const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();
  const arrayPrototypeNames = Object.getOwnPropertyNames(Array.prototype).sort();

  /** A careless scope that indexes plain objects, as a naive caller might write it. */
  function carelessScope(): ExprScope {
    const fields: Record<string, ExprValue> = { x: 'value', list: [1, 2] };
    const columns: Record<string, ExprValue> = { Name: 'n' };
    return { field: (n) => fields[n], column: (n) => columns[n], param: (n) => columns[n] };
  }

  it('refuses prototype names at compile time', () => {
    for (const source of [
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
      'row.constructor',
      'row["__proto__"]',
      'row["constructor"]',
      'param.__proto__',
      'field["prototype"]',
      'x.constructor.constructor("return process")()',
      'x["constructor"]',
      'list.__proto__.polluted',
      'x.valueOf',
    ]) {
      const e = compileError(source);
      assert.equal(e.code, 'expr_forbidden', source);
      assert.match(e.message, /is not allowed/);
    }
  });

  it('treats globals as ordinary, absent fields', () => {
    for (const source of ['process', 'globalThis', 'this', 'window', 'global', 'Object', 'Function']) {
      assert.equal(compile(source).evaluate(carelessScope()), undefined, source);
    }
  });

  it('has no way to call code outside the function library', () => {
    for (const source of ['require("fs")', 'import("fs")', 'eval("1")', 'Function("return 1")', 'fetch("http://x")']) {
      assert.equal(compileError(source).code, 'expr_unknown_function', source);
    }
    assert.equal(compileError('x.constructor("a")').code, 'expr_forbidden');
    assert.equal(compileError('list.map(x)').code, 'expr_syntax');
    assert.equal(compileError('`${x}`').code, 'expr_syntax');
    assert.equal(compileError('x = 1').code, 'expr_syntax');
    assert.equal(compileError('x; process').code, 'expr_syntax');
  });

  it('answers undefined for prototype keys built at run time', () => {
    const fields = { o: record({ a: 1 }), k: '__proto__' };
    assert.equal(run('o["__pro" + "to__"]', fields), undefined);
    assert.equal(run('o[k]', fields), undefined);
    assert.equal(run('o["const" + "ructor"]', fields), undefined);
    assert.equal(run('p[k]', { p: JSON.parse('{"__proto__": {"polluted": 1}}') as ExprValue, k: '__proto__' }), undefined);
  });

  it('drops functions a scope hands out instead of exposing them', () => {
    let called = false;
    const leak = (() => {
      called = true;
    }) as unknown as ExprValue;
    assert.equal(run('f', { f: leak }), undefined);
    assert.equal(run('o.f', { o: record({ f: leak }) }), undefined);
    assert.equal(run('string(coalesce(f, "none"))', { f: leak }), 'none');
    assert.equal(called, false);
  });

  it('refuses sources over 4000 characters', () => {
    const e = compileError(`"${'a'.repeat(99_998)}"`);
    assert.equal(e.code, 'expr_too_long');
    assert.equal(compileError('1+'.repeat(2000) + '1').code, 'expr_too_long');
  });

  it('refuses nesting deeper than 64 levels', () => {
    const parens = compileError(`${'('.repeat(1000)}1${')'.repeat(1000)}`);
    assert.equal(parens.code, 'expr_too_deep');
    assert.match(parens.message, /nested too deeply/);
    assert.equal(compileError(`${'-'.repeat(1000)}1`).code, 'expr_too_deep');
    assert.equal(compileError(`${'not '.repeat(500)}x`).code, 'expr_too_deep');
    assert.equal(compileError(Array.from({ length: 100 }, () => 'x').join(' + ')).code, 'expr_too_deep');
    assert.equal(compileError(`${'upper('.repeat(100)}x${')'.repeat(100)}`).code, 'expr_too_deep');
    assert.equal(compileError(`${'['.repeat(100)}${']'.repeat(100)}`).code, 'expr_too_deep');
    assert.equal(dec(run(Array.from({ length: 60 }, () => '1').join(' + '))), '60');
  });

  it('caps padding and the length of produced text', () => {
    const pad = runtimeError('padStart("x", 100000000)');
    assert.equal(pad.code, 'expr_too_long');
    assert.equal(runtimeError('padEnd("x", 10001)').code, 'expr_too_long');
    assert.equal(run('length(padStart("x", 10000))'), 10000);
    const block = 'padStart("", 10000, "ab")';
    assert.equal(runtimeError(`concat(${Array.from({ length: 101 }, () => block).join(', ')})`).code, 'expr_too_long');
    const chain = `${block} + ${block}`;
    assert.equal(run(`length(${chain})`), 20000);
  });

  it('stops amplifying replace() and join() before building giant strings', () => {
    const started = performance.now();
    const big = 'padStart("", 10000, "a")';
    assert.equal(runtimeError(`replace(${big}, "", ${big.replace('"a"', '"b"')})`).code, 'expr_too_long');
    assert.equal(runtimeError(`join(split(${big}, ""), ${big})`).code, 'expr_too_long');
    assert.ok(performance.now() - started < 2000);
  });

  it('refuses regexes with nested repetition, and runs simple ones fast', () => {
    for (const pattern of ['(a+)+$', '(a*)*b', '(\\\\w+\\\\s?)*$', '((ab)+)+', '(a|b+){2,}']) {
      const e = compileError(`replace(s, "${pattern}", "")`);
      assert.equal(e.code, 'expr_pattern', pattern);
      assert.match(e.message, /exponential/);
    }
    // Authors own their patterns; the check only catches the classic catastrophic shape.
    const subject = `${'a'.repeat(29)}!`;
    const started = performance.now();
    assert.equal(run('replace(s, "a+$", "")', { s: subject }), subject);
    assert.equal(run('replace(s, "(\\\\d{3})+", "#")', { s: '123456' }), '#');
    assert.equal(run('replace(s, "(ab)+", "-")', { s: 'xababy' }), 'x-y');
    assert.ok(performance.now() - started < 1000);
  });

  it('leaves Object.prototype and Array.prototype untouched', () => {
    const scope = carelessScope();
    for (const source of ['process', 'globalThis', 'x + row.Name', 'list[1] * 2', 'list[0]', 'split(x, "")', 'param.Name']) {
      compile(source).evaluate(scope);
    }
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), prototypeNames);
    assert.deepEqual(Object.getOwnPropertyNames(Array.prototype).sort(), arrayPrototypeNames);
  });

  it('freezes constant lists so one row cannot change them for the next', () => {
    const expression = compile('[1, 2]');
    const first = expression.evaluate(scopeOf());
    assert.ok(Object.isFrozen(first));
    assert.equal(expression.evaluate(scopeOf()), first);
  });
});
