import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Logger } from '../log.js';
import { adminTokens } from './admin-tokens.js';
import { auditRoutes } from './api-audit-routes.js';
import { historyRoutes } from './api-history-routes.js';
import { handleApiNotifications } from './api-notifications-route.js';
import { profileRoutes } from './api-profiles-routes.js';
import { handleApiRun } from './api-runs-route.js';
import { sampleRoutes } from './api-samples-routes.js';
import { handleConsole } from './console-route.js';
import { healthBody } from './health.js';
import { handleHook } from './hook-route.js';
import { renderMetrics } from './metrics.js';
import { type Route, router } from './router.js';
import { sendJson } from './run-request.js';
import type { AdminContext } from './types.js';
import { handleUpload } from './upload-route.js';
import { ReplayGuard } from './webhook-auth.js';

/** Parses `host:port` (IPv6 as `[::1]:8470`). */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(listen.trim());
  if (m === null) throw new Error(`--listen ${listen}: expected host:port, e.g. 127.0.0.1:8470`);
  return { host: m[1] === '' ? '127.0.0.1' : m[1] ?? '127.0.0.1', port: Number(m[2]) };
}

const PROFILE = '([A-Za-z0-9_.-]+)';

/**
 * The daemon's routes: the contract's surface (docs/admin-api.md) in one table. Exported so the
 * security tests can walk every route (a new one cannot escape the authorisation test).
 */
export function adminRoutes(ctx: AdminContext, log: Logger): Route[] {
  const replays = new ReplayGuard();
  return [
    {
      method: 'GET', path: /^\/healthz$/, access: 'open',
      handle: async ({ res }) => {
        const { status, body } = await healthBody(ctx);
        sendJson(res, status, body);
      },
    },
    {
      method: 'GET', path: /^\/metrics$/, access: 'open',
      handle: async ({ res }) => {
        try {
          const { contentType, text } = await renderMetrics(ctx);
          res.writeHead(200, { 'content-type': contentType }).end(text);
        } catch (err) {
          log.error({ err }, 'metrics failed');
          res.writeHead(503, { 'content-type': 'text/plain' }).end('state store unavailable\n');
        }
      },
    },
    {
      method: 'POST', path: new RegExp(`^/hooks/${PROFILE}$`), access: 'self',
      handle: ({ req, res, params: [profile = ''] }) => handleHook(req, res, profile, ctx.hookTarget?.(profile), replays, log),
    },
    {
      method: 'POST', path: new RegExp(`^/upload/${PROFILE}$`), access: 'self',
      handle: ({ req, res, url, params: [profile = ''] }) => handleUpload(req, res, profile, url, ctx.uploadTarget?.(profile), log),
    },
    {
      method: 'POST', path: new RegExp(`^/api/profiles/${PROFILE}/runs$`), access: 'api',
      handle: ({ req, res, params: [profile = ''], caller }) => handleApiRun(req, res, profile, ctx.hookTarget?.(profile), log, { store: ctx.store, actor: caller?.name ?? 'api' }),
    },
    ...profileRoutes(ctx, log),
    ...sampleRoutes(ctx),
    ...historyRoutes(ctx),
    ...auditRoutes(ctx),
    {
      method: 'GET', path: /^\/api\/notifications$/, access: 'api',
      handle: async ({ req, res, url }) => void (await handleApiNotifications(req, res, url, ctx.store)),
    },
    {
      method: 'POST', path: /^\/api\/notifications\/[^/]+\/replay$/, access: 'api',
      handle: async ({ req, res, url, caller }) => {
        if (!(await handleApiNotifications(req, res, url, ctx.store, caller?.name))) sendJson(res, 404, { error: 'not found' });
      },
    },
    {
      method: 'GET', path: /^\/(?:console\/.*)?$/, access: 'open',
      handle: ({ req, res, url }) => {
        if (!handleConsole(req, res, url)) sendJson(res, 404, { error: 'not found' });
      },
    },
  ];
}

/**
 * The daemon's HTTP server: `/healthz` and `/metrics` (open), `/hooks/<profile>` and
 * `/upload/<profile>` (each checks its profile's own credentials), and the admin API under `/api`
 * (bearer tokens, read and admin roles; see docs/admin-api.md). It binds to loopback unless told
 * otherwise.
 */
export async function startAdminServer(listen: string, ctx: AdminContext, log: Logger): Promise<{ server: Server; address: string; close(): Promise<void> }> {
  const { host, port } = parseListen(listen);
  const server = createServer(router(adminRoutes(ctx, log), adminTokens(), log));
  // slow or stalled clients must not hold sockets forever
  server.requestTimeout = 5 * 60_000;
  server.headersTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  const address = `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  log.info({ listen: address }, 'admin server listening');
  return {
    server,
    address,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
