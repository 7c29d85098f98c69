import type pg from 'pg';

/** How `PgStore.open` is asked to open a store (see openStore). */
export interface PgOpenOptions {
  /** register this process as an instance (the daemon, `ferry run`); not a lock: many may */
  readonly exclusive: boolean;
  /** read without writing and without migrating (status) */
  readonly readonly?: boolean;
  /** how long a lease on a batch, and a heartbeat, hold (ms) */
  readonly leaseMs: number;
  /** an instance id to use instead of a new one (tests) */
  readonly instanceId?: string;
}

/** What a store URL names once ferry's own parameters are taken out of it. */
export interface PgTarget {
  /** the URL pg connects with, without `schema` and `options` */
  readonly connectionString: string;
  /** the session's startup options: the URL's own, the schema's search_path, read-only */
  readonly options: string | undefined;
  /** the schema the ledger lives in, from `?schema=`; undefined: the server's search_path */
  readonly schema: string | undefined;
  /** the URL with its password masked, for messages */
  readonly shown: string;
}

/** A pool or a client inside a transaction: what the table modules run their statements on. */
export interface Queryable {
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** Runs `work` in one transaction on a client of the pool (BEGIN … COMMIT, ROLLBACK on error). */
export type InTransaction = <T>(work: (client: Queryable) => Promise<T>) => Promise<T>;

/** The lease settings of the store's instance, shared by the table modules that lease. */
export interface LeaseSettings {
  readonly instanceId: string;
  readonly leaseMs: number;
}
