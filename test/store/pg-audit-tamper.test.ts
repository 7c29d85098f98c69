import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { PgStore } from '../../src/store/pg/pg-store.js';
import { adminQuery, dropSchema, freshSchema, pgUnavailable, schemaUrl } from './pg-test-database.js';

const unavailable = await pgUnavailable();

// S11 on PostgreSQL: the trigger refuses edits; whoever drops it is caught by the chain
describe('audit trail tampering on PostgreSQL', { skip: unavailable }, () => {
  const schema = freshSchema('ferry_audit');
  after(async () => dropSchema(schema));

  it('refuses UPDATE and DELETE, and names an edited, a deleted and a replaced row as the first broken link', async () => {
    const store = await PgStore.open(schemaUrl(schema), { exclusive: false, leaseMs: 30_000 });
    try {
      for (const subject of ['a', 'b', 'c', 'd']) await store.appendAudit({ actor: 'alice', action: 'profile.save', subject });
      await assert.rejects(adminQuery(`UPDATE ${schema}.audit SET actor = 'mallory' WHERE seq = 2`), /append-only/);
      await assert.rejects(adminQuery(`DELETE FROM ${schema}.audit WHERE seq = 2`), /append-only/);
      assert.deepEqual(await store.verifyAudit(), { ok: true, checked: 4 });

      await adminQuery(`ALTER TABLE ${schema}.audit DISABLE TRIGGER audit_append_only`);
      await adminQuery(`UPDATE ${schema}.audit SET detail = '{"x":1}' WHERE seq = 3`);
      const edited = await store.verifyAudit();
      assert.deepEqual(edited.ok ? undefined : [edited.seq, edited.checked], [3, 2]);
      assert.match(edited.ok ? '' : edited.reason, /hash does not match/);

      await adminQuery(`DELETE FROM ${schema}.audit WHERE seq = 2`);
      const deleted = await store.verifyAudit();
      assert.deepEqual(deleted.ok ? undefined : deleted.seq, 3);
      assert.match(deleted.ok ? '' : deleted.reason, /missing/);

      // a row put back with a fresh but wrong prev_hash
      await adminQuery(`INSERT INTO ${schema}.audit SELECT 2, at, actor, action, 'b', detail, repeat('f', 64), hash FROM ${schema}.audit WHERE seq = 1`);
      const replaced = await store.verifyAudit();
      assert.deepEqual(replaced.ok ? undefined : replaced.seq, 2);
      assert.match(replaced.ok ? '' : replaced.reason, /prev_hash/);
    } finally {
      await store.close();
    }
  });
});
