import { maskedUrl } from '../../admin/masked.js';
import { FerryError } from '../../errors.js';
import { toJson } from '../../json/to-json.js';
import type { GlobalOptions } from '../options.js';
import { openSharedStore } from '../runtime.js';
import type { CommandIo } from '../types.js';
import { batchJson } from './run-command.js';

/** `ferry status [--json]`: recent runs and batches, read from the store without locking it. */
export async function statusCommand(options: GlobalOptions, flags: { json?: boolean; limit?: string }, io: CommandIo): Promise<number> {
  let store: Awaited<ReturnType<typeof openSharedStore>>;
  try {
    store = await openSharedStore(options, true);
  } catch (err) {
    if (!(err instanceof FerryError)) throw err;
    io.err(`${err.code}: ${err.message}`);
    return 1;
  }
  if (store === undefined) {
    io.out(flags.json === true ? toJson({ runs: [], batches: [], unfinished: [], notifications: { pending: 0, dead: [], disabledEndpoints: [] }, alerts: [], invalidProfiles: [], schedules: [], sources: [] }, '  ') : 'no state store yet: nothing has run');
    return 0;
  }
  try {
    const limit = Number(flags.limit ?? 20);
    const runs = await store.listRuns({ limit });
    const batches = await store.listBatches({ limit });
    const unfinished = await store.listUnfinished();
    const sources = await store.listSourceHealth();
    // a ledger written before schedules existed has no table for them until a daemon opens it
    const schedules = await store.listSchedules().catch(() => []);
    const invalid = await store.listProfileProblems().catch(() => []);
    const alerts = await store.listAlerts({ limit }).catch(() => []);
    const dead = await store.listNotifications({ limit, state: 'dead' }).catch(() => []);
    const pending = await store.listNotifications({ limit: 1000, state: 'pending' }).catch(() => []);
    const disabled = await store.listDisabledEndpoints().catch(() => []);
    // a ledger written before instances were recorded has no table for them until a daemon opens it
    const instances = await store.listInstances().catch(() => []);
    if (flags.json === true) {
      io.out(toJson({
        runs: runs.map((r) => ({ id: r.id, profile: r.profile, trigger: r.trigger, params: r.params, status: r.status, startedAt: new Date(r.startedAt).toISOString(), finishedAt: r.finishedAt === null ? null : new Date(r.finishedAt).toISOString() })),
        batches: batches.map((b) => ({ ...batchJson(b), profile: b.profile, profileVersion: { number: b.profileVersionNumber, hash: b.profileVersion.slice(0, 12) }, state: b.state, createdAt: new Date(b.createdAt).toISOString() })),
        unfinished: unfinished.map((b) => ({ id: b.id, profile: b.profile, file: b.fileName, state: b.state, owner: b.owner })),
        notifications: {
          pending: pending.length,
          dead: dead.map((n) => ({ id: n.id, profile: n.profile, event: n.event, url: maskedUrl(n.url), attempts: n.attempts, lastError: n.lastError, createdAt: new Date(n.createdAt).toISOString() })),
          disabledEndpoints: disabled.map((d) => ({ ...d, url: maskedUrl(d.url), at: new Date(d.at).toISOString() })),
        },
        alerts: alerts.map((a) => ({ profile: a.profile, kind: a.kind, message: a.message, batch: a.batchId, at: new Date(a.at).toISOString() })),
        invalidProfiles: invalid.map((p) => ({ profile: p.profile, problems: p.problems, since: new Date(p.since).toISOString() })),
        schedules: schedules.map((sc) => ({ profile: sc.profile, cron: sc.expression, timezone: sc.timeZone, lastDue: new Date(sc.lastDue).toISOString(), nextDue: sc.nextDue === null ? null : new Date(sc.nextDue).toISOString() })),
        instances: instances.map((i) => ({ ...i, startedAt: new Date(i.startedAt).toISOString(), lastSeenAt: new Date(i.lastSeenAt).toISOString() })),
        sources: sources.map((h) => ({ ...h, lastPollAt: new Date(h.lastPollAt).toISOString(), lastOkAt: h.lastOkAt === null ? null : new Date(h.lastOkAt).toISOString(), lastErrorAt: h.lastErrorAt === null ? null : new Date(h.lastErrorAt).toISOString() })),
      }, '  '));
      return 0;
    }
    const live = instances.filter((i) => i.alive || i.holds.length > 0);
    if (live.length > 0) {
      io.out('Instances:');
      for (const i of live) io.out(`  ${i.id}  ${i.alive ? 'alive' : 'GONE'}, last seen ${new Date(i.lastSeenAt).toISOString()}${i.holds.length === 0 ? '' : `, holds ${i.holds.join(', ')}`}`);
    }
    if (sources.length > 0) {
      io.out('Sources:');
      for (const h of sources) {
        io.out(`  ${h.profile}  ${h.connection}  ${h.state === 'ok' ? 'ok' : 'DOWN'}, last poll ${new Date(h.lastPollAt).toISOString()}${h.waiting > 0 ? `, ${h.waiting} file(s) not yet complete` : ''}${h.lastError === null ? '' : `; last error${h.lastErrorAt === null ? '' : ` at ${new Date(h.lastErrorAt).toISOString()}`}: ${h.lastError}`}`);
      }
    }
    if (dead.length > 0 || disabled.length > 0 || pending.length > 0) {
      io.out(`Notifications: ${pending.length} waiting to be sent${dead.length > 0 ? `, ${dead.length} dead-lettered (ferry notifications replay <id>)` : ''}`);
      for (const n of dead) io.out(`  ${n.id}  ${n.profile}  ${n.event} → ${maskedUrl(n.url)}: ${n.lastError ?? ''}`);
      for (const d of disabled) io.out(`  disabled: ${maskedUrl(d.url)} (${d.profile}): ${d.reason}`);
    }
    if (alerts.length > 0) {
      io.out('Alerts:');
      for (const a of alerts) io.out(`  ${new Date(a.at).toISOString()}  ${a.profile}  ${a.kind}: ${a.message}`);
    }
    if (invalid.length > 0) {
      io.out('Invalid profiles (the daemon keeps running their last valid version):');
      for (const p of invalid) for (const line of p.problems) io.out(`  ${line}`);
    }
    if (schedules.length > 0) {
      io.out('Schedules:');
      for (const sc of schedules) io.out(`  ${sc.profile}  "${sc.expression}" ${sc.timeZone}, last ${new Date(sc.lastDue).toISOString()}${sc.nextDue === null ? '' : `, next ${new Date(sc.nextDue).toISOString()}`}`);
    }
    io.out(`Recent batches (${batches.length}):`);
    for (const b of batches) {
      io.out(`  ${new Date(b.createdAt).toISOString()}  ${b.id}  ${b.profile}${b.profileVersionNumber === null ? '' : ` v${b.profileVersionNumber}`}  ${b.fileName}  ${b.status}${b.state === 'done' ? '' : ` (${b.state})`}  rows ${b.rowsTotal}: ${b.rowsDelivered} delivered, ${b.rowsRejected} rejected, ${b.rowsFailed} failed${b.rowsSkipped > 0 ? `, ${b.rowsSkipped} skipped` : ''}${b.errorMessage === null ? '' : `  — ${b.errorMessage}`}`);
    }
    io.out(unfinished.length === 0 ? 'Nothing unfinished.' : `Unfinished (resumed by their instance, or taken over once its lease runs out): ${unfinished.map((b) => `${b.id} ${b.fileName} [${b.state}${b.owner === null ? '' : `, ${b.owner}`}]`).join(', ')}`);
    return 0;
  } finally {
    await store.close();
  }
}
