import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Logger } from '../log.js';
import { type ApiCaller, type ApiToken, callerOf } from './admin-tokens.js';
import { sendJson } from './run-request.js';

/** What a route handler gets: the request, the path's captured parts and, under /api, the caller. */
export interface RouteRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** the capture groups of the route's path pattern */
  readonly params: readonly string[];
  /** the authenticated caller (for `api` routes) */
  readonly caller: ApiCaller | undefined;
}

/**
 * One route. `api` routes need a bearer token (`GET` a read token, anything else an admin one);
 * `open` routes (`/healthz`, `/metrics`, the console's files) and `self` routes (webhooks and
 * uploads, which check their profile's own credentials) do not.
 */
export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly path: RegExp;
  readonly access: 'api' | 'open' | 'self';
  handle(r: RouteRequest): Promise<void> | void;
}

/**
 * Builds the request listener for a route table. Under `/api/` the token is checked before
 * anything else, so an unauthenticated caller learns nothing (not even which paths exist). A
 * handler that throws gets a 500 with no detail; the error goes to the log.
 */
export function router(routes: readonly Route[], tokens: readonly ApiToken[], log: Logger): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let caller: ApiCaller | undefined;
    if (url.pathname.startsWith('/api/') || url.pathname === '/api') {
      caller = callerOf(req.headers.authorization, tokens);
      if (caller === undefined) {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' }).end(JSON.stringify({ error: 'the API needs Authorization: Bearer <token> (FERRY_ADMIN_TOKENS)' }));
        return;
      }
      // a read token sees everything and changes nothing
      if (caller.role !== 'admin' && req.method !== 'GET' && req.method !== 'HEAD') {
        sendJson(res, 403, { error: 'this token may only read; changes need an admin token' });
        return;
      }
    }
    let pathMatched = false;
    for (const route of routes) {
      const m = route.path.exec(url.pathname);
      if (m === null) continue;
      pathMatched = true;
      if (route.method !== req.method && !(route.method === 'GET' && req.method === 'HEAD')) continue;
      const params = m.slice(1).map((p) => decodeURIComponent(p ?? ''));
      Promise.resolve()
        .then(() => route.handle({ req, res, url, params, caller }))
        .catch((err: unknown) => {
          log.error({ err, method: req.method, path: url.pathname }, 'admin request failed');
          if (!res.headersSent) sendJson(res, 500, { error: 'internal error' }, { close: true });
          else res.destroy();
        });
      return;
    }
    if (pathMatched) sendJson(res, 405, { error: `${req.method ?? ''} is not allowed here` });
    else sendJson(res, 404, { error: 'not found' });
  };
}
