import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { parseCron } from '../../../src/scheduler/cron-schedule.js';
import { cron, runsAfter } from './scheduler-harness.js';

function message(expression: string, timezone = 'UTC'): string {
  const result = parseCron(expression, timezone);
  if (result.ok) assert.fail(`${expression} was accepted`);
  return result.message;
}

describe('cron syntax', () => {
  it('reads names, ranges, steps and lists', () => {
    assert.deepEqual(runsAfter(cron('0 9 * JAN,jul mon', 'UTC'), '2026-01-27T00:00:00Z', 2), [
      '2026-07-06T09:00:00+00:00',
      '2026-07-13T09:00:00+00:00',
    ]);
    assert.deepEqual(runsAfter(cron('10-50/20 8 * * *', 'UTC'), '2026-01-01T00:00:00Z', 3), [
      '2026-01-01T08:10:00+00:00',
      '2026-01-01T08:30:00+00:00',
      '2026-01-01T08:50:00+00:00',
    ]);
    assert.deepEqual(runsAfter(cron('45/5 8 * * *', 'UTC'), '2026-01-01T00:00:00Z', 4), [
      '2026-01-01T08:45:00+00:00',
      '2026-01-01T08:50:00+00:00',
      '2026-01-01T08:55:00+00:00',
      '2026-01-02T08:45:00+00:00',
    ]);
  });

  it('combines L with other days', () => {
    assert.deepEqual(runsAfter(cron('0 0 15,L * *', 'UTC'), '2026-02-01T00:00:00Z', 3), [
      '2026-02-15T00:00:00+00:00',
      '2026-02-28T00:00:00+00:00',
      '2026-03-15T00:00:00+00:00',
    ]);
  });

  it('treats 0 and 7 as Sunday', () => {
    const sundays = ['2026-01-04T00:00:00+00:00', '2026-01-11T00:00:00+00:00'];
    assert.deepEqual(runsAfter(cron('0 0 * * 7', 'UTC'), '2026-01-01T00:00:00Z', 2), sundays);
    assert.deepEqual(runsAfter(cron('0 0 * * 0', 'UTC'), '2026-01-01T00:00:00Z', 2), sundays);
    assert.deepEqual(runsAfter(cron('0 0 * * 6-7', 'UTC'), '2026-01-01T00:00:00Z', 2), ['2026-01-03T00:00:00+00:00', '2026-01-04T00:00:00+00:00']);
  });

  it('matches either day field when both are restricted, as Vixie cron does', () => {
    // The 13th, and every Friday: 2026-02-06 is a Friday, 2026-02-13 both.
    assert.deepEqual(runsAfter(cron('0 0 13 * 5', 'UTC'), '2026-02-01T00:00:00Z', 3), [
      '2026-02-06T00:00:00+00:00',
      '2026-02-13T00:00:00+00:00',
      '2026-02-20T00:00:00+00:00',
    ]);
    // With a day field starting with *, both must match: Fridays that fall on odd days.
    assert.deepEqual(runsAfter(cron('0 0 */2 * FRI', 'UTC'), '2026-02-01T00:00:00Z', 2), [
      '2026-02-13T00:00:00+00:00',
      '2026-02-27T00:00:00+00:00',
    ]);
  });

  it('accepts the @ shortcuts and extra spaces', () => {
    assert.deepEqual(runsAfter(cron('@daily', 'UTC'), '2026-01-01T12:00:00Z', 1), ['2026-01-02T00:00:00+00:00']);
    assert.deepEqual(runsAfter(cron('@Weekly', 'UTC'), '2026-01-01T12:00:00Z', 1), ['2026-01-04T00:00:00+00:00']);
    assert.deepEqual(runsAfter(cron('  15   *  * * * ', 'UTC'), '2026-01-01T12:00:00Z', 1), ['2026-01-01T12:15:00+00:00']);
  });

  it('fires on 29 February only in leap years', () => {
    assert.deepEqual(runsAfter(cron('0 0 29 2 *', 'UTC'), '2026-01-01T00:00:00Z', 2), ['2028-02-29T00:00:00+00:00', '2032-02-29T00:00:00+00:00']);
  });
});

describe('invalid cron expressions', () => {
  it('names the field, the text and the problem', () => {
    const cases: ReadonlyArray<[string, string]> = [
      ['61 * * * *', 'minute field "61": 61 is out of range 0-59'],
      ['0 24 * * *', 'hour field "24": 24 is out of range 0-23'],
      ['0 0 32 * *', 'day-of-month field "32": 32 is out of range 1-31'],
      ['0 0 0 * *', 'day-of-month field "0": 0 is out of range 1-31'],
      ['0 0 * 13 *', 'month field "13": 13 is out of range 1-12'],
      ['0 0 * * 8', 'day-of-week field "8": 8 is out of range 0-7'],
      ['*/0 * * * *', 'minute field "*/0": step 0 must be at least 1'],
      ['*/x * * * *', 'minute field "*/x": step "x" is not a whole number'],
      ['0 9 * * MON-FRX', 'day-of-week field "MON-FRX": "FRX" is not a number or a day name (SUN-SAT)'],
      ['0 9 * JANUARY *', 'month field "JANUARY": "JANUARY" is not a number or a month name (JAN-DEC)'],
      ['5-1 * * * *', 'minute field "5-1": range 5-1 runs backwards; write it from low to high'],
      ['1,,2 * * * *', 'minute field "1,,2": empty item in the list'],
      ['-5 * * * *', 'minute field "-5": "-5" is not a number'],
      ['L * * * *', 'minute field "L": "L" (last day) is allowed only in day-of-month'],
      ['0 0 L,32 * *', 'day-of-month field "L,32": 32 is out of range 1-31'],
      ['0 0 L/2 * *', 'day-of-month field "L/2": "L" (last day) takes no step'],
      ['? * * * *', 'minute field "?": "?" is not a number'],
    ];
    for (const [expression, expected] of cases) assert.equal(message(expression), expected, expression);
  });

  it('rejects the wrong number of fields, pointing out a seconds field', () => {
    assert.equal(message('* * *'), 'expected 5 fields (minute hour day-of-month month day-of-week), got 3');
    assert.equal(
      message('0 30 2 * * *'),
      'expected 5 fields (minute hour day-of-month month day-of-week), got 6; ferry cron has no seconds field',
    );
    assert.equal(message('   '), 'cron expression is empty');
    assert.match(message('@reboot'), /^unknown shortcut "@reboot": use @hourly, @daily/);
  });

  it('rejects an expression that can never fire', () => {
    assert.equal(message('0 0 30 2 *'), 'day-of-month field "30" never occurs in February, so the expression never fires');
    assert.equal(
      message('0 0 31 4,6,9 *'),
      'day-of-month field "31" never occurs in any month in month field "4,6,9", so the expression never fires',
    );
    assert.equal(parseCron('0 0 31 2 MON', 'UTC').ok, true, 'a weekday makes it fire');
  });

  it('reports an unknown time zone', () => {
    assert.match(message('0 0 * * *', 'Europe/Olso'), /unknown time zone "Europe\/Olso"/);
  });
});
