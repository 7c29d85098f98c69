import assert from 'node:assert/strict';
import { describe } from 'node:test';

import { newBatch, note, sleep, withStore } from './contract-fixtures.js';
import type { ContractContext } from './types.js';

/** Runs, claims, batches and chunks. */
export function describeLedgerContract({ open, test, kind }: ContractContext): void {
  describe('runs', () => {
    test('createRun and getRun keep trigger and parameters; finishRun sets status and finish time', async () => withStore(open, async ({ store }) => {
      const before = Date.now();
      await store.createRun({ id: 'r1', profile: 'orders', trigger: 'manual', params: { day: '2026-03-02' } });
      await store.createRun({ id: 'r2', profile: 'orders', trigger: 'watch' });
      const r1 = await store.getRun('r1');
      assert.deepEqual({ ...r1, startedAt: 0 }, { id: 'r1', profile: 'orders', trigger: 'manual', status: 'running', startedAt: 0, finishedAt: null, params: { day: '2026-03-02' } });
      assert.ok((r1?.startedAt ?? 0) >= before - 5);
      assert.deepEqual((await store.getRun('r2'))?.params, {});
      await store.finishRun('r1', 'partial');
      const done = await store.getRun('r1');
      assert.equal(done?.status, 'partial');
      assert.ok(done.finishedAt !== null && done.finishedAt >= done.startedAt);
      assert.equal(await store.getRun('nope'), undefined);
    }));

    test('listRuns is newest first, filtered by profile and status, up to the limit', async () => withStore(open, async ({ store }) => {
      for (const [id, profile] of [['r1', 'orders'], ['r2', 'invoices'], ['r3', 'orders'], ['r4', 'orders']] as const) {
        await store.createRun({ id, profile, trigger: 'manual' });
        await sleep(3);
      }
      await store.finishRun('r3', 'completed');
      assert.deepEqual((await store.listRuns({ limit: 10 })).map((r) => r.id), ['r4', 'r3', 'r2', 'r1']);
      assert.deepEqual((await store.listRuns({ limit: 2 })).map((r) => r.id), ['r4', 'r3']);
      assert.deepEqual((await store.listRuns({ limit: 10, profile: 'orders' })).map((r) => r.id), ['r4', 'r3', 'r1']);
      assert.deepEqual((await store.listRuns({ limit: 10, profile: 'orders', status: 'running' })).map((r) => r.id), ['r4', 'r1']);
      assert.deepEqual((await store.listRuns({ limit: 10, status: 'completed' })).map((r) => r.id), ['r3']);
    }));

    test('runTotals sums the batches and rows of each asked-for run that has batches, in one call', async () => withStore(open, async ({ store }) => {
      for (const id of ['r1', 'r2', 'r3']) await store.createRun({ id, profile: 'orders', trigger: 'manual' });
      const counts = [[25, 20, 2, 1, 2], [10, 10, 0, 0, 0], [7, 0, 7, 0, 0]] as const;
      for (const [i, [total, delivered, rejected, failed, skipped]] of counts.entries()) {
        const b = await store.createBatch(newBatch({ runId: i < 2 ? 'r1' : 'r2' }));
        await store.updateBatch(b.id, { rowsTotal: total, rowsDelivered: delivered, rowsRejected: rejected, rowsFailed: failed, rowsSkipped: skipped });
      }
      const totals = await store.runTotals(['r1', 'r2', 'r3', 'nope']);
      assert.deepEqual(Object.fromEntries(totals), {
        r1: { batches: 2, rowsTotal: 35, rowsDelivered: 30, rowsRejected: 2, rowsFailed: 1, rowsSkipped: 2 },
        r2: { batches: 1, rowsTotal: 7, rowsDelivered: 0, rowsRejected: 7, rowsFailed: 0, rowsSkipped: 0 },
      });
      assert.equal((await store.runTotals([])).size, 0);
    }));

    test('finishRun saves the watermark and the notifications with the run', async () => withStore(open, async ({ store }) => {
      await store.createRun({ id: 'r1', profile: 'export', trigger: 'schedule' });
      assert.equal(await store.getWatermark('export'), undefined);
      await store.finishRun('r1', 'completed', { watermark: { profile: 'export', value: '2026-03-02T00:00:00Z' }, notifications: [note('n1'), note('n2')] });
      assert.equal(await store.getWatermark('export'), '2026-03-02T00:00:00Z');
      await store.createRun({ id: 'r2', profile: 'export', trigger: 'schedule' });
      await store.finishRun('r2', 'completed', { watermark: { profile: 'export', value: '2026-03-03T00:00:00Z' } });
      assert.equal(await store.getWatermark('export'), '2026-03-03T00:00:00Z');
      assert.deepEqual((await store.listNotifications({ limit: 10 })).map((n) => n.id).sort(), ['n1', 'n2']);
    }));
  });

  describe('claims and batches', () => {
    test('claimFile leases a new batch to this instance; a second claim of the same listing identity returns undefined', async () => withStore(open, async ({ store }) => {
      const before = Date.now();
      const nb = newBatch({ contentHash: 'c1', sourceKind: 'remote' });
      const b = await store.claimFile(nb);
      assert.ok(b);
      assert.equal(b.id, nb.id);
      assert.equal(b.state, 'claimed');
      assert.equal(b.status, 'running');
      assert.equal(b.sourceKind, 'remote');
      assert.equal(b.sourceSize, nb.sourceSize);
      assert.equal(b.sourceMtimeMs, nb.sourceMtimeMs);
      assert.equal(b.contentHash, 'c1');
      assert.equal(b.owner, store.instanceId);
      assert.ok(b.leaseUntil !== null && b.leaseUntil > before, 'leased into the future');
      assert.equal(b.reprocessOf, null);
      assert.equal(b.profileVersionNumber, null);
      assert.deepEqual([b.rowsTotal, b.rowsDelivered, b.rowsRejected, b.rowsFailed, b.rowsSkipped, b.chunks], [0, 0, 0, 0, 0, 0]);
      assert.equal(await store.claimFile({ ...nb, id: 'b_again' }), undefined);
      assert.equal(await store.getBatch('b_again'), undefined);
    }));

    test('another size, mtime, path or profile is another listing identity', async () => withStore(open, async ({ store }) => {
      const nb = newBatch();
      assert.ok(await store.claimFile(nb));
      assert.ok(await store.claimFile({ ...nb, id: 'b_size', sourceSize: nb.sourceSize + 1 }));
      assert.ok(await store.claimFile({ ...nb, id: 'b_mtime', sourceMtimeMs: nb.sourceMtimeMs + 1 }));
      assert.ok(await store.claimFile({ ...nb, id: 'b_path', sourcePath: `${nb.sourcePath}.2` }));
      assert.ok(await store.claimFile({ ...nb, id: 'b_profile', profile: 'invoices' }));
    }));

    test('createBatch skips the listing check (reprocess, explicit files); a later claim still sees the identity', async () => withStore(open, async ({ store }) => {
      const nb = newBatch();
      const first = await store.claimFile(nb);
      assert.ok(first);
      const again = await store.createBatch({ ...nb, id: 'b_reprocess', reprocessOf: first.id });
      assert.equal(again.reprocessOf, first.id);
      assert.equal(again.owner, store.instanceId);
      assert.equal(await store.claimFile({ ...nb, id: 'b_claim' }), undefined);
      const explicit = newBatch();
      assert.ok(await store.createBatch({ ...explicit, reprocessOf: null }));
      assert.ok(await store.createBatch({ ...explicit, id: 'b_explicit_2', reprocessOf: null }), 'the same file given twice makes two batches');
      assert.equal(await store.claimFile({ ...explicit, id: 'b_listed' }), undefined, 'a listing of a file run explicitly is known');
    }));

    test('concurrent claims of one listing identity: exactly one wins', async () => withStore(open, async ({ store }) => {
      const nb = newBatch();
      const got = await Promise.all(Array.from({ length: 8 }, (_, i) => store.claimFile({ ...nb, id: `b_race_${i}` })));
      assert.equal(got.filter((b) => b !== undefined).length, 1);
      assert.equal((await store.listBatches({ limit: 20 })).length, 1);
    }));

    test('updateBatch changes the patched fields and updatedAt; an unknown batch is an error', async () => withStore(open, async ({ store }) => {
      const b = await store.claimFile(newBatch());
      assert.ok(b);
      await sleep(5);
      const u = await store.updateBatch(b.id, { state: 'parsed', rowsTotal: 25, rowsRejected: 2, chunks: 3, contentHash: 'c9', resultFile: '/out/r.csv', errorCode: null });
      assert.deepEqual([u.state, u.rowsTotal, u.rowsRejected, u.chunks, u.contentHash, u.resultFile, u.status], ['parsed', 25, 2, 3, 'c9', '/out/r.csv', 'running']);
      assert.ok(u.updatedAt > b.updatedAt);
      assert.equal(u.createdAt, b.createdAt);
      const f = await store.updateBatch(b.id, { state: 'done', status: 'failed', errorCode: 'E_CSV_HEADER', errorMessage: 'no header' });
      assert.deepEqual([f.state, f.status, f.errorCode, f.errorMessage, f.rowsTotal], ['done', 'failed', 'E_CSV_HEADER', 'no header', 25]);
      assert.deepEqual(await store.getBatch(b.id), f);
      await assert.rejects(store.updateBatch('b_unknown', { state: 'done' }));
    }));

    test('updateBatch writes its notifications in the same transaction: none when the update fails', async () => withStore(open, async ({ store }) => {
      const b = await store.claimFile(newBatch());
      assert.ok(b);
      await store.updateBatch(b.id, { state: 'done', status: 'completed' }, [note('n_ok', { batchId: b.id })]);
      await assert.rejects(store.updateBatch('b_unknown', { state: 'done' }, [note('n_lost')]));
      const all = await store.listNotifications({ limit: 10 });
      assert.deepEqual(all.map((n) => [n.id, n.state, n.batchId]), [['n_ok', 'pending', b.id]]);
    }));

    test('getBatch, findProcessedContent and listUnfinished', async () => withStore(open, async ({ store }) => {
      assert.equal(await store.getBatch('b_unknown'), undefined);
      const a = await store.claimFile(newBatch({ contentHash: 'same' }));
      await sleep(3);
      const b = await store.claimFile(newBatch({ contentHash: 'same' }));
      await sleep(3);
      const c = await store.claimFile(newBatch({ contentHash: 'same', profile: 'invoices' }));
      assert.ok(a && b && c);
      assert.equal(await store.findProcessedContent('orders', 'same', b.id), undefined, 'running batches have processed nothing yet');
      await store.updateBatch(a.id, { state: 'done', status: 'failed' });
      assert.equal(await store.findProcessedContent('orders', 'same', b.id), undefined, 'a failed batch does not count');
      await store.updateBatch(a.id, { state: 'done', status: 'partial' });
      assert.equal((await store.findProcessedContent('orders', 'same', b.id))?.id, a.id);
      assert.equal(await store.findProcessedContent('orders', 'same', a.id), undefined, 'not the batch itself');
      assert.equal(await store.findProcessedContent('invoices', 'same', c.id), undefined, 'per profile');
      assert.deepEqual((await store.listUnfinished()).map((x) => x.id), [b.id, c.id]);
    }));

    test('findEarlierContent: the processed batch first, else the earliest one still delivering the content', async () => withStore(open, async ({ store }) => {
      const earlier = async (hash: string, except: string, profile = 'orders'): Promise<[string, boolean] | undefined> => {
        const found = await store.findEarlierContent(profile, hash, except);
        return found === undefined ? undefined : [found.batch.id, found.inFlight];
      };
      const a = await store.claimFile(newBatch({ contentHash: 'same' }));
      await sleep(3);
      const b = await store.claimFile(newBatch({ contentHash: 'same' }));
      await sleep(3);
      const c = await store.claimFile(newBatch({ contentHash: 'same' }));
      const other = await store.claimFile(newBatch({ contentHash: 'same', profile: 'invoices' }));
      assert.ok(a && b && c && other);
      assert.deepEqual(await earlier('same', c.id), [a.id, true], 'the earliest running batch');
      assert.equal(await earlier('same', other.id, 'invoices'), undefined, 'per profile');
      assert.equal(await earlier('other', c.id), undefined, 'per content');
      await store.updateBatch(a.id, { errorCode: 'E_DISK_FULL' });
      assert.deepEqual(await earlier('same', c.id), [b.id, true], 'a batch with an error does not count');
      await store.updateBatch(b.id, { status: 'skipped' });
      assert.equal(await earlier('same', c.id), undefined, 'nor a skipped one');
      await store.updateBatch(a.id, { errorCode: null });
      assert.deepEqual(await earlier('same', a.id), [c.id, true], 'not the batch itself');
      await store.updateBatch(c.id, { state: 'done', status: 'failed' });
      assert.equal(await earlier('same', a.id), undefined, 'a finished failed batch does not count');
      const again = await store.createBatch(newBatch({ contentHash: 'same', reprocessOf: a.id }));
      assert.equal(await earlier('same', a.id), undefined, 'nor a reprocess');
      await store.updateBatch(c.id, { status: 'completed' });
      assert.deepEqual(await earlier('same', again.id), [c.id, false], 'a processed batch comes before an earlier running one');
      await store.updateBatch(b.id, { state: 'done', status: 'partial' });
      assert.deepEqual(await earlier('same', a.id), [b.id, false], 'the earliest processed batch');
    }));

    test('listBatches is newest first and filters by profile, run, status and since', async () => withStore(open, async ({ store }) => {
      const ids: string[] = [];
      for (const [profile, runId] of [['orders', 'r1'], ['invoices', 'r1'], ['orders', 'r2'], ['orders', 'r2']] as const) {
        const b = await store.claimFile(newBatch({ profile, runId }));
        assert.ok(b);
        ids.push(b.id);
        await sleep(3);
      }
      const [b1, b2, b3, b4] = ids;
      await store.updateBatch(b3 ?? '', { state: 'done', status: 'completed' });
      const since = (await store.getBatch(b3 ?? ''))?.updatedAt ?? 0;
      assert.deepEqual((await store.listBatches({ limit: 10 })).map((b) => b.id), [b4, b3, b2, b1]);
      assert.deepEqual((await store.listBatches({ limit: 2 })).map((b) => b.id), [b4, b3]);
      assert.deepEqual((await store.listBatches({ limit: 10, profile: 'orders' })).map((b) => b.id), [b4, b3, b1]);
      assert.deepEqual((await store.listBatches({ limit: 10, runId: 'r1' })).map((b) => b.id), [b2, b1]);
      assert.deepEqual((await store.listBatches({ limit: 10, status: 'completed' })).map((b) => b.id), [b3]);
      assert.deepEqual((await store.listBatches({ limit: 10, since })).map((b) => b.id), [b3]);
      assert.deepEqual((await store.listBatches({ limit: 10, profile: 'orders', runId: 'r2', status: 'running' })).map((b) => b.id), [b4]);
    }));

    test('batches show the version number of their profile content', async () => withStore(open, async ({ store }) => {
      const early = await store.claimFile(newBatch({ profileVersion: 'hash-b' }));
      assert.equal(early?.profileVersionNumber, null, 'not registered yet');
      await store.profileVersion('orders', 'hash-a', 'a: 1');
      await store.profileVersion('orders', 'hash-b', 'b: 1');
      await store.profileVersion('invoices', 'hash-b', 'b: 1');
      assert.equal((await store.getBatch(early?.id ?? ''))?.profileVersionNumber, 2);
      assert.equal((await store.claimFile(newBatch({ profileVersion: 'hash-a' })))?.profileVersionNumber, 1);
      assert.equal((await store.listBatches({ limit: 1 }))[0]?.profileVersionNumber, 1);
    }));

    test('the rows claimFile, createBatch and updateBatch return are the rows getBatch reads, version number included', async () => withStore(open, async ({ store }) => {
      await store.profileVersion('orders', 'hash-a', 'a: 1');
      const claimed = await store.claimFile(newBatch({ profileVersion: 'hash-a' }));
      assert.ok(claimed);
      assert.equal(claimed.profileVersionNumber, 1);
      assert.deepEqual(await store.getBatch(claimed.id), claimed);
      const created = await store.createBatch(newBatch({ profileVersion: 'hash-a', sourceKind: 'remote', reprocessOf: claimed.id }));
      assert.deepEqual(await store.getBatch(created.id), created);
      const patches = [
        { contentHash: 'c1', state: 'staged' }, { state: 'delivering', rowsTotal: 10, rowsRejected: 1, rowsSkipped: 2, chunks: 1 },
        { state: 'reported', resultFile: '/out/r.csv', rowsDelivered: 7, rowsFailed: 0, status: 'partial' }, { state: 'done' },
      ] as const;
      for (const patch of patches) assert.deepEqual(await store.updateBatch(claimed.id, patch), await store.getBatch(claimed.id));
    }));

    test('claimContent stages the first batch of a content with its notifications, and tells a later one which batch has it', async () => withStore(open, async ({ store }) => {
      const a = await store.claimFile(newBatch());
      await sleep(3);
      const b = await store.claimFile(newBatch());
      assert.ok(a && b);
      const decide = (earlier: unknown) => (earlier === undefined ? { patch: { contentHash: 'same', state: 'staged' }, notifications: [note('n-a', { batchId: a.id })] } as const : { patch: { contentHash: 'same', state: 'reported', status: 'skipped' } } as const);
      const first = await store.claimContent(a.id, 'orders', 'same', decide);
      assert.equal(first.earlier, undefined);
      assert.deepEqual(first.batch, await store.getBatch(a.id));
      assert.equal(first.batch.state, 'staged');
      assert.deepEqual((await store.listNotifications({ limit: 10 })).map((n) => n.id), ['n-a'], 'the notification committed with the claim');
      const second = await store.claimContent(b.id, 'orders', 'same', (earlier) => ({ patch: { contentHash: 'same', state: 'reported', status: 'skipped', errorMessage: `as ${earlier?.batch.id ?? '-'}` } }));
      assert.deepEqual([second.earlier?.batch.id, second.earlier?.inFlight], [a.id, true]);
      assert.deepEqual([second.batch.state, second.batch.status, second.batch.errorMessage], ['reported', 'skipped', `as ${a.id}`]);
      assert.equal(second.batch.contentHash, 'same');
    }));

    test('claimContent of two copies at once from two instances: each content goes to exactly one batch', async () => withStore(open, async ({ store, reopen }) => {
      // SQLite serves one process: the second "instance" is the same store, claiming concurrently
      const other = kind.shared ? await reopen() : store;
      const pairs = 12;
      const copies = await Promise.all(Array.from({ length: pairs * 2 }, () => store.claimFile(newBatch())));
      const claims = copies.map((batch, i) => {
        assert.ok(batch);
        const hash = `content-${Math.floor(i / 2)}`;
        return (i % 2 === 0 ? store : other).claimContent(batch.id, 'orders', hash, (earlier) => (earlier === undefined
          ? { patch: { contentHash: hash, state: 'staged' } }
          : { patch: { contentHash: hash, state: 'reported', status: 'skipped' } }));
      });
      const outcomes = await Promise.all(claims);
      for (let p = 0; p < pairs; p++) {
        const pair = [outcomes[p * 2], outcomes[p * 2 + 1]];
        assert.deepEqual(pair.map((o) => o?.batch.state).sort(), ['reported', 'staged'], `content-${p}: one copy staged, the other skipped`);
        const skipped = pair.find((o) => o?.batch.state === 'reported');
        const kept = pair.find((o) => o?.batch.state === 'staged');
        assert.equal(skipped?.earlier?.batch.id, kept?.batch.id, 'the skipped copy names the one that has the content');
      }
    }));
  });

  describe('chunks', () => {
    test('saveChunk records outcomes by position; saving a seq again replaces it', async () => withStore(open, async ({ store }) => {
      const b = await store.claimFile(newBatch());
      assert.ok(b);
      assert.deepEqual(await store.listChunks(b.id), []);
      await store.saveChunk(b.id, { seq: 2, key: 'k2', count: 3, ids: [null, null, null], errors: [null, 'qty: too big', null] });
      await store.saveChunk(b.id, { seq: 0, key: 'k0', count: 2, ids: ['t1', null], errors: [null, null] });
      await store.saveChunk(b.id, { seq: 1, key: 'k1', count: 1, ids: [null], errors: ['HTTP 500'] });
      await store.saveChunk(b.id, { seq: 1, key: 'k1', count: 1, ids: ['t9'], errors: [null] });
      assert.deepEqual(await store.listChunkSeqs(b.id), [0, 1, 2]);
      assert.deepEqual(await store.listChunks(b.id), [
        { seq: 0, key: 'k0', count: 2, ids: ['t1', null], errors: [null, null] },
        { seq: 1, key: 'k1', count: 1, ids: ['t9'], errors: [null] },
        { seq: 2, key: 'k2', count: 3, ids: [null, null, null], errors: [null, 'qty: too big', null] },
      ]);
      assert.deepEqual(await store.getChunk(b.id, 2), { seq: 2, key: 'k2', count: 3, ids: [null, null, null], errors: [null, 'qty: too big', null] });
      assert.equal(await store.getChunk(b.id, 7), undefined);
      assert.deepEqual(await store.listChunkSeqs('b_other'), []);
    }));
  });
}
