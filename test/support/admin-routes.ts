/**
 * The admin server's real route table (src/admin/admin-server.ts `adminRoutes`), for the security
 * tests that must reach every route: a route added later is walked without editing the tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { adminRoutes } from '../../src/admin/admin-server.js';
import type { Route } from '../../src/admin/router.js';
import { createLogger } from '../../src/log.js';
import { RemoteRegistry } from '../../src/remote/remote-registry.js';
import { openStore } from '../../src/store/open-store.js';

/** A route as the tests see it: method, path pattern and access class. */
export interface RouteShape {
  readonly method: Route['method'];
  readonly path: RegExp;
  readonly access: Route['access'];
}

/** Builds the daemon's route table over a throwaway ledger (its handlers are never called). */
export async function routeTable(): Promise<RouteShape[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-routes-'));
  const log = createLogger('silent');
  const store = await openStore(`sqlite:${join(dir, 'ferry.db')}`, { exclusive: false });
  try {
    return adminRoutes({ store, remotes: new RemoteRegistry(log), startedAt: Date.now(), profilesDir: dir, dataDir: dir }, log).map((r) => ({ method: r.method, path: r.path, access: r.access }));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A readable name for a route: `GET /^\/api\/runs$/`. */
export function routeName(r: RouteShape): string {
  return `${r.method} ${String(r.path)}`;
}

/**
 * Concrete paths that match a route's pattern: each capture group filled with each of `values`
 * (a digits-only group with `1`), optional groups left out. Empty when no value fits, which the
 * caller must treat as a failure (the test cannot reach the route).
 */
export function samplePaths(r: RouteShape, values: readonly string[]): string[] {
  const source = r.path.source.replace(/^\^/, '').replace(/\$$/, '');
  const skeleton = source
    .replace(/\((?:\?:)?(?:[^()]|\([^()]*\))*\)\?/g, '')
    .replace(/\(\\d\+\)/g, '1')
    .replace(/\[\^\/\]\+/g, 'x')
    .replace(/\\\//g, '/')
    .replace(/\\\./g, '.');
  const out = new Set<string>();
  for (const v of values) {
    const path = skeleton.replace(/\([^()]*\)/g, v);
    if (r.path.test(path)) out.add(path);
  }
  return [...out];
}
