/**
 * The database's clock in ms since the epoch. Leases and heartbeats are stamped with it, never
 * with a client's clock: instances on machines whose clocks disagree still agree on whose lease
 * ran out.
 */
export const DB_NOW_MS = '(floor(extract(epoch from now()) * 1000))::bigint';

/**
 * Selects the batches a data-modifying CTE named `t` returned, as `batch_view` shows them (with
 * the profile's version number), so a claim or a take-over is one statement.
 */
export function selectBatchesFrom(cte: string, orderBy = 't.created_at, t.id'): string {
  return `WITH t AS (${cte}) SELECT t.*, v.version AS profile_version_number FROM t
    LEFT JOIN profile_versions v ON v.profile = t.profile AND v.content_hash = t.profile_version ORDER BY ${orderBy}`;
}
