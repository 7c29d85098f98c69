import { PgStore } from '../../src/store/pg/pg-store.js';
import { DEFAULT_LEASE_MS } from '../../src/store/instance-id.js';
import type { StateStore } from '../../src/store/types.js';
import { dropSchema, freshSchema, pgUnavailable, schemaUrl } from './pg-test-database.js';
import { describeStateStore } from './state-store-contract.js';

const unavailable = await pgUnavailable();
if (unavailable !== undefined) console.log(`# skipping the PostgreSQL contract tests: ${unavailable}`);

// each test gets its own schema in the test database, dropped after it
describeStateStore('PostgreSQL', async (options = {}) => {
  const schema = freshSchema();
  const url = schemaUrl(schema);
  const opened: StateStore[] = [];
  const openOne = async (leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS): Promise<StateStore> => {
    const store = await PgStore.open(url, { exclusive: true, leaseMs });
    opened.push(store);
    return store;
  };
  const store = await openOne();
  return {
    store,
    reopen: (o = {}) => openOne(o.leaseMs),
    cleanup: async () => {
      await Promise.all(opened.map((s) => s.close()));
      await dropSchema(schema);
    },
  };
}, { shared: true, skip: unavailable });
