import { maskedUrl } from '../../admin/masked.js';
import { FerryError } from '../../errors.js';
import { toJson } from '../../json/to-json.js';
import { DEFAULT_RETRY_FOR_MS } from '../../notify/build-notifications.js';
import { auditEntry } from '../../admin/audit-entry.js';
import type { Notification } from '../../store/types.js';
import type { GlobalOptions } from '../options.js';
import { openSharedStore } from '../runtime.js';
import type { CommandIo } from '../types.js';

const STATES = ['pending', 'delivered', 'dead', 'disabled'] as const;

function describe(n: Notification): string {
  return `${new Date(n.createdAt).toISOString()}  ${n.id}  ${n.profile}  ${n.event}  ${n.state}${n.attempts > 0 ? ` after ${n.attempts} attempt(s)` : ''}  → ${maskedUrl(n.url)}${n.lastError === null ? '' : `  — ${n.lastError}`}`;
}

/** `ferry notifications [--state S] [--json]`: the outbox, newest first. */
export async function notificationsCommand(options: GlobalOptions, flags: { state?: string; json?: boolean; limit?: string }, io: CommandIo): Promise<number> {
  const state = flags.state;
  if (state !== undefined && !(STATES as readonly string[]).includes(state)) {
    io.err(`--state must be one of ${STATES.join(', ')}`);
    return 2;
  }
  const store = await openSharedStore(options, true).catch((err: unknown) => {
    if (!(err instanceof FerryError)) throw err;
    io.err(`${err.code}: ${err.message}`);
    return null;
  });
  if (store === null) return 1;
  if (store === undefined) {
    io.out(flags.json === true ? toJson({ notifications: [], disabledEndpoints: [] }, '  ') : 'no state store yet: nothing has run');
    return 0;
  }
  try {
    const list = await store.listNotifications({ limit: Number(flags.limit ?? 50), ...(state === undefined ? {} : { state: state as Notification['state'] }) });
    const disabled = await store.listDisabledEndpoints();
    if (flags.json === true) {
      io.out(toJson({
        notifications: list.map((n) => ({ id: n.id, profile: n.profile, event: n.event, url: maskedUrl(n.url), state: n.state, attempts: n.attempts, lastError: n.lastError, batch: n.batchId, createdAt: new Date(n.createdAt).toISOString(), deliveredAt: n.deliveredAt === null ? null : new Date(n.deliveredAt).toISOString(), body: JSON.parse(n.body) as unknown })),
        disabledEndpoints: disabled.map((d) => ({ ...d, url: maskedUrl(d.url), at: new Date(d.at).toISOString() })),
      }, '  '));
      return 0;
    }
    for (const n of list) io.out(describe(n));
    for (const d of disabled) io.out(`disabled endpoint ${maskedUrl(d.url)} (${d.profile}) since ${new Date(d.at).toISOString()}: ${d.reason}`);
    if (list.length === 0) io.out('no notifications');
    return 0;
  } finally {
    await store.close();
  }
}

/** `ferry notifications replay <id>`: sends a dead or disabled notification again, with the same webhook-id. */
export async function replayNotificationCommand(options: GlobalOptions, id: string, io: CommandIo): Promise<number> {
  const store = await openSharedStore(options, false).catch((err: unknown) => {
    if (!(err instanceof FerryError)) throw err;
    io.err(`${err.code}: ${err.message}`);
    return null;
  });
  if (store === null) return 1;
  if (store === undefined) {
    io.err('no state store yet: nothing has run');
    return 1;
  }
  try {
    const n = await store.replayNotification(id, Date.now() + DEFAULT_RETRY_FOR_MS, auditEntry('cli', 'notification.replay', id));
    if (n === undefined) {
      io.err(`no notification ${id}`);
      return 1;
    }
    io.out(`notification ${id} (${n.event} → ${maskedUrl(n.url)}) is queued again with the same webhook-id; the daemon sends it`);
    return 0;
  } finally {
    await store.close();
  }
}
