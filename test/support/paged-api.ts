import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the API saw. */
export interface ApiCall {
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly authorization: string | undefined;
  /** when it arrived (performance.now, ms) */
  readonly at: number;
}

/** An orders API on 127.0.0.1 that pages its records in four styles. */
export interface PagedApi {
  readonly url: string;
  readonly calls: readonly ApiCall[];
  /** replies with this status to every request (0: normal answers), or only to the next `times` */
  failWith(status: number, times?: number): void;
  close(): Promise<void>;
}

const PAGE = 10;

/**
 * Serves `count` orders (`{ id, total, customer: { name }, lines: [...] }`) at `/link` (Link
 * header), `/cursor` (`meta.next`), `/page` (`?page=`, an empty page at the end) and `/offset`
 * (`?offset=`). A non-empty `updatedSince` returns nothing newer: the records are all older.
 */
export async function startPagedApi(count: number): Promise<PagedApi> {
  const calls: ApiCall[] = [];
  let failing = 0;
  let failuresLeft = Number.POSITIVE_INFINITY;
  const all = Array.from({ length: count }, (_, i) => ({ id: `SO-${String(i + 1).padStart(4, '0')}`, total: (i + 1) * 10.5, customer: { name: `Kunde ${i + 1} „Ü“` }, lines: [{ sku: `A${i}` }] }));
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(url.searchParams);
    calls.push({ path: url.pathname, query, authorization: req.headers.authorization, at: performance.now() });
    if (failing !== 0 && failuresLeft > 0) {
      failuresLeft--;
      return res.writeHead(failing, { 'content-type': 'application/json' }).end('{"error":"no"}');
    }
    const data = (query.updatedSince ?? '') === '' ? all : [];
    const json = (body: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    if (url.pathname === '/link') {
      const page = Number(query.page ?? 1);
      const slice = data.slice((page - 1) * PAGE, page * PAGE);
      const more = page * PAGE < data.length;
      const next = new URL(url.href.replace('http://x', `http://127.0.0.1:${(server.address() as AddressInfo).port}`));
      next.searchParams.set('page', String(page + 1));
      return json(slice, more ? { link: `<${next.href}>; rel="next", <http://ignored/>; rel="last"` } : {});
    }
    if (url.pathname === '/cursor') {
      const start = Number(query.cursor ?? 0);
      return json({ data: data.slice(start, start + PAGE), meta: { next: start + PAGE < data.length ? String(start + PAGE) : null } });
    }
    if (url.pathname === '/page') {
      const page = Number(query.page ?? 1);
      return json({ items: data.slice((page - 1) * PAGE, page * PAGE) });
    }
    if (url.pathname === '/offset') {
      const offset = Number(query.offset ?? 0);
      return json({ results: data.slice(offset, offset + PAGE) });
    }
    return res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    failWith(status, times) {
      failing = status;
      failuresLeft = times ?? Number.POSITIVE_INFINITY;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
