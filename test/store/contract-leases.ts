import assert from 'node:assert/strict';
import { describe } from 'node:test';

import { newBatch, note, sleep, withStore } from './contract-fixtures.js';
import type { ContractContext } from './types.js';

/** A lease short enough for tests to outlive it. */
const SHORT_LEASE_MS = 600;

/** Leases, instances, restarts; and, for stores that several instances share, what they decide between them. */
export function describeLeasesContract({ open, kind, test }: ContractContext): void {
  describe('leases and instances', () => {
    test('an exclusive open registers the instance; listInstances shows it alive with the unfinished batches it holds', async () => withStore(open, async ({ store }) => {
      const a = await store.claimFile(newBatch());
      const b = await store.claimFile(newBatch());
      const c = await store.claimFile(newBatch());
      assert.ok(a && b && c);
      await store.updateBatch(c.id, { state: 'done', status: 'completed' });
      const me = (await store.listInstances()).find((i) => i.id === store.instanceId);
      assert.ok(me, 'registered');
      assert.equal(me.alive, true);
      assert.equal(me.pid, process.pid);
      assert.ok(me.host.length > 0 && me.startedAt > 0 && me.lastSeenAt >= me.startedAt);
      assert.deepEqual(me.holds, [a.id, b.id]);
    }));

    test('renewLeases extends this instance\'s leases and its heartbeat', async () => withStore(open, async ({ store }) => {
      const b = await store.claimFile(newBatch());
      assert.ok(b?.leaseUntil);
      const seen = (await store.listInstances()).find((i) => i.id === store.instanceId)?.lastSeenAt ?? 0;
      await sleep(20);
      await store.renewLeases();
      const renewed = await store.getBatch(b.id);
      assert.ok((renewed?.leaseUntil ?? 0) > b.leaseUntil, 'the lease runs longer');
      assert.equal(renewed?.owner, store.instanceId);
      assert.ok(((await store.listInstances()).find((i) => i.id === store.instanceId)?.lastSeenAt ?? 0) > seen, 'a heartbeat');
    }));

    test('an instance without a heartbeat for longer than the lease is not alive', async () => withStore(open, async ({ store }) => {
      assert.equal((await store.listInstances()).find((i) => i.id === store.instanceId)?.alive, true);
      await sleep(SHORT_LEASE_MS + 150);
      assert.equal((await store.listInstances()).find((i) => i.id === store.instanceId)?.alive, false);
      await store.renewLeases();
      assert.equal((await store.listInstances()).find((i) => i.id === store.instanceId)?.alive, true);
    }, { leaseMs: SHORT_LEASE_MS }));

    test('takeOverBatches: once the lease ran out another instance takes the unfinished batches, of one profile or all, never done ones, never twice', async () => withStore(open, async (s) => {
      const { store } = s;
      const orders = await store.claimFile(newBatch({ profile: 'orders' }));
      const invoices = await store.claimFile(newBatch({ profile: 'invoices' }));
      const done = await store.claimFile(newBatch({ profile: 'orders' }));
      assert.ok(orders && invoices && done);
      await store.updateBatch(done.id, { state: 'done', status: 'completed' });
      assert.deepEqual(await store.takeOverBatches(), [], 'its own batches are not taken over');
      await sleep(SHORT_LEASE_MS + 150);
      const next = await s.reopen({ leaseMs: SHORT_LEASE_MS });
      assert.notEqual(next.instanceId, store.instanceId);
      const before = Date.now();
      const taken = await next.takeOverBatches('orders');
      assert.deepEqual(taken.map((b) => [b.id, b.owner]), [[orders.id, next.instanceId]]);
      assert.ok((taken[0]?.leaseUntil ?? 0) >= before + SHORT_LEASE_MS - 50, 'leased anew');
      assert.equal(taken[0]?.state, 'claimed');
      assert.deepEqual((await next.takeOverBatches()).map((b) => b.id), [invoices.id]);
      assert.deepEqual(await next.takeOverBatches(), []);
      assert.equal((await next.getBatch(done.id))?.owner, store.instanceId, 'a done batch stays as it was');
      const holds = (await next.listInstances()).find((i) => i.id === next.instanceId)?.holds;
      assert.deepEqual(holds, [orders.id, invoices.id]);
    }, { leaseMs: SHORT_LEASE_MS }));

    test('what was written is there after a restart', async () => withStore(open, async (s) => {
      const b = await s.store.claimFile(newBatch());
      assert.ok(b);
      await s.store.updateBatch(b.id, { state: 'done', status: 'completed', rowsTotal: 3 }, [note('n1')]);
      await s.store.profileVersion('orders', 'h1', 'text');
      await s.store.close();
      const again = await s.reopen();
      assert.deepEqual(await again.getBatch(b.id), { ...b, state: 'done', status: 'completed', rowsTotal: 3, updatedAt: (await again.getBatch(b.id))?.updatedAt ?? 0 });
      assert.equal((await again.listNotifications({ limit: 10 }))[0]?.id, 'n1');
      assert.equal(await again.profileVersion('orders', 'h1', 'text'), 1);
      assert.equal(await again.claimFile({ ...b, id: 'b_again', reprocessOf: null }), undefined, 'a restart does not forget claims');
    }));
  });

  if (!kind.shared) return;

  describe('several instances on one store', () => {
    test('B cannot take A\'s batch before A\'s lease runs out, and can after', async () => withStore(open, async (s) => {
      const b = await s.store.claimFile(newBatch());
      assert.ok(b);
      const peer = await s.reopen({ leaseMs: SHORT_LEASE_MS });
      assert.deepEqual(await peer.takeOverBatches(), []);
      await sleep(SHORT_LEASE_MS + 150);
      assert.deepEqual((await peer.takeOverBatches()).map((x) => [x.id, x.owner]), [[b.id, peer.instanceId]]);
      assert.deepEqual(await s.store.takeOverBatches(), [], 'A does not take it back while B holds it');
    }, { leaseMs: SHORT_LEASE_MS }));

    test('renewLeases keeps A\'s batches from B past the lease time', async () => withStore(open, async (s) => {
      const b = await s.store.claimFile(newBatch());
      assert.ok(b);
      const peer = await s.reopen({ leaseMs: SHORT_LEASE_MS });
      for (let i = 0; i < 6; i++) {
        await sleep(SHORT_LEASE_MS / 4);
        await s.store.renewLeases();
        assert.deepEqual(await peer.takeOverBatches(), [], `after ${(i + 1) * SHORT_LEASE_MS / 4} ms`);
      }
      assert.equal((await peer.getBatch(b.id))?.owner, s.store.instanceId);
    }, { leaseMs: SHORT_LEASE_MS }));

    test('listInstances shows both instances, alive, each with what it holds', async () => withStore(open, async (s) => {
      const peer = await s.reopen();
      const a = await s.store.claimFile(newBatch());
      const b = await peer.claimFile(newBatch());
      assert.ok(a && b);
      for (const viewer of [s.store, peer]) {
        const byId = new Map((await viewer.listInstances()).map((i) => [i.id, i]));
        assert.deepEqual(byId.get(s.store.instanceId)?.holds, [a.id]);
        assert.deepEqual(byId.get(peer.instanceId)?.holds, [b.id]);
        assert.equal(byId.get(s.store.instanceId)?.alive, true);
        assert.equal(byId.get(peer.instanceId)?.alive, true);
      }
    }));

    test('two instances claiming one listing identity at once: exactly one gets the batch', async () => withStore(open, async (s) => {
      const peer = await s.reopen();
      for (let round = 0; round < 5; round++) {
        const nb = newBatch();
        const got = await Promise.all([s.store, peer, s.store, peer].map((st, i) => st.claimFile({ ...nb, id: `${nb.id}_${i}` })));
        assert.equal(got.filter((b) => b !== undefined).length, 1, `round ${round}`);
      }
    }));

    test('two instances claiming one schedule fire at once: exactly one is true', async () => withStore(open, async (s) => {
      const peer = await s.reopen();
      for (let round = 1; round <= 5; round++) {
        const st = { profile: 'orders', expression: '* * * * *', timeZone: 'UTC', lastDue: round * 60_000, nextDue: (round + 1) * 60_000 };
        const got = await Promise.all([s.store.claimScheduleFire(st), peer.claimScheduleFire(st), s.store.claimScheduleFire(st), peer.claimScheduleFire(st)]);
        assert.equal(got.filter((x) => x).length, 1, `fire ${round}`);
      }
    }));

    test('two instances calling dueNotifications at once never get the same notification', async () => withStore(open, async (s) => {
      const peer = await s.reopen();
      const ids = Array.from({ length: 60 }, (_, i) => `n${i}`);
      await s.store.addAlert({ profile: 'orders', kind: 'file.late', message: 'x', batchId: null }, ids.map((id) => note(id)));
      const now = Date.now() + 10;
      const seen = new Map<string, number>();
      for (let round = 0; round < 4; round++) {
        const got = await Promise.all([s.store.dueNotifications(now, 10), peer.dueNotifications(now, 10)]);
        for (const n of got.flat()) seen.set(n.id, (seen.get(n.id) ?? 0) + 1);
      }
      assert.ok([...seen.values()].every((c) => c === 1), 'each handed out once');
      assert.ok(seen.size >= 40, `most were handed out (${seen.size})`);
    }));

    test('two instances numbering new profile contents at once give no number twice', async () => withStore(open, async (s) => {
      const peer = await s.reopen();
      const got = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? s.store : peer).profileVersion('orders', `h${i}`, `text ${i}`)));
      assert.deepEqual([...got].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8]);
    }));
  });
}
