import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';

import { adminTokens, callerOf, newToken, parseTokenEntry, roleOf } from '../../../src/admin/admin-tokens.js';

const sha = (t: string): string => createHash('sha256').update(t).digest('hex');

describe('API tokens', () => {
  it('reads hashed, plain and bare entries with their roles', () => {
    assert.deepEqual(parseTokenEntry(`read=sha256:${sha('r1').toUpperCase()}`), { role: 'read', hash: sha('r1') });
    assert.deepEqual(parseTokenEntry('admin=a1'), { role: 'admin', hash: sha('a1') });
    assert.deepEqual(parseTokenEntry('  bare  '), { role: 'admin', hash: sha('bare') });
    assert.equal(parseTokenEntry('# a comment'), undefined);
    assert.equal(parseTokenEntry(''), undefined);
  });

  it('finds the role of a bearer token by its hash, and nothing for others', () => {
    const tokens = adminTokens({ FERRY_ADMIN_TOKENS: `read=sha256:${sha('reader')},admin=boss` });
    assert.equal(roleOf('Bearer reader', tokens), 'read');
    assert.equal(roleOf('bearer boss', tokens), 'admin');
    assert.equal(roleOf('Bearer nope', tokens), undefined);
    assert.equal(roleOf('Basic boss', tokens), undefined);
    assert.equal(roleOf(undefined, tokens), undefined);
    assert.equal(roleOf('Bearer x', []), undefined, 'no tokens: nobody');
  });

  it('names the caller by the entry, or by the hash prefix when unnamed', () => {
    const tokens = adminTokens({ FERRY_ADMIN_TOKENS: `alice:admin=sha256:${sha('a')},read=r` });
    assert.deepEqual(callerOf('Bearer a', tokens), { role: 'admin', name: 'alice' });
    assert.deepEqual(callerOf('Bearer r', tokens), { role: 'read', name: `token:${sha('r').slice(0, 8)}` });
    const made = newToken('admin', 'bob');
    assert.match(made.entry, /^bob:admin=sha256:[0-9a-f]{64}$/);
    assert.deepEqual(callerOf(`Bearer ${made.token}`, adminTokens({ FERRY_ADMIN_TOKENS: made.entry })), { role: 'admin', name: 'bob' });
  });

  it('makes new tokens whose entry holds only the hash', () => {
    const made = newToken('read');
    assert.match(made.token, /^fy_[A-Za-z0-9_-]{32}$/);
    assert.equal(made.entry, `read=sha256:${sha(made.token)}`);
    assert.ok(!made.entry.includes(made.token));
    assert.equal(roleOf(`Bearer ${made.token}`, adminTokens({ FERRY_ADMIN_TOKENS: made.entry })), 'read');
  });
});
