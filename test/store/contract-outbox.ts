import assert from 'node:assert/strict';
import { describe } from 'node:test';

import type { StateStore } from '../../src/store/types.js';
import { note, sleep, withStore } from './contract-fixtures.js';
import type { ContractContext } from './types.js';

/** Writes notifications to the outbox (through an alert, the simplest state change carrying them). */
async function enqueue(store: StateStore, ...ids: string[]): Promise<void> {
  await store.addAlert({ profile: 'orders', kind: 'file.late', message: 'late', batchId: null }, ids.map((id) => note(id)));
}

/** Makes notifications due at given times: a failed attempt moves their next attempt there. */
async function dueAt(store: StateStore, times: Readonly<Record<string, number>>): Promise<void> {
  for (const [id, at] of Object.entries(times)) await store.settleNotification(id, { state: 'pending', nextAttemptAt: at, lastError: 'HTTP 503' });
}

/** The notification outbox. */
export function describeOutboxContract({ open, test }: ContractContext): void {
  describe('outbox', () => {
    test('dueNotifications returns the pending notifications due now, oldest first, up to the limit', async () => withStore(open, async ({ store }) => {
      await enqueue(store, 'n1', 'n2', 'n3', 'n4', 'n5');
      const now = Date.now();
      await dueAt(store, { n1: now - 2000, n2: now - 1000, n3: now - 3000, n4: now + 60_000 });
      await store.settleNotification('n5', { state: 'delivered' });
      const due = await store.dueNotifications(now, 2);
      assert.deepEqual(due.map((n) => n.id), ['n3', 'n1']);
      const n3 = due[0];
      assert.deepEqual([n3?.state, n3?.attempts, n3?.lastError, n3?.profile, n3?.url, n3?.event, n3?.body], ['pending', 1, 'HTTP 503', 'orders', 'https://erp.example.com/hook', 'batch.completed', '{"id":"n3"}']);
      assert.deepEqual((await store.dueNotifications(now, 10)).map((n) => n.id).filter((id) => id !== 'n3' && id !== 'n1'), ['n2']);
    }));

    test('dueNotifications holds what it returns: a second call right after does not return it again', async () => withStore(open, async ({ store }) => {
      await enqueue(store, 'n1', 'n2');
      const now = Date.now() + 10;
      assert.deepEqual((await store.dueNotifications(now, 10)).map((n) => n.id).sort(), ['n1', 'n2']);
      assert.deepEqual(await store.dueNotifications(now, 10), []);
      assert.deepEqual((await store.dueNotifications(now + 61_000, 10)).map((n) => n.id).sort(), ['n1', 'n2'], 'held for a minute');
    }));

    test('settleNotification records delivered, a later attempt, or dead; nextNotificationAt is the earliest pending attempt', async () => withStore(open, async ({ store }) => {
      assert.equal(await store.nextNotificationAt(), undefined);
      await enqueue(store, 'n1', 'n2', 'n3');
      const at = Date.now() + 5000;
      await store.settleNotification('n1', { state: 'delivered' });
      await store.settleNotification('n2', { state: 'pending', nextAttemptAt: at, lastError: 'timeout' });
      await store.settleNotification('n2', { state: 'pending', nextAttemptAt: at + 1000, lastError: 'HTTP 502' });
      await store.settleNotification('n3', { state: 'dead', lastError: 'HTTP 400' });
      const byId = new Map((await store.listNotifications({ limit: 10 })).map((n) => [n.id, n]));
      assert.deepEqual([byId.get('n1')?.state, byId.get('n1')?.attempts, byId.get('n1')?.lastError], ['delivered', 1, null]);
      assert.ok((byId.get('n1')?.deliveredAt ?? 0) > 0);
      assert.deepEqual([byId.get('n2')?.state, byId.get('n2')?.attempts, byId.get('n2')?.nextAttemptAt, byId.get('n2')?.lastError], ['pending', 2, at + 1000, 'HTTP 502']);
      assert.deepEqual([byId.get('n3')?.state, byId.get('n3')?.attempts, byId.get('n3')?.lastError, byId.get('n3')?.deliveredAt], ['dead', 1, 'HTTP 400', null]);
      assert.equal(await store.nextNotificationAt(), at + 1000);
      await store.settleNotification('n3', { state: 'pending', nextAttemptAt: 1, lastError: 'x' });
      assert.equal((await store.listNotifications({ limit: 10, state: 'dead' }))[0]?.id, 'n3', 'a later attempt does not revive a dead one');
    }));

    test('a notification id already in the outbox is kept, not replaced', async () => withStore(open, async ({ store }) => {
      await enqueue(store, 'n1');
      await store.settleNotification('n1', { state: 'delivered' });
      await store.addAlert({ profile: 'orders', kind: 'file.late', message: 'again', batchId: null }, [note('n1', { body: '{"other":true}' })]);
      const all = await store.listNotifications({ limit: 10 });
      assert.deepEqual(all.map((n) => [n.id, n.state, n.body]), [['n1', 'delivered', '{"id":"n1"}']]);
    }));

    test('disableEndpoint disables the pending notifications of the url and those written after', async () => withStore(open, async ({ store }) => {
      await enqueue(store, 'n1', 'n2');
      await store.addAlert({ profile: 'orders', kind: 'file.late', message: 'x', batchId: null }, [note('n_other', { url: 'https://other.example.com/hook' })]);
      await store.settleNotification('n2', { state: 'delivered' });
      await store.disableEndpoint('https://erp.example.com/hook', 'orders', 'HTTP 410 Gone');
      await enqueue(store, 'n3');
      const byId = new Map((await store.listNotifications({ limit: 10 })).map((n) => [n.id, n]));
      assert.deepEqual([byId.get('n1')?.state, byId.get('n1')?.lastError], ['disabled', 'HTTP 410 Gone']);
      assert.equal(byId.get('n2')?.state, 'delivered');
      assert.equal(byId.get('n3')?.state, 'disabled');
      assert.equal(byId.get('n_other')?.state, 'pending');
      const disabled = await store.listDisabledEndpoints();
      assert.deepEqual(disabled.map((d) => [d.url, d.profile, d.reason]), [['https://erp.example.com/hook', 'orders', 'HTTP 410 Gone']]);
      assert.ok((disabled[0]?.at ?? 0) > 0);
      assert.deepEqual((await store.dueNotifications(Date.now() + 10, 10)).map((n) => n.id), ['n_other']);
    }));

    test('replayNotification puts a dead or disabled notification back in line with the same id and re-enables its endpoint', async () => withStore(open, async ({ store }) => {
      await enqueue(store, 'n1');
      await store.addAlert({ profile: 'orders', kind: 'file.late', message: 'x', batchId: null }, [note('n_dead', { url: 'https://other.example.com/hook' })]);
      await store.settleNotification('n_dead', { state: 'dead', lastError: 'HTTP 400' });
      await store.disableEndpoint('https://erp.example.com/hook', 'orders', 'HTTP 410 Gone');
      const retryUntil = Date.now() + 7_200_000;
      const replayed = await store.replayNotification('n1', retryUntil);
      assert.deepEqual([replayed?.id, replayed?.state, replayed?.attempts, replayed?.retryUntil, replayed?.lastError, replayed?.body], ['n1', 'pending', 0, retryUntil, null, '{"id":"n1"}']);
      assert.deepEqual(await store.listDisabledEndpoints(), []);
      assert.equal((await store.replayNotification('n_dead', retryUntil))?.state, 'pending');
      assert.equal(await store.replayNotification('n_unknown', retryUntil), undefined);
      await sleep(2);
      assert.deepEqual((await store.dueNotifications(Date.now(), 10)).map((n) => n.id).sort(), ['n1', 'n_dead']);
      await enqueue(store, 'n2');
      assert.equal((await store.listNotifications({ limit: 10, state: 'pending' })).some((n) => n.id === 'n2'), true, 'the endpoint takes notifications again');
    }));

    test('countNotifications gives every state; listNotifications is newest first, by state', async () => withStore(open, async ({ store }) => {
      assert.deepEqual(await store.countNotifications(), { pending: 0, delivered: 0, dead: 0, disabled: 0 });
      for (const id of ['n1', 'n2', 'n3', 'n4']) {
        await enqueue(store, id);
        await sleep(3);
      }
      await store.settleNotification('n1', { state: 'delivered' });
      await store.settleNotification('n2', { state: 'dead', lastError: 'x' });
      assert.deepEqual(await store.countNotifications(), { pending: 2, delivered: 1, dead: 1, disabled: 0 });
      assert.deepEqual((await store.listNotifications({ limit: 10 })).map((n) => n.id), ['n4', 'n3', 'n2', 'n1']);
      assert.deepEqual((await store.listNotifications({ limit: 1 })).map((n) => n.id), ['n4']);
      assert.deepEqual((await store.listNotifications({ limit: 10, state: 'pending' })).map((n) => n.id), ['n4', 'n3']);
      assert.deepEqual((await store.listNotifications({ limit: 10, state: 'disabled' })), []);
    }));
  });
}
