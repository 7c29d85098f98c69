/**
 * The scheduler's contracts. The daemon sees only these, so the cron engine behind them can change
 * without touching the daemon, and every computation takes its instants as arguments: tests drive
 * them with an injected {@link Clock} instead of waiting for real time.
 */

/** The source of "now"; the daemon passes the system clock, tests a clock they move by hand. */
export interface Clock {
  now(): Date;
}

/**
 * A checked `trigger.cron` expression bound to a time zone. Fire times follow the DST policy
 * documented on `parseCron`; `next` and `previous` always agree on the same set of fire times.
 */
export interface CronSchedule {
  /** The expression as written in the profile. */
  readonly expression: string;
  /** The canonical zone name the expression is read in: `Europe/Oslo`, `UTC` or `+05:30`. */
  readonly timeZone: string;
  /** The first fire time strictly after `after`. */
  next(after: Date): Date;
  /** The last fire time at or before `atOrBefore`. */
  previous(atOrBefore: Date): Date;
  /**
   * The latest fire time in (`lastRun`, `now`], or undefined when none fell in between: the one run
   * to make up at start-up, however many were missed while the daemon was down.
   */
  dueSince(lastRun: Date, now: Date): Date | undefined;
}

/**
 * A daily `trigger.window` such as `22:00-06:00`: runs start only while it is open. The start is
 * inclusive, the end exclusive, and both edges follow the cron DST policy.
 */
export interface BatchWindow {
  /** The window as written: `22:00-06:00`. */
  readonly text: string;
  /** The canonical zone name the window is read in. */
  readonly timeZone: string;
  /** Whether a run may start at `instant`. */
  contains(instant: Date): boolean;
  /**
   * The first instant strictly after `after` at which one of the window's daily periods begins; a
   * period lying wholly inside a skipped hour is empty and does not count.
   */
  nextOpening(after: Date): Date;
  /** `at` itself when the window is open then, else the next opening: when a run due at `at` starts. */
  earliestStart(at: Date): Date;
}

/** The result of `parseCron`: a schedule, or a message saying what is wrong with the expression. */
export type CronScheduleResult = { ok: true; schedule: CronSchedule } | { ok: false; message: string };

/** The result of `parseWindow`: a window, or a message saying what is wrong with the text. */
export type BatchWindowResult = { ok: true; window: BatchWindow } | { ok: false; message: string };
