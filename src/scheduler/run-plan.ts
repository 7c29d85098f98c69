/**
 * When a scheduled profile runs next, and whether a run missed while the daemon was down is made up,
 * combining the cron schedule, the window and the persisted last run. Pure: "now" comes from the
 * injected {@link Clock}.
 */

import type { BatchWindow, Clock, CronSchedule } from './types.js';

/** One run: the cron fire time it stands for and when the window lets it start. */
export interface PlannedRun {
  /** The fire time; persist this as the schedule's last run once the run has started. */
  readonly due: Date;
  /** `due`, or the next opening of the window when `due` falls outside it. */
  readonly startAt: Date;
}

/** What the daemon does for one schedule at start-up. */
export interface StartUpPlan {
  /** The one run making up for those missed while the daemon was down, to start at `startAt`. */
  readonly makeUp: PlannedRun | undefined;
  /** The first regular run after start-up. */
  readonly next: PlannedRun;
}

/** Inputs of {@link planStartUp}. */
export interface StartUpOptions {
  readonly schedule: CronSchedule;
  readonly window?: BatchWindow | undefined;
  /** The persisted fire time of the last run; undefined when the schedule never ran. */
  readonly lastRun: Date | undefined;
  /** Whether to make up a missed run at all (the profile's choice). */
  readonly makeUpMissed: boolean;
  readonly clock: Clock;
}

/** The run for fire time `due`, held back until `window` (if any) is open. */
export function plannedRun(due: Date, window: BatchWindow | undefined): PlannedRun {
  return { due, startAt: window === undefined ? due : window.earliestStart(due) };
}

/** The first run of `schedule` due strictly after `after`. */
export function nextRun(schedule: CronSchedule, window: BatchWindow | undefined, after: Date): PlannedRun {
  return plannedRun(schedule.next(after), window);
}

/**
 * The start-up plan. However many fire times passed while the daemon was down, at most one run is
 * made up: the latest missed fire time, started now (or when the window opens). A schedule that
 * never ran has nothing to make up, since its first fire time came before it existed. When the
 * make-up would start at the same instant as the next regular run (both held for the window),
 * the regular run stands for both.
 */
export function planStartUp(options: StartUpOptions): StartUpPlan {
  const { schedule, window, lastRun, makeUpMissed, clock } = options;
  const now = clock.now();
  const next = nextRun(schedule, window, now);
  const missed = makeUpMissed && lastRun !== undefined ? schedule.dueSince(lastRun, now) : undefined;
  if (missed === undefined) return { makeUp: undefined, next };
  const startAt = window === undefined ? now : window.earliestStart(now);
  if (startAt.getTime() === next.startAt.getTime()) return { makeUp: undefined, next };
  return { makeUp: { due: missed, startAt }, next };
}
