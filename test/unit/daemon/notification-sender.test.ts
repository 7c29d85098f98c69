import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { startWebhookReceiver } from '../../support/webhook-receiver.js';
import { note } from '../../store/contract-fixtures.js';

// A retry due again within one pass of the sender must not be held without being tried. Found by
// the soak test: such a notification sat for NOTIFICATION_HOLD_MS (60 s) before its next attempt.
process.env.FERRY_NOTIFY_BASE_DELAY = '1';
process.env.FERRY_NOTIFY_MAX_DELAY = '1';
const { NotificationSender } = await import('../../../src/daemon/notification-sender.js');
const { createLogger } = await import('../../../src/log.js');

describe('NotificationSender.sendDue', () => {
  it('does not hold a notification whose retry fell due during the same pass', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-sender-'));
    const store = SqliteStore.open(join(dir, 'ferry.db'), { exclusive: true });
    // the first attempt fails at once; the second notification keeps the pass busy for a while
    const receiver = await startWebhookReceiver('s3cret');
    receiver.script((n) => (n === 0 ? 500 : 200));
    const slow = await startWebhookReceiver('s3cret');
    slow.script(() => 'hang');
    try {
      await store.addAlert({ profile: 'orders', kind: 'file.late', message: 'late', batchId: null }, [
        note('first', { url: receiver.url }),
        note('second', { url: slow.url }),
      ]);
      const sender = new NotificationSender(store, () => ({ secret: 's3cret', allowPrivate: true, timeoutMs: 500 }), createLogger('silent'));
      const passStart = Date.now();
      await sender.sendDue();
      const first = (await store.listNotifications({ limit: 10 })).find((n) => n.id === 'first');
      assert.ok(first !== undefined);
      const tried = first.state === 'delivered' || first.nextAttemptAt < passStart + 5_000;
      assert.ok(tried, `the failed notification is due again soon (state ${first.state}, next attempt in ${first.nextAttemptAt - Date.now()} ms), not held for a minute`);
    } finally {
      await receiver.close();
      await slow.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
