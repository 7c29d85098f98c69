import type { AdminContext } from './types.js';

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** The sources' last polls with times as ISO text, for /healthz and /api/sources. */
export async function sourcesView(ctx: AdminContext): Promise<Record<string, unknown>[]> {
  const health = await ctx.store.listSourceHealth();
  return health.map((h) => ({ ...h, lastPollAt: iso(h.lastPollAt), lastOkAt: iso(h.lastOkAt), lastErrorAt: iso(h.lastErrorAt) }));
}

/**
 * `GET /healthz`: 200 when the daemon and its state store are usable (503 otherwise), with each
 * source's last poll and error, each connection's state, the profiles whose edit is invalid and
 * the latest alerts.
 */
export async function healthBody(ctx: AdminContext): Promise<{ status: number; body: Record<string, unknown> }> {
  try {
    const health = await ctx.store.listSourceHealth();
    const down = health.filter((h) => h.state === 'down');
    const invalid = [...(ctx.invalidProfiles?.() ?? new Map<string, readonly string[]>())].map(([profile, problems]) => ({ profile, problems }));
    return {
      status: 200,
      body: {
        status: down.length === 0 && invalid.length === 0 ? 'ok' : 'degraded',
        pid: process.pid,
        uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000),
        store: 'ok',
        sources: await sourcesView(ctx),
        instance: ctx.store.instanceId,
        instances: (await ctx.store.listInstances()).filter((i) => i.alive || i.holds.length > 0).map((i) => ({ ...i, startedAt: new Date(i.startedAt).toISOString(), lastSeenAt: new Date(i.lastSeenAt).toISOString() })),
        connections: ctx.remotes.health(),
        invalidProfiles: invalid,
        alerts: (await ctx.store.listAlerts({ limit: 10 })).map((a) => ({ profile: a.profile, kind: a.kind, message: a.message, at: new Date(a.at).toISOString() })),
      },
    };
  } catch (err) {
    return { status: 503, body: { status: 'unavailable', store: err instanceof Error ? err.message : String(err) } };
  }
}
