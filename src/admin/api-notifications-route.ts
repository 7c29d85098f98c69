import type { IncomingMessage, ServerResponse } from 'node:http';

import { DEFAULT_RETRY_FOR_MS } from '../notify/build-notifications.js';
import { auditEntry } from './audit-entry.js';
import type { Notification, StateStore } from '../store/types.js';
import { maskedUrl } from './masked.js';
import { sendJson } from './run-request.js';

const STATES: readonly Notification['state'][] = ['pending', 'delivered', 'dead', 'disabled'];

function view(n: Notification): Record<string, unknown> {
  return {
    id: n.id, profile: n.profile, event: n.event, url: maskedUrl(n.url), state: n.state, attempts: n.attempts, lastError: n.lastError, batch: n.batchId,
    createdAt: new Date(n.createdAt).toISOString(), deliveredAt: n.deliveredAt === null ? null : new Date(n.deliveredAt).toISOString(), body: JSON.parse(n.body) as unknown,
  };
}

/**
 * `GET /api/notifications[?state=dead&limit=50]`: the outbox with the disabled endpoints, and
 * `POST /api/notifications/<id>/replay`: a dead or disabled notification queued again with the
 * same `webhook-id` (as `ferry notifications replay`). Returns false for other paths.
 */
export async function handleApiNotifications(req: IncomingMessage, res: ServerResponse, url: URL, store: StateStore, actor = 'api'): Promise<boolean> {
  if (req.method === 'GET' && url.pathname === '/api/notifications') {
    const state = url.searchParams.get('state');
    if (state !== null && !(STATES as readonly string[]).includes(state)) {
      sendJson(res, 400, { error: `state must be one of ${STATES.join(', ')}` });
      return true;
    }
    const limit = Math.min(500, Math.max(1, Number(url.searchParams.get('limit') ?? 50) || 50));
    const list = await store.listNotifications({ limit, ...(state === null ? {} : { state: state as Notification['state'] }) });
    const disabled = await store.listDisabledEndpoints();
    sendJson(res, 200, { notifications: list.map(view), disabledEndpoints: disabled.map((d) => ({ ...d, url: maskedUrl(d.url), at: new Date(d.at).toISOString() })) });
    return true;
  }
  const replay = /^\/api\/notifications\/(msg_[A-Za-z0-9]+)\/replay$/.exec(url.pathname);
  if (req.method === 'POST' && replay !== null) {
    const id = replay[1] ?? '';
    const n = await store.replayNotification(id, Date.now() + DEFAULT_RETRY_FOR_MS, auditEntry(actor, 'notification.replay', id));
    if (n === undefined) sendJson(res, 404, { error: `no notification ${replay[1] ?? ''}` });
    else sendJson(res, 202, { notification: view(n) });
    return true;
  }
  return false;
}
