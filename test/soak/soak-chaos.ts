/**
 * Random failures for the soak test's target and notification endpoints, drawn from a seeded
 * PRNG: roughly one request in three fails in one of the ways a real endpoint fails.
 */
import type { TargetStep } from '../support/target-reply.js';
import type { HookChaos } from './chaos-receiver.js';

/** The target's answer to one request: 5xx, 429 with Retry-After, the connection destroyed after the body, or a short hang. */
export function targetChaos(random: () => number): () => TargetStep {
  return () => {
    const r = random();
    if (r < 0.08) return { status: 503 };
    if (r < 0.12) return { status: 500 };
    if (r < 0.17) return { status: 429, retryAfter: '1' };
    if (r < 0.22) return { destroyAfterBody: true };
    // a hang longer than the profile's 2 s timeout: the client gives up, the API still takes it
    if (r < 0.25) return { delayMs: 2500 };
    // a short hang the client waits out
    if (r < 0.32) return { delayMs: 100 + Math.floor(random() * 900) };
    return {};
  };
}

/** The notification endpoint's answer to one attempt, with the same kinds of failure. */
export function hookChaos(random: () => number): () => HookChaos {
  return () => {
    const r = random();
    if (r < 0.1) return { status: 503 };
    if (r < 0.15) return { status: 500 };
    if (r < 0.2) return { status: 429, retryAfter: '1' };
    if (r < 0.25) return 'destroy';
    if (r < 0.28) return { status: 200, delayMs: 2500 };
    if (r < 0.35) return { status: 200, delayMs: 100 + Math.floor(random() * 900) };
    return { status: 200 };
  };
}
