import { randomBytes } from 'node:crypto';

import pg from 'pg';

/** The test database (trust auth); FERRY_TEST_PG_URL points elsewhere. */
export const PG_TEST_URL = process.env.FERRY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Says why PostgreSQL tests cannot run here, or undefined when the test database answers. */
export async function pgUnavailable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG_TEST_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return `no PostgreSQL at ${PG_TEST_URL} (${err instanceof Error ? err.message : String(err)}); set FERRY_TEST_PG_URL`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A schema name no other test uses; the store creates it at open. */
export function freshSchema(prefix = 'ferry_test'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** The test database's URL with `?schema=` (added to any query the URL has). */
export function schemaUrl(schema: string): string {
  return `${PG_TEST_URL}${PG_TEST_URL.includes('?') ? '&' : '?'}schema=${schema}`;
}

/** Runs SQL on the test database outside any store (set-up and clean-up). */
export async function adminQuery<R extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: PG_TEST_URL });
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** Drops a test schema with everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
}
