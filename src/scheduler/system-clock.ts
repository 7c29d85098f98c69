import type { Clock } from './types.js';

/** The real clock, for the daemon; everything else takes a {@link Clock} so tests can inject one. */
export const systemClock: Clock = {
  now: () => new Date(),
};
