import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { nextRun, planStartUp, type StartUpPlan } from '../../../src/scheduler/run-plan.js';
import type { BatchWindow, CronSchedule } from '../../../src/scheduler/types.js';
import { ManualClock, at, cron, iso, windowOf } from './scheduler-harness.js';

const OSLO = 'Europe/Oslo';

/** The plan as a user reads it in the log: fire times and start times in Oslo. */
function readable(plan: StartUpPlan): Record<string, string | undefined> {
  return {
    makeUpDue: plan.makeUp && iso(plan.makeUp.due, OSLO),
    makeUpStart: plan.makeUp && iso(plan.makeUp.startAt, OSLO),
    nextDue: iso(plan.next.due, OSLO),
    nextStart: iso(plan.next.startAt, OSLO),
  };
}

function plan(schedule: CronSchedule, clock: ManualClock, lastRun: string | undefined, window?: BatchWindow): StartUpPlan {
  return planStartUp({ schedule, window, lastRun: lastRun === undefined ? undefined : at(lastRun), makeUpMissed: true, clock });
}

describe('start-up plan', () => {
  it('makes up exactly one run after the daemon was down for three daily runs', () => {
    const daily = cron('30 2 * * *', OSLO);
    const clock = new ManualClock('2026-05-04T10:00:00+02:00');
    const first = plan(daily, clock, '2026-05-01T02:30:00+02:00');
    assert.deepEqual(readable(first), {
      makeUpDue: '2026-05-04T02:30:00+02:00',
      makeUpStart: '2026-05-04T10:00:00+02:00',
      nextDue: '2026-05-05T02:30:00+02:00',
      nextStart: '2026-05-05T02:30:00+02:00',
    });
    // The daemon persists the made-up fire time; a restart a minute later makes up nothing more.
    clock.advanceMinutes(1);
    assert.equal(plan(daily, clock, '2026-05-04T02:30:00+02:00').makeUp, undefined);
  });

  it('makes up nothing when no fire time passed while it was down', () => {
    const daily = cron('30 2 * * *', OSLO);
    const clock = new ManualClock('2026-05-04T01:00:00+02:00');
    assert.equal(plan(daily, clock, '2026-05-03T02:30:00+02:00').makeUp, undefined);
    clock.set('2026-05-04T02:30:00+02:00');
    assert.equal(readable(plan(daily, clock, '2026-05-03T02:30:00+02:00')).makeUpDue, '2026-05-04T02:30:00+02:00');
  });

  it('makes up nothing when turned off or when the schedule never ran', () => {
    const daily = cron('30 2 * * *', OSLO);
    const clock = new ManualClock('2026-05-04T10:00:00+02:00');
    const off = planStartUp({ schedule: daily, lastRun: at('2026-05-01T02:30:00+02:00'), makeUpMissed: false, clock });
    assert.equal(off.makeUp, undefined);
    assert.equal(iso(off.next.due, OSLO), '2026-05-05T02:30:00+02:00');
    assert.equal(plan(daily, clock, undefined).makeUp, undefined);
  });

  it('makes up the 03:00 run of the spring day that 02:30 became', () => {
    const daily = cron('30 2 * * *', OSLO);
    const clock = new ManualClock('2026-03-29T12:00:00+02:00');
    assert.equal(readable(plan(daily, clock, '2026-03-27T02:30:00+01:00')).makeUpDue, '2026-03-29T03:00:00+02:00');
    assert.equal(plan(daily, clock, '2026-03-29T03:00:00+02:00').makeUp, undefined);
  });

  it('holds the make-up and the next run until the window opens', () => {
    const noon = cron('0 12 * * *', OSLO);
    const night = windowOf('22:00-06:00', OSLO);
    const clock = new ManualClock('2026-05-04T14:00:00+02:00');
    assert.deepEqual(readable(plan(noon, clock, '2026-05-01T12:00:00+02:00', night)), {
      makeUpDue: '2026-05-04T12:00:00+02:00',
      makeUpStart: '2026-05-04T22:00:00+02:00',
      nextDue: '2026-05-05T12:00:00+02:00',
      nextStart: '2026-05-05T22:00:00+02:00',
    });
  });

  it('lets the next run stand for the make-up when both wait for the same opening', () => {
    const hourly = cron('0 * * * *', OSLO);
    const night = windowOf('22:00-06:00', OSLO);
    const clock = new ManualClock('2026-05-04T14:30:00+02:00');
    assert.deepEqual(readable(plan(hourly, clock, '2026-05-04T10:00:00+02:00', night)), {
      makeUpDue: undefined,
      makeUpStart: undefined,
      nextDue: '2026-05-04T15:00:00+02:00',
      nextStart: '2026-05-04T22:00:00+02:00',
    });
  });
});

describe('next run', () => {
  it('starts at the fire time inside the window, at the opening outside it', () => {
    const hourly = cron('0 * * * *', OSLO);
    const night = windowOf('22:00-06:00', OSLO);
    const inside = nextRun(hourly, night, at('2026-05-04T22:30:00+02:00'));
    assert.equal(iso(inside.startAt, OSLO), '2026-05-04T23:00:00+02:00');
    const outside = nextRun(hourly, night, at('2026-05-05T06:30:00+02:00'));
    assert.equal(iso(outside.due, OSLO), '2026-05-05T07:00:00+02:00');
    assert.equal(iso(outside.startAt, OSLO), '2026-05-05T22:00:00+02:00');
    assert.equal(iso(nextRun(hourly, undefined, at('2026-05-05T06:30:00+02:00')).startAt, OSLO), '2026-05-05T07:00:00+02:00');
  });
});
