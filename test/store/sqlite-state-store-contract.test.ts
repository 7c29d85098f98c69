import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DEFAULT_LEASE_MS } from '../../src/store/instance-id.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { StateStore } from '../../src/store/types.js';
import { describeStateStore } from './state-store-contract.js';

// each test gets its own ledger file in a temp folder, removed after it
describeStateStore('SQLite', async (options = {}) => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-store-'));
  const path = join(dir, 'ferry.db');
  const opened: StateStore[] = [];
  const openOne = async (leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS): Promise<StateStore> => {
    const store = SqliteStore.open(path, { exclusive: true, leaseMs });
    opened.push(store);
    return store;
  };
  const store = await openOne();
  return {
    store,
    reopen: (o = {}) => openOne(o.leaseMs),
    cleanup: async () => {
      for (const s of opened) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}, {
  shared: false,
});
