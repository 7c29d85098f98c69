import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { FerryError, InputError } from '../../src/errors.js';
import { LATEST_VERSION } from '../../src/store/pg/pg-migrate.js';
import { PgStore } from '../../src/store/pg/pg-store.js';
import { parsePgUrl } from '../../src/store/pg/pg-url.js';
import { adminQuery, dropSchema, freshSchema, PG_TEST_URL, pgUnavailable, schemaUrl } from './pg-test-database.js';

const unavailable = await pgUnavailable();
const LEASE = { exclusive: false, leaseMs: 30_000 };

describe('PostgreSQL store URLs', () => {
  it('takes ?schema= out of the URL and into the session\'s search_path, beside the URL\'s own options', () => {
    assert.deepEqual(parsePgUrl('postgres://u:pw@db:5432/ferry?schema=ferry_a&sslmode=require'), {
      connectionString: 'postgres://u:pw@db:5432/ferry?sslmode=require', options: '-c search_path=ferry_a', schema: 'ferry_a', shown: 'postgres://u:***@db:5432/ferry?schema=ferry_a&sslmode=require',
    });
    assert.equal(parsePgUrl('postgres://db/ferry?options=-c%20statement_timeout%3D5000&schema=s1').options, '-c statement_timeout=5000 -c search_path=s1');
    assert.deepEqual(parsePgUrl('postgresql://db/ferry'), { connectionString: 'postgresql://db/ferry', options: undefined, schema: undefined, shown: 'postgresql://db/ferry' });
    assert.equal(parsePgUrl('postgres://user@/ferry?host=/run/postgresql&schema=s1').connectionString, 'postgres://user@/ferry?host=%2Frun%2Fpostgresql');
    assert.equal(parsePgUrl('postgres://db/ferry', true).options, '-c default_transaction_read_only=on');
  });

  it('refuses a schema name that would need quoting', () => {
    for (const bad of ['Ferry', 'a-b', '1abc', 'x;drop', 'a'.repeat(64)]) {
      assert.throws(() => parsePgUrl(`postgres://db/ferry?schema=${encodeURIComponent(bad)}`), (err: unknown) => err instanceof InputError && err.code === 'E_USAGE', bad);
    }
  });
});

describe('opening a PostgreSQL store', { skip: unavailable }, () => {
  const schemas: string[] = [];
  const schema = (): string => {
    const s = freshSchema('ferry_open');
    schemas.push(s);
    return s;
  };
  after(async () => {
    for (const s of schemas) await dropSchema(s);
  });

  it('creates the schema and migrates once when several instances start at the same time', async () => {
    const s = schema();
    const stores = await Promise.all(Array.from({ length: 6 }, () => PgStore.open(schemaUrl(s), { ...LEASE, exclusive: true })));
    try {
      const applied = await adminQuery<{ version: number }>(`SELECT version FROM ${s}.ferry_migrations ORDER BY version`);
      assert.deepEqual(applied.map((r) => r.version), Array.from({ length: LATEST_VERSION }, (_, i) => i + 1));
      assert.equal((await stores[0]?.listInstances())?.length, 6, 'each registered as an instance; none was locked out');
    } finally {
      await Promise.all(stores.map((st) => st.close()));
    }
    const before = await adminQuery<{ applied_at: Date }>(`SELECT applied_at FROM ${s}.ferry_migrations`);
    await (await PgStore.open(schemaUrl(s), LEASE)).close();
    assert.deepEqual(await adminQuery<{ applied_at: Date }>(`SELECT applied_at FROM ${s}.ferry_migrations`), before, 'a later start applies nothing');
  });

  it('keeps two schemas of one database apart', async () => {
    const [s1, s2] = [schema(), schema()];
    const a = await PgStore.open(schemaUrl(s1), LEASE);
    const b = await PgStore.open(schemaUrl(s2), LEASE);
    try {
      await a.createRun({ id: 'r1', profile: 'orders', trigger: 'manual' });
      assert.equal(await b.getRun('r1'), undefined);
      assert.equal((await a.getRun('r1'))?.id, 'r1');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('uses the search_path of options=-c search_path=… when the URL has no ?schema=', async () => {
    const s = schema();
    await adminQuery(`CREATE SCHEMA ${s}`);
    const store = await PgStore.open(`${PG_TEST_URL}?options=${encodeURIComponent(`-c search_path=${s}`)}`, LEASE);
    await store.close();
    assert.equal((await adminQuery<{ n: number }>(`SELECT count(*)::int AS n FROM ${s}.ferry_migrations`))[0]?.n, LATEST_VERSION);
  });

  it('refuses a schema migrated by a newer ferry', async () => {
    const s = schema();
    await (await PgStore.open(schemaUrl(s), LEASE)).close();
    await adminQuery(`INSERT INTO ${s}.ferry_migrations (version) VALUES (${LATEST_VERSION + 1})`);
    await assert.rejects(PgStore.open(schemaUrl(s), LEASE), (err: unknown) => err instanceof FerryError && err.code === 'E_STORE' && /newer than this ferry knows/.test(err.message));
  });

  it('opens read-only without migrating: a missing ledger is named, writes are refused', async () => {
    const s = schema();
    await assert.rejects(PgStore.open(schemaUrl(s), { ...LEASE, readonly: true }), (err: unknown) => err instanceof FerryError && /no ferry ledger at .* yet/.test(err.message));
    assert.deepEqual(await adminQuery(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [s]), [], 'nothing was created');
    await (await PgStore.open(schemaUrl(s), LEASE)).close();
    const reader = await PgStore.open(schemaUrl(s), { ...LEASE, readonly: true });
    try {
      assert.deepEqual(await reader.listRuns({ limit: 5 }), []);
      await assert.rejects(reader.createRun({ id: 'r1', profile: 'orders', trigger: 'manual' }), /read-only transaction/);
    } finally {
      await reader.close();
    }
  });

  it('never shows the password of the URL in its errors', async () => {
    const url = 'postgres://postgres:s3cret-pw@127.0.0.1:1/test?schema=nowhere';
    await assert.rejects(PgStore.open(url, LEASE), (err: unknown) => {
      assert.ok(err instanceof FerryError);
      assert.equal(err.code, 'E_STORE');
      assert.doesNotMatch(err.message, /s3cret/);
      assert.match(err.message, /postgres:\*\*\*@127\.0\.0\.1:1/);
      return true;
    });
  });
});
