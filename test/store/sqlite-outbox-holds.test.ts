import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { SqliteStore } from '../../src/store/sqlite-store.js';
import { note } from './contract-fixtures.js';

// SQLite only: one process holds the store, so at its exclusive open every held notification is a
// dead sender's. (On PostgreSQL a hold may be a live instance's and runs out after a minute.)
describe('SQLite outbox: holds of a killed sender', () => {
  it('an exclusive open puts first attempts a dead sender held back in line; held retries and a shared open leave them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-holds-'));
    const path = join(dir, 'ferry.db');
    try {
      const first = SqliteStore.open(path, { exclusive: true });
      await first.createRun({ id: 'r1', profile: 'orders', trigger: 'manual' });
      await first.finishRun('r1', 'completed', { notifications: [note('fresh'), note('retry')] });
      const now = Date.now();
      assert.deepEqual((await first.dueNotifications(now, 10)).map((n) => n.id).sort(), ['fresh', 'retry']);
      await first.settleNotification('retry', { state: 'pending', nextAttemptAt: now, lastError: 'HTTP 503' });
      assert.deepEqual((await first.dueNotifications(now, 10)).map((n) => n.id), ['retry'], 'the retry taken out again');
      await first.close();

      const shared = SqliteStore.open(path, { exclusive: false });
      assert.deepEqual(await shared.dueNotifications(Date.now(), 10), [], 'a shared open releases nothing');
      await shared.close();

      const next = SqliteStore.open(path, { exclusive: true });
      const due = await next.dueNotifications(Date.now(), 10);
      assert.deepEqual(due.map((n) => [n.id, n.attempts]), [['fresh', 0]], 'the first attempt is due again; the retry keeps its hold');
      await next.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
