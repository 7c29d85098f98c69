import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { parseWindow } from '../../../src/scheduler/batch-window.js';
import type { BatchWindow } from '../../../src/scheduler/types.js';
import { at, iso, windowOf } from './scheduler-harness.js';

const OSLO = 'Europe/Oslo';
const HOUR = 3_600_000;

function openAt(window: BatchWindow, ...instants: string[]): boolean[] {
  return instants.map((text) => window.contains(at(text)));
}

/** How long the period opening after `from` stays open, in hours, probing each minute. */
function openHours(window: BatchWindow, from: string): number {
  const open = window.nextOpening(at(from)).getTime();
  let close = open;
  while (window.contains(new Date(close))) close += 60_000;
  return (close - open) / HOUR;
}

describe('batch window', () => {
  it('is open from its start up to, not including, its end across midnight', () => {
    const night = windowOf('22:00-06:00', OSLO);
    assert.deepEqual(
      openAt(night, '2026-05-04T21:59:59+02:00', '2026-05-04T22:00:00+02:00', '2026-05-05T03:00:00+02:00', '2026-05-05T05:59:59+02:00', '2026-05-05T06:00:00+02:00', '2026-05-05T12:00:00+02:00'),
      [false, true, true, true, false, false],
    );
  });

  it('gives the next opening, and the earliest start of a run due at a time', () => {
    const night = windowOf('22:00-06:00', OSLO);
    assert.equal(iso(night.nextOpening(at('2026-05-04T12:00:00+02:00')), OSLO), '2026-05-04T22:00:00+02:00');
    assert.equal(iso(night.nextOpening(at('2026-05-04T23:00:00+02:00')), OSLO), '2026-05-05T22:00:00+02:00');
    assert.equal(iso(night.nextOpening(at('2026-05-04T22:00:00+02:00')), OSLO), '2026-05-05T22:00:00+02:00');
    assert.equal(iso(night.earliestStart(at('2026-05-04T23:00:00+02:00')), OSLO), '2026-05-04T23:00:00+02:00');
    assert.equal(iso(night.earliestStart(at('2026-05-05T07:30:00+02:00')), OSLO), '2026-05-05T22:00:00+02:00');
  });

  it('handles a window within one day', () => {
    const office = windowOf('08:00-17:00', OSLO);
    assert.deepEqual(openAt(office, '2026-05-04T07:59:00+02:00', '2026-05-04T08:00:00+02:00', '2026-05-04T16:59:00+02:00', '2026-05-04T17:00:00+02:00'), [false, true, true, false]);
    assert.equal(iso(office.nextOpening(at('2026-05-04T17:00:00+02:00')), OSLO), '2026-05-05T08:00:00+02:00');
    assert.equal(windowOf('08:00-17:00', 'UTC').contains(at('2026-05-04T08:30:00+00:00')), true);
    assert.equal(windowOf('08:00-17:00', '+05:30').contains(at('2026-05-04T08:30:00+00:00')), true);
  });
});

describe('batch window on DST days, Europe/Oslo', () => {
  it('lasts 7 hours on the night clocks go forward and 9 on the night they go back', () => {
    const night = windowOf('22:00-06:00', OSLO);
    assert.equal(openHours(night, '2026-03-28T12:00:00+01:00'), 7);
    assert.equal(openHours(night, '2026-10-24T12:00:00+02:00'), 9);
    assert.deepEqual(openAt(night, '2026-03-29T05:59:00+02:00', '2026-03-29T06:00:00+02:00'), [true, false]);
    assert.deepEqual(openAt(night, '2026-10-25T02:30:00+01:00', '2026-10-25T06:00:00+01:00'), [true, false]);
  });

  it('opens at 03:00 when its start falls in the skipped hour', () => {
    const early = windowOf('02:30-05:00', OSLO);
    assert.equal(iso(early.nextOpening(at('2026-03-29T00:00:00+01:00')), OSLO), '2026-03-29T03:00:00+02:00');
    assert.deepEqual(openAt(early, '2026-03-29T01:59:00+01:00', '2026-03-29T03:00:00+02:00'), [false, true]);
  });

  it('closes in the first pass of the repeated hour and stays closed in the second', () => {
    const late = windowOf('01:00-02:30', OSLO);
    assert.deepEqual(
      openAt(late, '2026-10-25T02:15:00+02:00', '2026-10-25T02:30:00+02:00', '2026-10-25T02:15:00+01:00'),
      [true, false, false],
    );
    assert.equal(iso(late.nextOpening(at('2026-10-25T02:40:00+02:00')), OSLO), '2026-10-26T01:00:00+01:00');
  });

  it('stays closed on the day a window lies wholly inside the skipped hour', () => {
    const gap = windowOf('02:10-02:50', OSLO);
    assert.equal(iso(gap.nextOpening(at('2026-03-29T00:00:00+01:00')), OSLO), '2026-03-30T02:10:00+02:00');
    assert.deepEqual(openAt(gap, '2026-03-29T01:59:00+01:00', '2026-03-29T03:00:00+02:00'), [false, false]);
  });
});

describe('invalid windows', () => {
  it('say what is wrong', () => {
    const cases: ReadonlyArray<[string, string]> = [
      ['6-22', 'window "6-22": expected start and end as HH:MM-HH:MM, such as 22:00-06:00'],
      ['22:00', 'window "22:00": expected start and end as HH:MM-HH:MM, such as 22:00-06:00'],
      ['22:00-25:00', 'window "22:00-25:00": 25:00 is not a time of day (00:00-23:59)'],
      ['22:60-06:00', 'window "22:60-06:00": 22:60 is not a time of day (00:00-23:59)'],
      ['06:00-06:00', 'window "06:00-06:00" starts and ends at the same time; leave window out to allow runs at any time'],
    ];
    for (const [text, expected] of cases) {
      const result = parseWindow(text, OSLO);
      assert.ok(!result.ok, text);
      assert.equal(result.message, expected);
    }
    const zone = parseWindow('22:00-06:00', 'Mars/Base');
    assert.ok(!zone.ok && zone.message.includes('Mars/Base'));
  });
});
