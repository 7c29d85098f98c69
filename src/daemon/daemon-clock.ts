import type { Clock } from '../scheduler/types.js';

/**
 * The daemon's clock: the system clock, or for tests of schedules and windows against a running
 * daemon a clock that shows `FERRY_CLOCK_START` (ISO 8601) when a trigger first reads it and runs
 * `FERRY_CLOCK_RATE` times faster than real time (default 1). Only triggers read it; the state
 * store keeps real times.
 */
export interface DaemonClock extends Clock {
  /** Real milliseconds until the clock shows `instant` (0 when it already has). */
  delayUntil(instant: Date): number;
}

/** Builds the daemon clock from the environment; a bad value is a start-up error. */
export function daemonClock(env: Readonly<Record<string, string | undefined>> = process.env): DaemonClock {
  const startText = env.FERRY_CLOCK_START;
  const rate = env.FERRY_CLOCK_RATE === undefined ? 1 : Number(env.FERRY_CLOCK_RATE);
  if (!Number.isFinite(rate) || rate <= 0) throw new Error(`FERRY_CLOCK_RATE must be a positive number, got ${env.FERRY_CLOCK_RATE ?? ''}`);
  const start = startText === undefined ? undefined : Date.parse(startText);
  if (start !== undefined && Number.isNaN(start)) throw new Error(`FERRY_CLOCK_START must be an ISO 8601 instant, got ${startText ?? ''}`);
  // an injected clock starts when a trigger first reads it, so the daemon's own start-up time
  // (slow on a loaded machine) does not eat into what a test set up
  let realStart: number | undefined;
  const nowMs = (): number => {
    if (start === undefined) return Date.now();
    realStart ??= Date.now();
    return start + (Date.now() - realStart) * rate;
  };
  return {
    now: () => new Date(nowMs()),
    delayUntil: (instant) => Math.max(0, Math.ceil((instant.getTime() - nowMs()) / rate)),
  };
}
