import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Logger } from '../log.js';
import { adminTokens, roleOf } from './admin-tokens.js';
import { handleApiNotifications } from './api-notifications-route.js';
import { handleApiRun } from './api-runs-route.js';
import { handleConsole } from './console-route.js';
import { handleHook } from './hook-route.js';
import { renderMetrics } from './metrics.js';
import type { HookTarget, UploadTarget } from './types.js';
import { handleUpload } from './upload-route.js';
import { ReplayGuard } from './webhook-auth.js';
import type { RemoteRegistry } from '../remote/remote-registry.js';
import type { StateStore } from '../store/types.js';

/** What /healthz reports about. */
export interface HealthSources {
  readonly store: StateStore;
  readonly remotes: RemoteRegistry;
  readonly startedAt: number;
  /** profiles whose file is invalid (their last valid version, if any, keeps running) */
  readonly invalidProfiles?: () => ReadonlyMap<string, readonly string[]>;
  /** the running profile a webhook call is for */
  readonly hookTarget?: (profile: string) => HookTarget | undefined;
  /** the profile an upload is for */
  readonly uploadTarget?: (profile: string) => UploadTarget | undefined;
  /** runs going on and waiting, for /metrics */
  readonly runs?: () => { inUse: number; queued: number };
}

/** Parses `host:port` (IPv6 as `[::1]:8470`). */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(listen.trim());
  if (m === null) throw new Error(`--listen ${listen}: expected host:port, e.g. 127.0.0.1:8470`);
  return { host: m[1] === '' ? '127.0.0.1' : m[1] ?? '127.0.0.1', port: Number(m[2]) };
}

/**
 * The daemon's HTTP server. It serves `GET /healthz`: 200 when the daemon and its state store are
 * usable (503 otherwise), with each source's last poll and error, each connection's state and the
 * profiles whose edit is invalid; `GET /metrics` (Prometheus text); `POST /hooks/<profile>` (see handleHook) and `POST
 * /upload/<profile>` (see handleUpload). It binds to
 * loopback unless told otherwise.
 */
export async function startAdminServer(listen: string, sources: HealthSources, log: Logger): Promise<{ server: Server; address: string; close(): Promise<void> }> {
  const { host, port } = parseListen(listen);
  const replays = new ReplayGuard();
  const tokens = adminTokens();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/metrics') {
      renderMetrics(sources.store, sources.runs === undefined ? {} : { runs: sources.runs })
        .then((text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text))
        .catch((err: unknown) => {
          log.error({ err }, 'metrics failed');
          res.writeHead(503, { 'content-type': 'text/plain' }).end('state store unavailable\n');
        });
      return;
    }
    const upload = /^\/upload\/([A-Za-z0-9_.-]+)$/.exec(url.pathname);
    if (req.method === 'POST' && upload !== null) {
      const profile = upload[1] ?? '';
      handleUpload(req, res, profile, url, sources.uploadTarget?.(profile), log).catch((err: unknown) => {
        log.error({ err, profile }, 'upload failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify({ error: 'internal error' }));
      });
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      const role = roleOf(req.headers.authorization, tokens);
      if (role === undefined) {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' }).end(JSON.stringify({ error: 'the API needs Authorization: Bearer <token> (FERRY_ADMIN_TOKENS)' }));
        return;
      }
      // a read token sees everything and changes nothing
      if (role !== 'admin' && req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'this token may only read; changes need an admin token' }));
        return;
      }
      const run = /^\/api\/profiles\/([A-Za-z0-9_.-]+)\/runs$/.exec(url.pathname);
      if (req.method === 'POST' && run !== null) {
        const profile = run[1] ?? '';
        handleApiRun(req, res, profile, sources.hookTarget?.(profile), log).catch((err: unknown) => {
          log.error({ err, profile }, 'API run request failed');
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'internal error' }));
        });
        return;
      }
      handleApiNotifications(req, res, url, sources.store).then((handled) => {
        if (!handled) res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
      }).catch((err: unknown) => {
        log.error({ err }, 'API request failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'internal error' }));
      });
      return;
    }
    const hook = /^\/hooks\/([A-Za-z0-9_.-]+)$/.exec(url.pathname);
    if (req.method === 'POST' && hook !== null) {
      const profile = hook[1] ?? '';
      handleHook(req, res, profile, sources.hookTarget?.(profile), replays, log).catch((err: unknown) => {
        log.error({ err, profile }, 'webhook call failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'internal error' }));
      });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/healthz') {
      void (async () => {
        let body: Record<string, unknown>;
        let status = 200;
        try {
          const health = await sources.store.listSourceHealth();
          const down = health.filter((h) => h.state === 'down');
          const invalid = [...(sources.invalidProfiles?.() ?? new Map<string, readonly string[]>())].map(([profile, problems]) => ({ profile, problems }));
          body = {
            status: down.length === 0 && invalid.length === 0 ? 'ok' : 'degraded',
            pid: process.pid,
            uptimeSeconds: Math.round((Date.now() - sources.startedAt) / 1000),
            store: 'ok',
            sources: health.map((h) => ({ ...h, lastPollAt: new Date(h.lastPollAt).toISOString(), lastOkAt: h.lastOkAt === null ? null : new Date(h.lastOkAt).toISOString(), lastErrorAt: h.lastErrorAt === null ? null : new Date(h.lastErrorAt).toISOString() })),
            connections: sources.remotes.health(),
            invalidProfiles: invalid,
            alerts: (await sources.store.listAlerts({ limit: 10 })).map((a) => ({ profile: a.profile, kind: a.kind, message: a.message, at: new Date(a.at).toISOString() })),
          };
        } catch (err) {
          status = 503;
          body = { status: 'unavailable', store: err instanceof Error ? err.message : String(err) };
        }
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      })();
      return;
    }
    if (req.method === 'GET' && handleConsole(req, res, url)) return;
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
  });
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
