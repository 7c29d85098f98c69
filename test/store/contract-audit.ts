import assert from 'node:assert/strict';
import { describe } from 'node:test';

import { AUDIT_GENESIS, auditDetailText, auditHash } from '../../src/store/audit-chain.js';
import type { AuditEntry } from '../../src/store/types.js';
import { note, withStore } from './contract-fixtures.js';
import type { ContractContext } from './types.js';

/** Recomputes an entry's hash from its fields, as an outside auditor would. */
function rehash(e: AuditEntry): string {
  return auditHash(e.prevHash, { seq: e.seq, at: e.at, actor: e.actor, action: e.action, subject: e.subject, detail: auditDetailText(e.detail) });
}

/** The audit trail: append-only, hash-chained, serialised across instances. */
export function describeAuditContract({ open, kind, test }: ContractContext): void {
  describe('audit', () => {
    test('appendAudit chains rows from the genesis hash; listAudit is newest first with limit and before', async () => withStore(open, async ({ store }) => {
      assert.deepEqual(await store.verifyAudit(), { ok: true, checked: 0 });
      const a = await store.appendAudit({ actor: 'alice', action: 'profile.save', subject: 'orders', detail: { note: 'x' } });
      const b = await store.appendAudit({ actor: 'cli', action: 'batch.reprocess', subject: 'b_1' });
      const c = await store.appendAudit({ actor: 'disk', action: 'profile.disk-edit', subject: 'orders', detail: { z: 1, a: [1, 2] } });
      assert.deepEqual([a.seq, b.seq, c.seq], [1, 2, 3]);
      assert.equal(a.prevHash, AUDIT_GENESIS);
      assert.equal(b.prevHash, a.hash);
      assert.equal(c.prevHash, b.hash);
      const listed = await store.listAudit({ limit: 10 });
      assert.deepEqual(listed.map((e) => e.seq), [3, 2, 1]);
      assert.deepEqual(listed[2], a);
      assert.deepEqual(listed[1]?.detail, {});
      for (const e of listed) assert.equal(rehash(e), e.hash, `row ${e.seq} hashes to its fields`);
      assert.deepEqual((await store.listAudit({ limit: 1, before: 3 })).map((e) => e.seq), [2]);
      assert.deepEqual((await store.listAudit({ limit: 5, before: 1 })), []);
      assert.deepEqual(await store.verifyAudit(), { ok: true, checked: 3 });
    }));

    test('recordProfileSave with audit writes the row in its transaction, with the version', async () => withStore(open, async ({ store }) => {
      const version = await store.recordProfileSave({ profile: 'orders', contentHash: 'h1', content: 'a: 1', savedBy: 'alice', audit: { actor: 'alice', action: 'profile.save', subject: 'orders' } });
      await store.recordProfileSave({ profile: 'orders', contentHash: 'h2', content: 'a: 2', savedBy: 'bob' });
      const rows = await store.listAudit({ limit: 10 });
      assert.equal(rows.length, 1, 'a save without audit adds no row');
      assert.deepEqual([rows[0]?.actor, rows[0]?.action, rows[0]?.subject, rows[0]?.detail], ['alice', 'profile.save', 'orders', { version, contentHash: 'h1' }]);
    }));

    test('replayNotification with audit writes a row only when the notification exists', async () => withStore(open, async ({ store }) => {
      await store.addAlert({ profile: 'orders', kind: 'file.late', message: 'late', batchId: null }, [note('n1')]);
      await store.settleNotification('n1', { state: 'dead', lastError: 'HTTP 500' });
      assert.equal(await store.replayNotification('nope', Date.now() + 1000, { actor: 'cli', action: 'notification.replay', subject: 'nope' }), undefined);
      assert.equal((await store.replayNotification('n1', Date.now() + 1000, { actor: 'cli', action: 'notification.replay', subject: 'n1' }))?.state, 'pending');
      const rows = await store.listAudit({ limit: 10 });
      assert.deepEqual(rows.map((r) => [r.actor, r.action, r.subject, r.detail]), [['cli', 'notification.replay', 'n1', { event: 'batch.completed', profile: 'orders' }]]);
    }));

    test('appends from two instances at once keep one linear chain', async () => withStore(open, async ({ store, reopen }) => {
      // SQLite serves one process: the second "instance" is the same store, appending concurrently
      const other = kind.shared ? await reopen() : store;
      await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : other).appendAudit({ actor: `a${i}`, action: 'run.manual', subject: 'orders' })));
      const rows = await store.listAudit({ limit: 100 });
      assert.deepEqual(rows.map((r) => r.seq), Array.from({ length: 20 }, (_, i) => 20 - i));
      assert.deepEqual(await other.verifyAudit(), { ok: true, checked: 20 });
    }));
  });
}
