import type { Logger } from '../log.js';
import type { Profile } from '../profiles/schema.js';
import { parseWindow } from '../scheduler/batch-window.js';
import { parseCron } from '../scheduler/cron-schedule.js';
import { nextRun, planStartUp, type PlannedRun } from '../scheduler/run-plan.js';
import type { BatchWindow, CronSchedule } from '../scheduler/types.js';
import type { StateStore } from '../store/types.js';
import type { DaemonClock } from './daemon-clock.js';

/** setTimeout cannot wait longer than this (about 24.8 days); longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What a schedule needs to know and do. */
export interface ScheduleTriggerOptions {
  readonly profile: string;
  readonly schedule: CronSchedule;
  readonly window: BatchWindow | undefined;
  readonly makeUpMissed: boolean;
  readonly store: StateStore;
  readonly clock: DaemonClock;
  readonly log: Logger;
  /** starts the run for fire time `due`; `makeUp` when it stands for runs missed while ferry was down */
  readonly fire: (due: Date, makeUp: boolean) => void;
}

/**
 * Fires one profile's `trigger.cron` on the daemon clock, held back until the `window` opens. The
 * fire time of each run is written to the state store before the run starts, so that after a
 * restart the runs missed while ferry was down are made up once (the latest of them), or not at
 * all with `makeUpMissed: false`. A schedule seen for the first time counts from that moment.
 */
export class ScheduleTrigger {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly o: ScheduleTriggerOptions) {}

  /** Reads the persisted state and arms the first timer. */
  async start(): Promise<void> {
    const { o } = this;
    const state = await o.store.getSchedule(o.profile);
    const now = o.clock.now();
    const plan = planStartUp({ schedule: o.schedule, window: o.window, lastRun: state === undefined ? undefined : new Date(state.lastDue), makeUpMissed: o.makeUpMissed, clock: o.clock });
    const first = plan.makeUp ?? plan.next;
    // only a schedule seen for the first time is written here: rewriting an old state could undo a
    // fire time another instance has just claimed
    if (state === undefined) await o.store.claimScheduleFire({ profile: o.profile, expression: o.schedule.expression, timeZone: o.schedule.timeZone, lastDue: now.getTime(), nextDue: first.due.getTime() });
    if (plan.makeUp !== undefined) o.log.info({ missed: plan.makeUp.due.toISOString(), startAt: plan.makeUp.startAt.toISOString() }, 'a scheduled run was missed while ferry was down; it is made up once');
    this.arm(first, plan.makeUp !== undefined);
  }

  /** Stops the timer; a run already started goes on. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  private arm(run: PlannedRun, makeUp: boolean): void {
    if (this.stopped) return;
    const delay = this.o.clock.delayUntil(run.startAt);
    if (delay > MAX_TIMER_MS) {
      this.timer = setTimeout(() => this.arm(run, makeUp), MAX_TIMER_MS);
      return;
    }
    this.timer = setTimeout(() => {
      this.fireRun(run, makeUp).catch((err: unknown) => {
        this.o.log.error({ err }, 'the schedule could not be saved; it is tried again in a minute');
        this.timer = setTimeout(() => this.arm(run, makeUp), 60_000);
      });
    }, delay);
  }

  private async fireRun(run: PlannedRun, makeUp: boolean): Promise<void> {
    const { o } = this;
    if (this.stopped) return;
    const next = this.following(run, makeUp);
    const mine = await o.store.claimScheduleFire({ profile: o.profile, expression: o.schedule.expression, timeZone: o.schedule.timeZone, lastDue: run.due.getTime(), nextDue: next.due.getTime() });
    if (mine) {
      o.log.info({ due: run.due.toISOString(), makeUp, next: next.due.toISOString() }, 'scheduled run');
      o.fire(run.due, makeUp);
    } else {
      o.log.info({ due: run.due.toISOString(), next: next.due.toISOString() }, 'scheduled run taken by another instance');
    }
    this.arm(next, false);
  }

  /**
   * The regular run after `run`. Fire times held for the same window opening are one run: a run
   * due at 02:00 and one due at 03:00, both held until 22:00, start once.
   */
  private following(run: PlannedRun, makeUp: boolean): PlannedRun {
    const { schedule, window, clock } = this.o;
    const after = makeUp ? clock.now() : run.due;
    let next = nextRun(schedule, window, after);
    for (let i = 0; i < 10_000 && next.startAt.getTime() <= run.startAt.getTime(); i++) next = nextRun(schedule, window, next.due);
    return next;
  }
}

/** The trigger settings a profile's schedule is made from (import and export profiles alike). */
type TriggerSettings = NonNullable<Profile['trigger']>;

/** A profile's checked `trigger.window`, if any; the profile was validated, so a bad one is a bug. */
export function windowOf(profile: string, trigger: TriggerSettings | undefined): BatchWindow | undefined {
  if (trigger?.window === undefined) return undefined;
  const window = parseWindow(trigger.window, trigger.timezone);
  if (!window.ok) throw new Error(`profile ${profile} trigger.window: ${window.message}`);
  return window.window;
}

/**
 * Starts the schedule of a profile's `trigger.cron` (held for `window`), calling `request` with
 * `cron` or `cron (make-up)` at each fire time; undefined when the profile has no cron.
 */
export function startSchedule(
  profile: string,
  trigger: TriggerSettings | undefined,
  window: BatchWindow | undefined,
  deps: { store: StateStore; clock: DaemonClock; log: Logger },
  request: (trigger: string) => void,
): ScheduleTrigger | undefined {
  if (trigger?.cron === undefined) return undefined;
  const cron = parseCron(trigger.cron, trigger.timezone);
  if (!cron.ok) throw new Error(`profile ${profile} trigger.cron: ${cron.message}`);
  const schedule = new ScheduleTrigger({
    profile, schedule: cron.schedule, window, makeUpMissed: trigger.makeUpMissed !== false, ...deps,
    fire: (_due, makeUp) => request(makeUp ? 'cron (make-up)' : 'cron'),
  });
  schedule.start().catch((err: unknown) => deps.log.error({ err }, 'the schedule could not start'));
  return schedule;
}
