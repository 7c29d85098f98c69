import type pg from 'pg';

import type { Queryable } from './types.js';

/**
 * Runs `work` in one transaction on a client of the pool: BEGIN, COMMIT, ROLLBACK when `work`
 * throws. A client whose ROLLBACK fails is broken (the connection dropped): it is destroyed,
 * not put back into the pool.
 */
export async function inPgTransaction<T>(pool: pg.Pool, work: (client: Queryable) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}
