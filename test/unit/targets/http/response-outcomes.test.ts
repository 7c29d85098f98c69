import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { HttpAnswer } from '../../../../src/targets/http/request.js';
import { outcomesOf, readPath, rejectionText } from '../../../../src/targets/http/response-outcomes.js';

function answer(body: unknown, status = 200, statusText = 'OK'): HttpAnswer {
  return { status, statusText, headers: {}, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) };
}

describe('readPath', () => {
  it('walks dotted paths through objects and array indexes', () => {
    const doc = { data: { results: [{ id: 1 }, { id: 2 }] } };
    assert.equal(readPath(doc, 'data.results.1.id'), 2);
    assert.equal(readPath(doc, undefined), doc);
    assert.equal(readPath(doc, 'data.missing.id'), undefined);
    assert.equal(readPath([5, 6], '1'), 6);
  });
});

describe('outcomesOf', () => {
  const spec = { items: 'results', id: 'id', error: 'error' };

  it('treats absent, null, false and empty errors as delivered', () => {
    const outcomes = outcomesOf(answer({ results: [{ id: 'a' }, { id: 'b', error: null }, { id: 'c', error: '' }, { id: 'd', error: false }] }), spec, 4);
    assert.deepEqual(outcomes.map((o) => o.status), ['delivered', 'delivered', 'delivered', 'delivered']);
  });

  it('turns an error object into its message, and any other error value into text', () => {
    const outcomes = outcomesOf(answer({ results: [{ error: { code: 'E1', message: 'bad sku' } }, { error: { code: 'E2' } }, { error: true }, { error: 42 }] }), spec, 4);
    assert.deepEqual(outcomes, [
      { status: 'failed', error: 'bad sku [E_TARGET_REJECTED]' },
      { status: 'failed', error: '{"code":"E2"} [E_TARGET_REJECTED]' },
      { status: 'failed', error: 'the target reported an error for this record [E_TARGET_REJECTED]' },
      { status: 'failed', error: '42 [E_TARGET_REJECTED]' },
    ]);
  });

  it('reads a root array when target.response has no items path', () => {
    assert.deepEqual(outcomesOf(answer([{ id: 9 }]), { id: 'id' }, 1), [{ status: 'delivered', targetId: '9' }]);
  });

  it('shortens long error texts to 300 characters', () => {
    const [outcome] = outcomesOf(answer({ results: [{ error: 'x'.repeat(1000) }] }), spec, 1);
    assert.equal(outcome?.status === 'failed' ? outcome.error.length : 0, 300 + ' [E_TARGET_REJECTED]'.length);
  });
});

describe('rejectionText', () => {
  it('takes message, error or detail from a JSON body', () => {
    assert.match(rejectionText(answer({ detail: 'sku unknown' }, 422, 'Unprocessable Entity')), /\(422 Unprocessable Entity\): sku unknown \[E_TARGET_REJECTED\]$/);
    assert.match(rejectionText(answer({ error: { message: 'nested' } }, 400, 'Bad Request')), /: nested \[/);
  });

  it('falls back to the status line', () => {
    assert.equal(rejectionText(answer('<html>nope</html>', 404, 'Not Found')), 'the target refused the record (404 Not Found) [E_TARGET_REJECTED]');
  });
});
