import { InputError } from '../../errors.js';
import { shownStoreUrl } from '../open-store.js';
import type { PgTarget } from './types.js';

/**
 * Schema names ferry accepts in `?schema=`: lower case, so that the name needs no quoting in
 * `search_path` and means the same thing in psql.
 */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Splits a `postgres://` store URL into what pg connects with and the ledger's schema.
 * `?schema=<name>` is ferry's own parameter: pg never sees it; the schema goes into the session's
 * `search_path` through the startup `options` (with any `options` the URL carries), so every
 * statement stays unqualified. `readonly` sessions refuse writes on the server side as well.
 *
 * The query string is edited as text, not through `new URL`: pg accepts URLs that WHATWG URL
 * parsing refuses (`postgres://user@/db?host=/run/postgresql`).
 */
export function parsePgUrl(url: string, readonly = false): PgTarget {
  const shown = shownStoreUrl(url);
  const at = url.indexOf('?');
  const base = at < 0 ? url : url.slice(0, at);
  const query = new URLSearchParams(at < 0 ? '' : url.slice(at + 1));
  const schema = query.get('schema') ?? undefined;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new InputError('E_USAGE', `--store ${shown}: schema "${schema}" must be lower-case letters, digits and _ (at most 63), starting with a letter or _`);
  }
  const options = [
    query.get('options') ?? '',
    schema === undefined ? '' : `-c search_path=${schema}`,
    readonly ? '-c default_transaction_read_only=on' : '',
  ].filter((o) => o !== '').join(' ');
  query.delete('schema');
  query.delete('options');
  const rest = query.toString();
  return { connectionString: rest === '' ? base : `${base}?${rest}`, options: options === '' ? undefined : options, schema, shown };
}
