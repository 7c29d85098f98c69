import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { ExprValue } from '../../../src/mapping/expr/compile.js';
import { mapperFor, mapRows, recordOf } from '../../support/mapping-fixture.js';
import { compileError, run, runtimeError, type Values } from './expr-harness.js';

/** The ISO text of a Date result, failing when the result is not a Date. */
function iso(v: ExprValue): string {
  assert.ok(v instanceof Date, `expected a Date, got ${String(v)}`);
  return v.toISOString();
}

/** The calendar day of a Date result (yyyy-MM-dd), failing unless it is 00:00 UTC. */
function day(v: ExprValue): string {
  const text = iso(v);
  assert.ok(text.endsWith('T00:00:00.000Z'), `expected a calendar date, got ${text}`);
  return text.slice(0, 10);
}

const oslo = 'Europe/Oslo';

describe('date arithmetic on calendar dates', () => {
  it('adds days across months, years and leap days', () => {
    assert.equal(day(run('addDays("2026-01-31", 1)')), '2026-02-01');
    assert.equal(day(run('addDays("2026-12-31", 1)')), '2027-01-01');
    assert.equal(day(run('addDays("2024-02-28", 1)')), '2024-02-29');
    assert.equal(day(run('addDays("2025-02-28", 1)')), '2025-03-01');
    assert.equal(day(run('addDays("2000-02-28", 1)')), '2000-02-29');
    assert.equal(day(run('addDays("2100-02-28", 1)')), '2100-03-01');
    assert.equal(day(run('addDays("2026-03-01", -1)')), '2026-02-28');
    assert.equal(day(run('addDays(d, 30)', { d: '2026-11-23' })), '2026-12-23');
  });

  it('adds months, clamping to the end of a shorter month', () => {
    assert.equal(day(run('addMonths("2026-01-31", 1)')), '2026-02-28');
    assert.equal(day(run('addMonths("2024-01-31", 1)')), '2024-02-29');
    assert.equal(day(run('addMonths("2026-08-31", 1)')), '2026-09-30');
    assert.equal(day(run('addMonths("2026-03-31", -1)')), '2026-02-28');
    assert.equal(day(run('addMonths("2024-02-29", 12)')), '2025-02-28');
    assert.equal(day(run('addMonths("2026-11-15", 14)')), '2028-01-15');
    assert.equal(day(run('addMonths("2026-01-15", -13)')), '2024-12-15');
    assert.equal(day(run('addMonths(addMonths("2026-01-31", 1), 1)')), '2026-03-28', 'the clamp is not undone later');
  });

  it('counts whole days from the first date to the second', () => {
    assert.equal(run('daysBetween("2026-11-23", "2026-12-23")'), 30);
    assert.equal(run('daysBetween("2026-12-23", "2026-11-23")'), -30);
    assert.equal(run('daysBetween("2024-01-01", "2025-01-01")'), 366);
    assert.equal(run('daysBetween("2025-01-01", "2026-01-01")'), 365);
    assert.equal(run('daysBetween("2026-02-01", "2026-03-01")'), 28);
    assert.equal(run('daysBetween(d, addDays(d, 45))', { d: '2026-11-23' }), 45);
  });

  it('builds dates from numbers, refusing days that do not exist', () => {
    assert.equal(day(run('date(2026, 11, 23)')), '2026-11-23');
    assert.equal(day(run('date(2024, 2, 29)')), '2024-02-29');
    assert.equal(day(run('date(y, m, 1)', { y: 2026, m: '3' })), '2026-03-01');
    for (const source of ['date(2025, 2, 29)', 'date(1900, 2, 29)', 'date(2026, 13, 1)', 'date(2026, 4, 31)', 'date(0, 1, 1)']) {
      assert.equal(runtimeError(source).code, 'expr_argument', source);
    }
    assert.equal(runtimeError('date(2026, 1.5, 1)').code, 'expr_type');
  });

  it('compares date results with each other', () => {
    assert.equal(run('addDays(d, 1) > date(2026, 1, 31)', { d: '2026-01-31' }), true);
    assert.equal(run('addMonths("2026-01-31", 1) == date(2026, 2, 28)'), true);
    assert.equal(run('max(date(2026, 1, 1), parseDate("02.01.2026", "dd.MM.yyyy"))')?.valueOf(), Date.UTC(2026, 0, 2));
  });

  it('refuses results outside the years 0001-9999', () => {
    assert.equal(runtimeError('addDays("9999-12-31", 1)').code, 'expr_argument');
    assert.equal(runtimeError('addMonths("0001-01-31", -1)').code, 'expr_argument');
    assert.equal(runtimeError('addDays("2026-01-01", 99999999)').code, 'expr_argument');
    assert.match(runtimeError('addDays("9999-12-31", 1)').message, /outside the years 0001-9999/);
  });
});

describe('date arithmetic across daylight saving time (Europe/Oslo)', () => {
  it('adds hours and minutes as elapsed time over the spring gap (2026-03-29)', () => {
    const t: Values = { t: '2026-03-29T01:30:00+01:00' };
    assert.equal(iso(run('addHours(t, 1)', t)), '2026-03-29T01:30:00.000Z');
    assert.equal(run(`formatDate(addHours(t, 1), "HH:mm XXX", "${oslo}")`, t), '03:30 +02:00');
    assert.equal(run(`formatDate(addMinutes(t, 29), "HH:mm XXX", "${oslo}")`, t), '01:59 +01:00');
    assert.equal(run(`formatDate(addMinutes(t, 30), "HH:mm XXX", "${oslo}")`, t), '03:00 +02:00');
  });

  it('adds hours and minutes as elapsed time over the autumn overlap (2026-10-25)', () => {
    const t: Values = { t: '2026-10-25T01:30:00+02:00' };
    assert.equal(run(`formatDate(addHours(t, 1), "HH:mm XXX", "${oslo}")`, t), '02:30 +02:00');
    assert.equal(run(`formatDate(addHours(t, 2), "HH:mm XXX", "${oslo}")`, t), '02:30 +01:00');
    assert.equal(run(`formatDate(addMinutes("2026-10-25T02:59:00+02:00", 1), "HH:mm XXX", "${oslo}")`), '02:00 +01:00');
  });

  it('keeps the local time when adding days or months in a zone', () => {
    assert.equal(run(`formatDate(addDays("2026-03-28T12:00:00+01:00", 1, "${oslo}"), "yyyy-MM-dd HH:mm XXX", "${oslo}")`), '2026-03-29 12:00 +02:00');
    assert.equal(iso(run(`addDays("2026-03-28T12:00:00+01:00", 1, "${oslo}")`)), '2026-03-29T10:00:00.000Z', 'a 23-hour day');
    assert.equal(iso(run(`addDays("2026-10-24T12:00:00+02:00", 1, "${oslo}")`)), '2026-10-25T11:00:00.000Z', 'a 25-hour day');
    assert.equal(run(`formatDate(addMonths("2026-02-28T09:00:00+01:00", 1, "${oslo}"), "dd.MM.yyyy HH:mm XXX", "${oslo}")`), '28.03.2026 09:00 +01:00');
    assert.equal(run(`formatDate(addMonths("2026-02-28T09:00:00+01:00", 2, "${oslo}"), "dd.MM.yyyy HH:mm XXX", "${oslo}")`), '28.04.2026 09:00 +02:00');
  });

  it('moves a local time that falls into the spring gap forward by the gap', () => {
    assert.equal(run(`formatDate(addDays("2026-03-28T02:30:00+01:00", 1, "${oslo}"), "HH:mm XXX", "${oslo}")`), '03:30 +02:00');
    assert.equal(iso(run(`parseDate("29.03.2026 02:30", "dd.MM.yyyy HH:mm", "${oslo}")`)), '2026-03-29T01:30:00.000Z');
    assert.equal(iso(run(`parseDate("25.10.2026 02:30", "dd.MM.yyyy HH:mm", "${oslo}")`)), '2026-10-25T00:30:00.000Z', 'the earlier of two 02:30s');
  });

  it('without a zone, counts days on the clock the text was written with (24 hours a day)', () => {
    assert.equal(iso(run('addDays("2026-03-28T12:00:00+01:00", 1)')), '2026-03-29T11:00:00.000Z');
    assert.equal(run('formatDate(addDays("2026-02-28T23:30:00-02:00", 0), "yyyy-MM-dd HH:mm")'), '2026-03-01 01:30', 'a Date result is shown in UTC');
    assert.equal(iso(run('addMonths("2026-02-28T23:30:00-02:00", 1)')), '2026-03-29T01:30:00.000Z', 'Feb 28 on its own clock becomes Mar 28');
  });

  it('counts calendar days, not 24-hour spans, across a 23-hour and a 25-hour day', () => {
    assert.equal(run(`daysBetween("2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00", "${oslo}")`), 1);
    assert.equal(run(`daysBetween("2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00", "${oslo}")`), 1);
    assert.equal(run(`daysBetween("2026-03-28T23:30:00+01:00", "2026-03-29T00:30:00+01:00", "${oslo}")`), 1, 'one midnight crossed in an hour');
    assert.equal(run(`daysBetween("2026-03-28T00:30:00+01:00", "2026-03-28T23:30:00+01:00", "${oslo}")`), 0);
  });

  it('does not move calendar dates across DST', () => {
    assert.equal(day(run(`addDays("2026-03-28", 1, "${oslo}")`)), '2026-03-29');
    assert.equal(day(run(`addDays("2026-03-29", 1, "${oslo}")`)), '2026-03-30');
    assert.equal(day(run(`addDays("2026-10-24", 2, "${oslo}")`)), '2026-10-26');
    assert.equal(run(`daysBetween("2026-03-28", "2026-03-30", "${oslo}")`), 2);
  });
});

describe('calendar dates and time zones', () => {
  it('never shifts a calendar date by a time zone', () => {
    for (const zone of ['Pacific/Kiritimati', 'Pacific/Pago_Pago', 'America/Los_Angeles', oslo, '-11:00', '+14:00']) {
      assert.equal(run(`formatDate("2026-11-23", "dd.MM.yyyy", "${zone}")`), '23.11.2026', zone);
      assert.equal(run(`formatDate(date(2026, 3, 29), "yyyy-MM-dd", "${zone}")`), '2026-03-29', zone);
      assert.equal(day(run(`addMonths("2026-01-31", 1, "${zone}")`)), '2026-02-28', zone);
    }
  });

  it('gives the same results whatever the machine time zone is', () => {
    const sources = [
      'formatDate(addDays("2026-03-28", 1), "dd.MM.yyyy")',
      'formatDate(parseDate("23.11.2026 08:30", "dd.MM.yyyy HH:mm"), "yyyy-MM-dd HH:mm")',
      'daysBetween("2026-03-29", "2026-10-25")',
      'formatDate("2026-11-23T08:30:00+01:00", "HH:mm")',
    ];
    const before = process.env.TZ;
    const results: ExprValue[][] = [];
    try {
      for (const tz of ['UTC', 'Pacific/Kiritimati', 'America/Los_Angeles', oslo]) {
        process.env.TZ = tz;
        results.push(sources.map((s) => run(s)));
      }
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
    for (const r of results) assert.deepEqual(r, ['29.03.2026', '2026-11-23 08:30', 210, '08:30']);
  });

  it('shows an instant in the zone given, else at the offset its text was written with, else in UTC', () => {
    const t: Values = { t: '2026-11-23T08:30:00+01:00' };
    assert.equal(run('formatDate(t, "HH:mm")', t), '08:30');
    assert.equal(run('formatDate(t, "HH:mm", "UTC")', t), '07:30');
    assert.equal(run('formatDate(t, "dd.MM.yyyy HH:mm", "America/New_York")', t), '23.11.2026 02:30');
    assert.equal(run('formatDate(t, "dd.MM.yyyy HH:mm", "Pacific/Kiritimati")', t), '23.11.2026 21:30');
    assert.equal(run('formatDate(addHours(t, 0), "HH:mm")', t), '07:30', 'a Date has no offset of its own');
    assert.equal(run('formatDate("2026-11-23T08:30:00", "HH:mm")'), '08:30', 'text without an offset is UTC');
  });
});

describe('formatDate', () => {
  const t: Values = { t: '2026-03-05T14:07:09.045+01:00', d: '2026-03-05' };

  it('writes the pattern letters a date format reads', () => {
    assert.equal(run('formatDate(d, "dd.MM.yyyy")', t), '05.03.2026');
    assert.equal(run('formatDate(d, "d.M.yy")', t), '5.3.26');
    assert.equal(run('formatDate(d, "yyyyMMdd")', t), '20260305');
    assert.equal(run('formatDate(t, "yyyy-MM-dd\'T\'HH:mm:ss.SSSXXX")', t), '2026-03-05T14:07:09.045+01:00');
    assert.equal(run('formatDate(t, "H:m:s")', t), '14:7:9');
    assert.equal(run('formatDate(t, "h:mm a")', t), '2:07 PM');
    assert.equal(run('formatDate("2026-03-05T00:15:00Z", "hh:mm a")'), '12:15 AM');
    assert.equal(run('formatDate(t, "S SS SSSS")', t), '0 04 0450');
    assert.equal(run('formatDate(t, "d MMM yyyy, MMMM")', t), '5 Mar 2026, March');
    assert.equal(run('formatDate(d, "EEE EEEE")', t), 'Thu Thursday');
  });

  it('writes offsets with X, x and Z', () => {
    assert.equal(run('formatDate(t, "X XX XXX x xx xxx Z ZZZZZ")', t), '+01 +0100 +01:00 +01 +0100 +01:00 +0100 +01:00');
    assert.equal(run('formatDate(t, "X XXX x ZZZZZ", "UTC")', t), 'Z Z +00 Z');
    assert.equal(run('formatDate(t, "XXX X", "Asia/Kolkata")', t), '+05:30 +0530');
    assert.equal(run('formatDate(t, "XXX", "America/St_Johns")', t), '-03:30');
  });

  it('keeps quoted and non-letter text as written', () => {
    assert.equal(run('formatDate(d, "\'Week of\' d/M")', t), 'Week of 5/3');
    assert.equal(run('formatDate(d, "dd\'\'MM")', t), "05'03");
    assert.equal(run('formatDate(d, "yyyy \'o\'\'clock\'")', t), "2026 o'clock");
  });

  it('needs its pattern and time zone as quoted text, checked when the profile is compiled', () => {
    assert.equal(compileError('formatDate(d, p)').code, 'expr_pattern');
    assert.equal(compileError('formatDate(d, "yyyy-QQ")').code, 'expr_pattern');
    assert.match(compileError('formatDate(d, "yyyy-QQ")').message, /unsupported letter 'Q'/);
    assert.match(compileError('formatDate(d, "yyy")').message, /unsupported field 'yyy'/);
    assert.match(compileError('formatDate(d, "dd \'T")').message, /not closed/);
    assert.equal(compileError('formatDate(d, "")').code, 'expr_pattern');
    const zone = compileError('formatDate(d, "dd", "Mars/Olympus")');
    assert.equal(zone.code, 'expr_timezone');
    assert.match(zone.message, /unknown time zone "Mars\/Olympus"/);
    assert.equal(zone.column, 21);
    assert.equal(compileError('formatDate(d, "dd", z)').code, 'expr_timezone');
    assert.equal(compileError('formatDate(d)').code, 'expr_arity');
  });
});

describe('parseDate', () => {
  it('reads text with the pattern letters of a date format', () => {
    assert.equal(day(run('parseDate("23.11.2026", "dd.MM.yyyy")')), '2026-11-23');
    assert.equal(day(run('parseDate("1.2.2026", "dd.MM.yyyy")')), '2026-02-01');
    assert.equal(day(run('parseDate(n, "yyyyMMdd")', { n: 20261123 })), '2026-11-23');
    assert.equal(day(run('parseDate("23. nov. 2026", "d. MMM yyyy")')), '2026-11-23');
    assert.equal(day(run('parseDate(" 29/02/24 ", "dd/MM/yy")')), '2024-02-29');
    assert.equal(iso(run('parseDate("23.11.2026 08:30", "dd.MM.yyyy HH:mm")')), '2026-11-23T08:30:00.000Z');
    assert.equal(iso(run('parseDate("23.11.2026 08:30 +0100", "dd.MM.yyyy HH:mm Z", "UTC")')), '2026-11-23T07:30:00.000Z');
    assert.equal(iso(run(`parseDate("23.11.2026 00:00", "dd.MM.yyyy HH:mm", "${oslo}")`)), '2026-11-22T23:00:00.000Z');
  });

  it('gives a calendar date for a pattern without time, whatever the zone', () => {
    assert.equal(day(run('parseDate("23.11.2026", "dd.MM.yyyy", "Pacific/Kiritimati")')), '2026-11-23');
  });

  it('refuses text that does not fit or is no real day', () => {
    for (const source of ['parseDate("2026-11-23", "dd.MM.yyyy")', 'parseDate("31.02.2026", "dd.MM.yyyy")', 'parseDate("29.02.2025", "dd.MM.yyyy")']) {
      const e = runtimeError(source);
      assert.equal(e.code, 'expr_argument', source);
      assert.match(e.message, /cannot read ".*" as a date with the pattern dd\.MM\.yyyy/);
    }
  });

  it('checks its pattern when the profile is compiled', () => {
    assert.match(compileError('parseDate(x, "dd.MM")').message, /there is no year/);
    assert.equal(compileError('parseDate(x, pattern)').code, 'expr_pattern');
    assert.equal(compileError('parseDate(x, "dd.MM.yyyy", "Nowhere/City")').code, 'expr_timezone');
  });

  it('feeds the other date functions', () => {
    assert.equal(run('formatDate(addDays(parseDate(row.Date, "dd.MM.yyyy"), 14), "yyyy-MM-dd")', {}, { Date: '20.12.2026' }), '2027-01-03');
  });
});

describe('date inputs', () => {
  it('accepts Dates and ISO text, as date and datetime fields hold them', () => {
    assert.equal(day(run('addDays(d, 1)', { d: new Date(Date.UTC(2026, 10, 23)) })), '2026-11-24');
    assert.equal(day(run('addDays(d, 1)', { d: '2026-11-23T00:00:00.000Z' })), '2026-11-24');
    assert.equal(iso(run('addHours(d, 1)', { d: '2026-11-23T08:30:00+01:00' })), '2026-11-23T08:30:00.000Z');
    assert.equal(iso(run('addMinutes(d, 90)', { d: '2026-11-23 08:30' })), '2026-11-23T10:00:00.000Z');
    assert.equal(day(run('addDays(d, 0)', { d: ' 2026-11-23 ' })), '2026-11-23');
  });

  it('gives null for absent or empty inputs', () => {
    for (const source of [
      'addDays(missing, 1)', 'addDays("2026-01-01", missing)', 'addMonths(missing, 1)', 'addHours(missing, 1)',
      'addMinutes("2026-01-01", missing)', 'daysBetween(missing, "2026-01-01")', 'daysBetween("2026-01-01", missing)',
      'formatDate(missing, "dd.MM.yyyy")', 'parseDate(missing, "dd.MM.yyyy")', 'parseDate("", "dd.MM.yyyy")',
      'date(missing, 1, 1)', 'addDays("", 1)', 'formatDate(row.Date, "dd.MM.yyyy")',
    ]) {
      assert.equal(run(source), null, source);
    }
    assert.equal(run('formatDate(d, "dd.MM.yyyy") ?? "no date"'), 'no date');
  });

  it('refuses text that is not an ISO date, and other kinds', () => {
    const e = runtimeError('addDays("23.11.2026", 1)');
    assert.equal(e.code, 'expr_type');
    assert.match(e.message, /cannot read "23\.11\.2026" as a date.*parseDate/);
    assert.equal(runtimeError('addDays("2026-02-30", 1)').code, 'expr_type');
    assert.equal(runtimeError('addDays(45000, 1)').code, 'expr_type');
    assert.equal(runtimeError('formatDate([1], "dd")').code, 'expr_type');
    assert.equal(runtimeError('addDays(d, 1)', { d: new Date(Number.NaN) }).code, 'expr_type');
    assert.equal(runtimeError('addDays("2026-01-01", 1.5)').code, 'expr_type');
    assert.equal(runtimeError('addHours("2026-01-01", "x")').code, 'expr_type');
  });
});

describe('dates in profiles', () => {
  it('compute due dates from date fields and write them through the field type', () => {
    const mapper = mapperFor({
      invoiceDate: { from: 'Date', type: 'date', format: 'dd.MM.yyyy' },
      shipped: { from: 'Shipped', type: 'datetime', format: 'dd.MM.yyyy HH:mm', timezone: oslo },
      due: { expr: 'addDays(invoiceDate, 30)', type: 'date' },
      monthEnd: { expr: 'addMonths(invoiceDate, 1)', type: 'date' },
      dueText: { expr: 'formatDate(addDays(invoiceDate, 30), "dd.MM.yyyy")' },
      shippedLocal: { expr: 'formatDate(shipped, "dd.MM.yyyy HH:mm")' },
      pickup: { expr: `addDays(shipped, 1, "${oslo}")`, type: 'datetime', timezone: oslo },
      late: { expr: 'daysBetween(invoiceDate, shipped) > 2', type: 'boolean' },
    }, ['Date', 'Shipped']);
    const [a] = mapRows(mapper, [['31.01.2026', '28.03.2026 12:00']]);
    assert.deepEqual(recordOf(a), {
      invoiceDate: '2026-01-31',
      shipped: '2026-03-28T12:00:00+01:00',
      due: '2026-03-02',
      monthEnd: '2026-02-28',
      dueText: '02.03.2026',
      shippedLocal: '28.03.2026 12:00',
      pickup: '2026-03-29T12:00:00+02:00',
      late: true,
    });
  });
});
