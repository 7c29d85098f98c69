import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { localTimeZone } from '../../../src/mapping/time-zone.js';
import { parseCron } from '../../../src/scheduler/cron-schedule.js';
import { at, cron, iso, oracleRuns, runsAfter, scheduleRuns, type Wall } from './scheduler-harness.js';

const OSLO = 'Europe/Oslo';
const NEW_YORK = 'America/New_York';

describe('cron DST policy, Europe/Oslo (2026-03-29 02:00→03:00, 2026-10-25 03:00→02:00)', () => {
  it('runs a daily 02:30 once at 03:00 on the day 02:30 does not exist', () => {
    assert.deepEqual(runsAfter(cron('30 2 * * *', OSLO), '2026-03-27T12:00:00+01:00', 3), [
      '2026-03-28T02:30:00+01:00',
      '2026-03-29T03:00:00+02:00',
      '2026-03-30T02:30:00+02:00',
    ]);
  });

  it('runs a daily 02:30 once on the day 02:30 happens twice', () => {
    assert.deepEqual(runsAfter(cron('30 2 * * *', OSLO), '2026-10-24T12:00:00+02:00', 3), [
      '2026-10-25T02:30:00+02:00',
      '2026-10-26T02:30:00+01:00',
      '2026-10-27T02:30:00+01:00',
    ]);
  });

  it('does not run 02:30 again when asked from inside the second pass', () => {
    const daily = cron('30 2 * * *', OSLO);
    assert.equal(iso(daily.next(at('2026-10-25T02:10:00+01:00')), OSLO), '2026-10-26T02:30:00+01:00');
    assert.equal(iso(daily.next(at('2026-10-25T02:40:00+02:00')), OSLO), '2026-10-26T02:30:00+01:00');
  });

  it('runs hourly through the gap without a 02:00 run', () => {
    assert.deepEqual(runsAfter(cron('0 * * * *', OSLO), '2026-03-29T00:30:00+01:00', 3), [
      '2026-03-29T01:00:00+01:00',
      '2026-03-29T03:00:00+02:00',
      '2026-03-29T04:00:00+02:00',
    ]);
  });

  it('runs the repeated 02:00 hour once', () => {
    assert.deepEqual(runsAfter(cron('0 * * * *', OSLO), '2026-10-25T00:30:00+02:00', 4), [
      '2026-10-25T01:00:00+02:00',
      '2026-10-25T02:00:00+02:00',
      '2026-10-25T03:00:00+01:00',
      '2026-10-25T04:00:00+01:00',
    ]);
  });

  it('collapses the skipped quarter hours of */15 into one run at 03:00', () => {
    assert.deepEqual(runsAfter(cron('*/15 * * * *', OSLO), '2026-03-29T01:40:00+01:00', 3), [
      '2026-03-29T01:45:00+01:00',
      '2026-03-29T03:00:00+02:00',
      '2026-03-29T03:15:00+02:00',
    ]);
  });

  it('runs */15 through the repeated hour once, then pauses for the second pass', () => {
    assert.deepEqual(runsAfter(cron('*/15 * * * *', OSLO), '2026-10-25T01:40:00+02:00', 6), [
      '2026-10-25T01:45:00+02:00',
      '2026-10-25T02:00:00+02:00',
      '2026-10-25T02:15:00+02:00',
      '2026-10-25T02:30:00+02:00',
      '2026-10-25T02:45:00+02:00',
      '2026-10-25T03:00:00+01:00',
    ]);
  });

  it('runs a skipped time of an interval expression at the end of the gap', () => {
    assert.deepEqual(runsAfter(cron('30 * * * *', OSLO), '2026-03-29T01:00:00+01:00', 3), [
      '2026-03-29T01:30:00+01:00',
      '2026-03-29T03:00:00+02:00',
      '2026-03-29T03:30:00+02:00',
    ]);
  });

  it('runs a list of times once each on the autumn day', () => {
    assert.deepEqual(runsAfter(cron('30 2,14 * * *', OSLO), '2026-10-24T22:00:00+02:00', 3), [
      '2026-10-25T02:30:00+02:00',
      '2026-10-25T14:30:00+01:00',
      '2026-10-26T02:30:00+01:00',
    ]);
  });

  it('keeps 09:00 on weekdays at 09:00 local time across both changes', () => {
    assert.deepEqual(runsAfter(cron('0 9 * * 1-5', OSLO), '2026-03-26T12:00:00+01:00', 3), [
      '2026-03-27T09:00:00+01:00',
      '2026-03-30T09:00:00+02:00',
      '2026-03-31T09:00:00+02:00',
    ]);
    assert.deepEqual(runsAfter(cron('0 9 * * MON-FRI', OSLO), '2026-10-22T12:00:00+02:00', 2), [
      '2026-10-23T09:00:00+02:00',
      '2026-10-26T09:00:00+01:00',
    ]);
  });

  it('runs L on the last day of each month, leap years included', () => {
    assert.deepEqual(runsAfter(cron('0 0 L * *', OSLO), '2026-01-15T12:00:00+01:00', 4), [
      '2026-01-31T00:00:00+01:00',
      '2026-02-28T00:00:00+01:00',
      '2026-03-31T00:00:00+02:00',
      '2026-04-30T00:00:00+02:00',
    ]);
    assert.equal(iso(cron('0 0 L 2 *', OSLO).next(at('2027-06-01T00:00:00+02:00')), OSLO), '2028-02-29T00:00:00+01:00');
  });
});

describe('cron DST policy, America/New_York (2026-03-08 02:00→03:00, 2026-11-01 02:00→01:00)', () => {
  it('runs a daily 02:30 at 03:00 on the spring day', () => {
    assert.deepEqual(runsAfter(cron('30 2 * * *', NEW_YORK), '2026-03-07T12:00:00-05:00', 2), [
      '2026-03-08T03:00:00-04:00',
      '2026-03-09T02:30:00-04:00',
    ]);
  });

  it('runs a daily 01:30 once on the autumn day', () => {
    assert.deepEqual(runsAfter(cron('30 1 * * *', NEW_YORK), '2026-10-31T12:00:00-04:00', 2), [
      '2026-11-01T01:30:00-04:00',
      '2026-11-02T01:30:00-05:00',
    ]);
  });

  it('runs hourly across both changes without a duplicate', () => {
    assert.deepEqual(runsAfter(cron('0 * * * *', NEW_YORK), '2026-11-01T00:30:00-04:00', 3), [
      '2026-11-01T01:00:00-04:00',
      '2026-11-01T02:00:00-05:00',
      '2026-11-01T03:00:00-05:00',
    ]);
    assert.deepEqual(runsAfter(cron('0 * * * *', NEW_YORK), '2026-03-08T00:30:00-05:00', 3), [
      '2026-03-08T01:00:00-05:00',
      '2026-03-08T03:00:00-04:00',
      '2026-03-08T04:00:00-04:00',
    ]);
  });
});

/** Expressions with an independent predicate for the brute-force oracle. */
const ORACLE_CASES: ReadonlyArray<[string, (w: Wall) => boolean]> = [
  ['30 2 * * *', (w) => w.hour === 2 && w.minute === 30],
  ['0 * * * *', (w) => w.minute === 0],
  ['*/15 * * * *', (w) => w.minute % 15 === 0],
  ['45 1-3 * * *', (w) => w.minute === 45 && w.hour >= 1 && w.hour <= 3],
  ['*/7 2 * * *', (w) => w.minute % 7 === 0 && w.hour === 2],
  ['10,50 0-4 * * 0', (w) => (w.minute === 10 || w.minute === 50) && w.hour <= 4 && w.weekday === 0],
];

/** Two days around each transition, including Lord Howe's 30-minute DST. */
const TRANSITIONS: ReadonlyArray<[string, string, string]> = [
  [OSLO, '2026-03-28T12:00:00Z', '2026-03-29T12:00:00Z'],
  [OSLO, '2026-10-24T12:00:00Z', '2026-10-25T12:00:00Z'],
  [NEW_YORK, '2026-03-07T12:00:00Z', '2026-03-08T18:00:00Z'],
  [NEW_YORK, '2026-10-31T12:00:00Z', '2026-11-01T18:00:00Z'],
  ['Australia/Lord_Howe', '2026-04-04T06:00:00Z', '2026-04-05T06:00:00Z'],
  ['Australia/Lord_Howe', '2026-10-03T06:00:00Z', '2026-10-04T06:00:00Z'],
];

describe('cron against a minute-by-minute oracle of the policy', () => {
  for (const [timezone, from, to] of TRANSITIONS) {
    it(`agrees for every expression in ${timezone} from ${from}`, () => {
      for (const [expression, matches] of ORACLE_CASES) {
        const schedule = cron(expression, timezone);
        const expected = oracleRuns(timezone, matches, from, to);
        assert.deepEqual(scheduleRuns(schedule, from, to), expected, `${expression} next`);
        // previous() sees the same fire times as next(), run for run.
        for (const [i, run] of expected.entries()) {
          assert.equal(iso(schedule.previous(at(run)), timezone), run, `${expression} previous(${run})`);
          const before = expected[i - 1];
          if (before !== undefined) {
            assert.equal(iso(schedule.previous(new Date(at(run).getTime() - 1)), timezone), before, `${expression} before ${run}`);
          }
        }
      }
    });
  }
});

describe('previous and dueSince', () => {
  it('finds the 03:00 run of the spring day, as next gave it', () => {
    const daily = cron('30 2 * * *', OSLO);
    assert.equal(iso(daily.previous(at('2026-03-29T12:00:00+02:00')), OSLO), '2026-03-29T03:00:00+02:00');
  });

  it('finds a first-pass 02:50 from inside the second pass, at 02:10', () => {
    const fifty = cron('50 2 * * *', OSLO);
    assert.equal(iso(fifty.previous(at('2026-10-25T02:10:00+01:00')), OSLO), '2026-10-25T02:50:00+02:00');
  });

  it('gives the latest missed fire time only, and nothing when none was missed', () => {
    const daily = cron('0 6 * * *', 'UTC');
    const missed = daily.dueSince(at('2026-05-01T06:00:00Z'), at('2026-05-04T09:00:00Z'));
    assert.equal(missed?.toISOString(), '2026-05-04T06:00:00.000Z');
    assert.equal(daily.dueSince(at('2026-05-04T06:00:00Z'), at('2026-05-04T09:00:00Z')), undefined);
    assert.equal(daily.dueSince(at('2026-05-04T06:00:00Z'), at('2026-05-05T06:00:00Z'))?.toISOString(), '2026-05-05T06:00:00.000Z');
  });

  it('reads fixed offsets and UTC, and defaults to the machine zone', () => {
    assert.equal(iso(cron('0 12 * * *', '+05:30').next(at('2026-01-01T00:00:00Z')), '+05:30'), '2026-01-01T12:00:00+05:30');
    assert.equal(cron('0 12 * * *', 'europe/oslo').timeZone, OSLO);
    const local = parseCron('0 12 * * *');
    assert.ok(local.ok);
    assert.equal(local.schedule.timeZone, localTimeZone().name);
  });

  it('rejects an invalid Date rather than looping', () => {
    assert.throws(() => cron('* * * * *', 'UTC').next(new Date(Number.NaN)), RangeError);
  });
});

describe('next and previous bracket every instant', () => {
  it('holds for instants sampled around each transition', () => {
    // A fixed linear congruential sequence keeps the samples the same on every run.
    let seed = 20260329;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (const [timezone, from] of TRANSITIONS) {
      for (const [expression] of ORACLE_CASES) {
        const schedule = cron(expression, timezone);
        for (let i = 0; i < 40; i++) {
          const x = new Date(at(from).getTime() + Math.floor(random() * 30 * 3_600_000));
          const before = schedule.previous(x);
          const after = schedule.next(x);
          const context = `${expression} ${timezone} at ${x.toISOString()}`;
          assert.ok(before <= x && x < after, context);
          assert.equal(schedule.next(before).getTime(), after.getTime(), context);
          assert.equal(schedule.previous(new Date(after.getTime() - 1)).getTime(), before.getTime(), context);
        }
      }
    }
  });
});
