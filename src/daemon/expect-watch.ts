import type { Logger } from '../log.js';
import { WEEKDAYS, type ExpectSpec } from '../profiles/expect-schema.js';
import { durationMs } from '../profiles/schema-helpers.js';
import { parseCron } from '../scheduler/cron-schedule.js';
import type { CronSchedule } from '../scheduler/types.js';
import type { BatchRow, NewNotification, StateStore } from '../store/types.js';
import type { DaemonClock } from './daemon-clock.js';

/** Files compared with for "far from the usual", and how many are needed before judging. */
const USUAL_FILES = 10;
const USUAL_MIN = 3;
const MAX_TIMER_MS = 2 ** 31 - 1;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * Watches a profile's `expect`: by each deadline (`by` on `days`, in the profile's zone) a file
 * must have arrived since the previous deadline, else `file.missing` is raised once (also for a
 * deadline that passed while ferry was down); `warnBefore` raises `file.late` that long before.
 * Each settled file is also checked: empty, or a row count far from the median of the last ten,
 * raise `file.empty` / `file.unusual`. Alerts go to the log and the state store (`ferry status`).
 */
export class ExpectWatch {
  private readonly schedule: CronSchedule;
  private readonly warnMs: number;
  private readonly tolerance: number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly profile: string,
    private readonly spec: ExpectSpec,
    zone: string | undefined,
    private readonly store: StateStore,
    private readonly clock: DaemonClock,
    private readonly log: Logger,
    /** the notifications of an event (file.missing) for the profile's `notify` entries */
    private readonly notify: (event: string, payload: Record<string, unknown>) => NewNotification[] = () => [],
  ) {
    const [hh, mm] = spec.by.split(':');
    const days = (spec.days ?? [...WEEKDAYS]).map((d) => WEEKDAYS.indexOf(d)).join(',');
    const parsed = parseCron(`${Number(mm)} ${Number(hh)} * * ${days}`, spec.timezone ?? zone);
    if (!parsed.ok) throw new Error(`profile ${profile} expect: ${parsed.message}`);
    this.schedule = parsed.schedule;
    this.warnMs = spec.warnBefore === undefined ? 0 : durationMs(spec.warnBefore);
    this.tolerance = Number((spec.rowsTolerance ?? '50%').replace('%', '')) / 100;
  }

  /** Reads the remembered state, raises a missed deadline once, and arms the next check. */
  async start(): Promise<void> {
    const now = this.clock.now().getTime();
    const state = (await this.store.getArrivals(this.profile)) ?? { profile: this.profile, watchingSince: now, lastArrival: null, lastWarnedFor: null, lastMissingFor: null };
    await this.store.saveArrivals(state);
    const past = this.schedule.previous(new Date(now)).getTime();
    if (past >= state.watchingSince && state.lastMissingFor !== past) await this.judge(past, 'missing');
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  /** Notes that files arrived now, and checks each settled one's row count. */
  async arrived(batches: readonly BatchRow[]): Promise<void> {
    const state = await this.store.getArrivals(this.profile);
    if (state !== undefined) await this.store.saveArrivals({ ...state, lastArrival: this.clock.now().getTime() });
    for (const b of batches) await this.checkRows(b);
  }

  private arm(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    const deadline = this.schedule.next(now);
    const warnAt = new Date(deadline.getTime() - this.warnMs);
    const warnFirst = this.warnMs > 0 && warnAt.getTime() > now.getTime();
    // started (or re-armed) inside the warning period: warn now, once, if nothing came yet
    if (this.warnMs > 0 && !warnFirst) this.judge(deadline.getTime(), 'warn').catch((err: unknown) => this.log.error({ err }, 'checking the expected file failed'));
    const at = warnFirst ? warnAt : deadline;
    const delay = this.clock.delayUntil(at);
    this.timer = setTimeout(() => {
      if (delay > MAX_TIMER_MS) {
        this.arm();
        return;
      }
      this.judge(deadline.getTime(), warnFirst ? 'warn' : 'missing')
        .catch((err: unknown) => this.log.error({ err }, 'checking the expected file failed'))
        .finally(() => this.arm());
    }, Math.min(delay, MAX_TIMER_MS));
  }

  /** Raises `file.late` or `file.missing` for `deadline` unless a file arrived since the one before. */
  private async judge(deadline: number, what: 'warn' | 'missing'): Promise<void> {
    const state = await this.store.getArrivals(this.profile);
    if (state === undefined) return;
    const periodStart = this.schedule.previous(new Date(deadline - 60_000)).getTime();
    if (state.lastArrival !== null && state.lastArrival > periodStart) return;
    const by = new Date(deadline).toISOString();
    if (what === 'warn') {
      if (state.lastWarnedFor === deadline) return;
      await this.store.saveArrivals({ ...state, lastWarnedFor: deadline });
      await this.alert('file.late', `no file for ${this.profile} yet; it is expected by ${this.spec.by} (${by})`, null);
      return;
    }
    if (state.lastMissingFor === deadline) return;
    await this.store.saveArrivals({ ...state, lastMissingFor: deadline });
    await this.alert('file.missing', `no file for ${this.profile} arrived by ${this.spec.by} (${by})`, null, { expectedBy: by });
  }

  private async checkRows(b: BatchRow): Promise<void> {
    if (b.state !== 'done' || b.status === 'skipped') return;
    if (b.rowsTotal === 0) {
      await this.alert('file.empty', `${b.fileName} has no rows`, b.id);
      return;
    }
    const earlier = (await this.store.listBatches({ limit: USUAL_FILES * 3, profile: this.profile }))
      .filter((x) => x.id !== b.id && x.state === 'done' && x.status !== 'skipped' && x.rowsTotal > 0 && x.createdAt <= b.createdAt)
      .slice(0, USUAL_FILES);
    if (earlier.length < USUAL_MIN) return;
    const usual = median(earlier.map((x) => x.rowsTotal));
    if (Math.abs(b.rowsTotal - usual) > this.tolerance * usual) {
      await this.alert('file.unusual', `${b.fileName} has ${b.rowsTotal} rows; the last ${earlier.length} files had ${usual} in the middle`, b.id);
    }
  }

  private async alert(kind: string, message: string, batchId: string | null, payload?: Record<string, unknown>): Promise<void> {
    // file.missing is the one alert customer servers are told about (the notification events)
    const notifications = kind === 'file.missing' ? this.notify(kind, { ...payload, message }) : [];
    await this.store.addAlert({ profile: this.profile, kind, message, batchId }, notifications);
    this.log.warn({ alert: kind, batch: batchId ?? undefined }, message);
  }
}
