import assert from 'node:assert/strict';
import { describe } from 'node:test';

import { newBatch, note, sleep, withStore } from './contract-fixtures.js';
import type { ContractContext } from './types.js';

/** Profile versions and saves, row problems, and the side tables. */
export function describeTablesContract({ open, test }: ContractContext): void {
  describe('profile versions and saves', () => {
    test('profileVersion numbers contents 1, 2, … per profile and keeps the number and text of known content', async () => withStore(open, async ({ store }) => {
      assert.equal(await store.profileVersion('orders', 'h1', 'text 1'), 1);
      assert.equal(await store.profileVersion('orders', 'h2', 'text 2'), 2);
      assert.equal(await store.profileVersion('orders', 'h1', 'text 1'), 1);
      assert.equal(await store.profileVersion('invoices', 'h2', 'text 2'), 1);
      assert.equal(await store.profileVersion('orders', 'h3', 'text 3'), 3);
      assert.equal(await store.profileContent('orders', 'h2'), 'text 2');
      assert.equal(await store.profileContent('orders', 'h9'), undefined);
      const versions = await store.listProfileVersions('orders');
      assert.deepEqual(versions.map((v) => [v.version, v.contentHash, v.savedBy]), [[3, 'h3', null], [2, 'h2', null], [1, 'h1', null]]);
      assert.ok(versions.every((v) => v.firstSeen > 0 && v.savedAt === null && v.note === null));
    }));

    test('profileVersion under concurrent calls gives distinct consecutive numbers', async () => withStore(open, async ({ store }) => {
      const got = await Promise.all(Array.from({ length: 6 }, (_, i) => store.profileVersion('orders', `h${i}`, `text ${i}`)));
      assert.deepEqual([...got].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6]);
      const again = await Promise.all(Array.from({ length: 6 }, (_, i) => store.profileVersion('orders', `h${i}`, `text ${i}`)));
      assert.deepEqual(again, got);
    }));

    test('recordProfileSave registers who saved which version; listProfileVersions, getProfileVersion and listProfileSaves show it', async () => withStore(open, async ({ store }) => {
      assert.equal(await store.profileVersion('orders', 'h1', 'text 1'), 1);
      assert.equal(await store.recordProfileSave({ profile: 'orders', contentHash: 'h2', content: 'text 2', savedBy: 'alice', note: 'new mapping' }), 2);
      await sleep(3);
      assert.equal(await store.recordProfileSave({ profile: 'orders', contentHash: 'h1', content: 'text 1', savedBy: 'bob', note: 'rollback' }), 1);
      await sleep(3);
      assert.equal(await store.recordProfileSave({ profile: 'orders', contentHash: 'h1', content: 'text 1', savedBy: 'disk' }), 1);
      const versions = await store.listProfileVersions('orders');
      assert.deepEqual(versions.map((v) => [v.version, v.savedBy, v.note]), [[2, 'alice', 'new mapping'], [1, 'disk', null]]);
      const v1 = await store.getProfileVersion('orders', 1);
      assert.equal(v1?.content, 'text 1');
      assert.equal(v1?.savedBy, 'disk');
      assert.ok((v1?.savedAt ?? 0) > 0);
      assert.equal(await store.getProfileVersion('orders', 9), undefined);
      const saves = await store.listProfileSaves('orders', 10);
      assert.deepEqual(saves.map((s) => [s.version, s.contentHash, s.savedBy, s.note]), [[1, 'h1', 'disk', null], [1, 'h1', 'bob', 'rollback'], [2, 'h2', 'alice', 'new mapping']]);
      assert.equal((await store.listProfileSaves('orders', 2)).length, 2);
      assert.deepEqual(await store.listProfileSaves('invoices', 10), []);
    }));
  });

  describe('row problems', () => {
    test('saveRowProblems replaces the list; listRowProblems pages in row order with the total', async () => withStore(open, async ({ store }) => {
      const rows = Array.from({ length: 25 }, (_, i) => ({ row: i + 2, status: (i % 3 === 0 ? 'rejected' : i % 3 === 1 ? 'failed' : 'skipped') as 'rejected' | 'failed' | 'skipped', key: i % 2 === 0 ? `K${i}` : null, error: `problem ${i}` }));
      await store.saveRowProblems('b1', rows);
      const page = await store.listRowProblems('b1', { limit: 10, offset: 20 });
      assert.equal(page.total, 25);
      assert.deepEqual(page.rows, rows.slice(20));
      assert.deepEqual((await store.listRowProblems('b1', { limit: 3, offset: 0 })).rows, rows.slice(0, 3));
      await store.saveRowProblems('b1', rows.slice(0, 2));
      assert.deepEqual(await store.listRowProblems('b1', { limit: 10, offset: 0 }), { rows: rows.slice(0, 2), total: 2 });
      assert.deepEqual(await store.listRowProblems('b2', { limit: 10, offset: 0 }), { rows: [], total: 0 });
      await store.saveRowProblems('b1', []);
      assert.equal((await store.listRowProblems('b1', { limit: 10, offset: 0 })).total, 0);
    }));
  });

  describe('side tables', () => {
    test('recordSourceHealth keeps the last health per profile; listSourceHealth', async () => withStore(open, async ({ store }) => {
      const ok = { profile: 'orders', connection: 'sftp://ferry@host:22', state: 'ok' as const, lastPollAt: 1000, lastOkAt: 1000, lastError: null, lastErrorAt: null, waiting: 2, pid: 42 };
      await store.recordSourceHealth(ok);
      await store.recordSourceHealth({ ...ok, profile: 'invoices', connection: 'local:/srv/in', waiting: 0 });
      const down = { ...ok, state: 'down' as const, lastPollAt: 2000, lastError: 'ECONNREFUSED', lastErrorAt: 2000, waiting: 0 };
      await store.recordSourceHealth(down);
      assert.deepEqual(await store.listSourceHealth(), [{ ...ok, profile: 'invoices', connection: 'local:/srv/in', waiting: 0 }, down]);
    }));

    test('saveSchedule, getSchedule and listSchedules', async () => withStore(open, async ({ store }) => {
      assert.equal(await store.getSchedule('orders'), undefined);
      const before = Date.now();
      await store.saveSchedule({ profile: 'orders', expression: '0 6 * * *', timeZone: 'Europe/Berlin', lastDue: 1000, nextDue: 2000 });
      await store.saveSchedule({ profile: 'invoices', expression: '*/5 * * * *', timeZone: 'UTC', lastDue: 500, nextDue: null });
      await store.saveSchedule({ profile: 'orders', expression: '0 7 * * *', timeZone: 'Europe/Berlin', lastDue: 3000, nextDue: 4000 });
      const s = await store.getSchedule('orders');
      assert.deepEqual({ ...s, updatedAt: 0 }, { profile: 'orders', expression: '0 7 * * *', timeZone: 'Europe/Berlin', lastDue: 3000, nextDue: 4000, updatedAt: 0 });
      assert.ok((s?.updatedAt ?? 0) >= before - 5);
      assert.deepEqual((await store.listSchedules()).map((x) => [x.profile, x.lastDue, x.nextDue]), [['invoices', 500, null], ['orders', 3000, 4000]]);
    }));

    test('claimScheduleFire is true only for a fire time later than the stored one, and saves it', async () => withStore(open, async ({ store }) => {
      const st = { profile: 'orders', expression: '0 6 * * *', timeZone: 'UTC', lastDue: 1000, nextDue: 2000 };
      assert.equal(await store.claimScheduleFire(st), true, 'no state yet');
      assert.equal(await store.claimScheduleFire(st), false, 'the same fire time again');
      assert.equal(await store.claimScheduleFire({ ...st, lastDue: 999 }), false, 'an earlier one');
      assert.equal((await store.getSchedule('orders'))?.lastDue, 1000);
      assert.equal(await store.claimScheduleFire({ ...st, lastDue: 2000, nextDue: 3000, expression: '0 7 * * *' }), true);
      const s = await store.getSchedule('orders');
      assert.deepEqual([s?.lastDue, s?.nextDue, s?.expression], [2000, 3000, '0 7 * * *']);
    }));

    test('concurrent claimScheduleFire of one fire time: exactly one is true', async () => withStore(open, async ({ store }) => {
      const st = { profile: 'orders', expression: '* * * * *', timeZone: 'UTC', lastDue: 60_000, nextDue: 120_000 };
      await store.saveSchedule({ ...st, lastDue: 0 });
      const got = await Promise.all(Array.from({ length: 6 }, () => store.claimScheduleFire(st)));
      assert.equal(got.filter((x) => x).length, 1);
    }));

    test('saveProfileProblems and listProfileProblems; an empty list clears', async () => withStore(open, async ({ store }) => {
      await store.saveProfileProblems('orders', ['orders.yaml:3 fields.qty.type: unknown type "int"']);
      await store.saveProfileProblems('invoices', ['a', 'b']);
      const first = await store.listProfileProblems();
      assert.deepEqual(first.map((p) => [p.profile, p.problems]), [['invoices', ['a', 'b']], ['orders', ['orders.yaml:3 fields.qty.type: unknown type "int"']]]);
      await sleep(3);
      await store.saveProfileProblems('orders', ['c']);
      const again = (await store.listProfileProblems()).find((p) => p.profile === 'orders');
      assert.deepEqual(again?.problems, ['c']);
      assert.equal(again?.since, first.find((p) => p.profile === 'orders')?.since, 'since stays when the problems change');
      await store.saveProfileProblems('orders', []);
      assert.deepEqual((await store.listProfileProblems()).map((p) => p.profile), ['invoices']);
    }));

    test('getArrivals and saveArrivals', async () => withStore(open, async ({ store }) => {
      assert.equal(await store.getArrivals('orders'), undefined);
      const a = { profile: 'orders', watchingSince: 1000, lastArrival: null, lastWarnedFor: null, lastMissingFor: null };
      await store.saveArrivals(a);
      assert.deepEqual(await store.getArrivals('orders'), a);
      const b = { ...a, lastArrival: 5000, lastWarnedFor: 4000, lastMissingFor: 4500 };
      await store.saveArrivals(b);
      assert.deepEqual(await store.getArrivals('orders'), b);
    }));

    test('addAlert writes its notifications with it; listAlerts is newest first, by profile, up to the limit', async () => withStore(open, async ({ store }) => {
      const before = Date.now();
      await store.addAlert({ profile: 'orders', kind: 'file.missing', message: 'no file by 06:00', batchId: null }, [note('n_missing', { event: 'file.missing' })]);
      await store.addAlert({ profile: 'invoices', kind: 'file.empty', message: 'empty', batchId: 'b1' });
      await store.addAlert({ profile: 'orders', kind: 'file.late', message: 'late', batchId: 'b2' });
      const all = await store.listAlerts({ limit: 10 });
      assert.deepEqual(all.map((a) => [a.profile, a.kind, a.batchId]), [['orders', 'file.late', 'b2'], ['invoices', 'file.empty', 'b1'], ['orders', 'file.missing', null]]);
      assert.ok(all.every((a) => a.at >= before - 5 && Number.isInteger(a.id)));
      assert.ok((all[0]?.id ?? 0) > (all[1]?.id ?? 0));
      assert.deepEqual((await store.listAlerts({ limit: 10, profile: 'orders' })).map((a) => a.kind), ['file.late', 'file.missing']);
      assert.equal((await store.listAlerts({ limit: 1 })).length, 1);
      assert.deepEqual((await store.listNotifications({ limit: 10 })).map((n) => [n.id, n.event]), [['n_missing', 'file.missing']]);
    }));

    test('ledgerCounts sums batches and rows by profile and status, alerts by kind and errors by code', async () => withStore(open, async ({ store }) => {
      const add = async (profile: string, patch: Parameters<typeof store.updateBatch>[1]): Promise<void> => {
        const b = await store.claimFile(newBatch({ profile }));
        assert.ok(b);
        await store.updateBatch(b.id, { state: 'done', ...patch });
      };
      await add('orders', { status: 'completed', rowsTotal: 10, rowsDelivered: 9, rowsSkipped: 1 });
      await add('orders', { status: 'completed', rowsTotal: 5, rowsDelivered: 5 });
      await add('orders', { status: 'partial', rowsTotal: 4, rowsDelivered: 2, rowsRejected: 1, rowsFailed: 1 });
      await add('orders', { status: 'failed', errorCode: 'E_CSV_HEADER' });
      await add('invoices', { status: 'failed', errorCode: 'E_CSV_HEADER' });
      await add('invoices', { status: 'failed', errorCode: 'E_TARGET_UNAVAILABLE' });
      await store.addAlert({ profile: 'orders', kind: 'file.late', message: 'x', batchId: null });
      await store.addAlert({ profile: 'orders', kind: 'file.late', message: 'y', batchId: null });
      await store.addAlert({ profile: 'invoices', kind: 'file.missing', message: 'z', batchId: null });
      const c = await store.ledgerCounts();
      assert.deepEqual(c.batches, [
        { profile: 'invoices', status: 'failed', count: 2, rowsTotal: 0, rowsDelivered: 0, rowsRejected: 0, rowsFailed: 0, rowsSkipped: 0 },
        { profile: 'orders', status: 'completed', count: 2, rowsTotal: 15, rowsDelivered: 14, rowsRejected: 0, rowsFailed: 0, rowsSkipped: 1 },
        { profile: 'orders', status: 'failed', count: 1, rowsTotal: 0, rowsDelivered: 0, rowsRejected: 0, rowsFailed: 0, rowsSkipped: 0 },
        { profile: 'orders', status: 'partial', count: 1, rowsTotal: 4, rowsDelivered: 2, rowsRejected: 1, rowsFailed: 1, rowsSkipped: 0 },
      ]);
      assert.deepEqual(c.alerts, [{ profile: 'invoices', kind: 'file.missing', count: 1 }, { profile: 'orders', kind: 'file.late', count: 2 }]);
      assert.deepEqual(c.errors, [
        { profile: 'invoices', code: 'E_CSV_HEADER', count: 1 }, { profile: 'invoices', code: 'E_TARGET_UNAVAILABLE', count: 1 }, { profile: 'orders', code: 'E_CSV_HEADER', count: 1 },
      ]);
    }));
  });
}
