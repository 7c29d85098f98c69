import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileTimeZone, localTimeZone, toInstant, type TimeZone } from '../../../src/mapping/time-zone.js';
import { formatIsoDateTime, formatIsoDateTimeParts } from '../../../src/mapping/iso-format.js';
import { parseIsoDateTime } from '../../../src/mapping/iso-date-time.js';
import type { DateTimeParts } from '../../../src/mapping/date-parts.js';

function zone(name: string): TimeZone {
  const compiled = compileTimeZone(name);
  if (!compiled.ok) throw new Error(compiled.message);
  return compiled.zone;
}

function wall(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, millisecond = 0): DateTimeParts {
  return { year, month, day, hour, minute, second, millisecond };
}

/** The wall time in `name`, written back out as ISO text in the same zone. */
function inZone(name: string, p: DateTimeParts): string {
  const z = zone(name);
  return formatIsoDateTime(z.toUtc(p), z);
}

describe('compileTimeZone', () => {
  it('accepts IANA names, UTC and fixed offsets', () => {
    assert.equal(zone('Europe/Oslo').name, 'Europe/Oslo');
    assert.equal(zone('europe/oslo').name, 'Europe/Oslo');
    assert.equal(zone('UTC').name, 'UTC');
    assert.equal(zone('+05:30').name, '+05:30');
    assert.equal(zone('-0300').name, '-03:00');
    assert.equal(zone('+00:00').name, 'UTC');
  });

  it('rejects unknown names and impossible offsets with a readable message', () => {
    for (const name of ['Europe/Olso', 'Mars/Base', '', ' ', '+25:00', '+15:00', '01:00', 'Europe/Oslo ']) {
      const compiled = compileTimeZone(name);
      assert.equal(compiled.ok, false, name);
      if (!compiled.ok) assert.ok(compiled.message.length > 0);
    }
    const typo = compileTimeZone('Europe/Olso');
    assert.ok(!typo.ok && typo.message.includes('Europe/Olso'));
  });

  it('gives the machine zone as a usable zone', () => {
    const local = localTimeZone();
    assert.ok(local.name.length > 0);
    assert.equal(typeof local.offsetAt(Date.UTC(2026, 0, 1)), 'number');
  });
});

describe('TimeZone offsets', () => {
  it('knows Europe/Oslo winter and summer time', () => {
    const oslo = zone('Europe/Oslo');
    assert.equal(oslo.offsetAt(Date.UTC(2026, 0, 15, 12)), 60);
    assert.equal(oslo.offsetAt(Date.UTC(2026, 6, 15, 12)), 120);
    assert.equal(inZone('Europe/Oslo', wall(2026, 11, 23, 8, 30)), '2026-11-23T08:30:00+01:00');
    assert.equal(inZone('Europe/Oslo', wall(2026, 6, 23, 8, 30)), '2026-06-23T08:30:00+02:00');
  });

  it('changes offset exactly at the transition instant', () => {
    const berlin = zone('Europe/Berlin');
    const springUtc = Date.UTC(2026, 2, 29, 1);
    assert.equal(berlin.offsetAt(springUtc - 1), 60);
    assert.equal(berlin.offsetAt(springUtc), 120);
    assert.equal(berlin.offsetAt(springUtc - 1), 60);
  });

  it('moves a wall time in the spring-forward gap forward by the gap', () => {
    assert.equal(inZone('Europe/Berlin', wall(2026, 3, 29, 2, 30)), '2026-03-29T03:30:00+02:00');
    assert.equal(inZone('Europe/Berlin', wall(2026, 3, 29, 1, 59, 59)), '2026-03-29T01:59:59+01:00');
    assert.equal(inZone('Europe/Berlin', wall(2026, 3, 29, 3, 0)), '2026-03-29T03:00:00+02:00');
    assert.equal(inZone('America/New_York', wall(2026, 3, 8, 2, 15)), '2026-03-08T03:15:00-04:00');
  });

  it('resolves an ambiguous autumn wall time to the first occurrence', () => {
    const berlin = zone('Europe/Berlin');
    const utc = berlin.toUtc(wall(2026, 10, 25, 2, 30));
    assert.equal(utc, Date.UTC(2026, 9, 25, 0, 30));
    assert.equal(formatIsoDateTime(utc, berlin), '2026-10-25T02:30:00+02:00');
    assert.equal(formatIsoDateTime(utc + 3_600_000, berlin), '2026-10-25T02:30:00+01:00');
    assert.equal(inZone('Europe/Berlin', wall(2026, 10, 25, 3, 0)), '2026-10-25T03:00:00+01:00');
    assert.equal(inZone('America/New_York', wall(2026, 11, 1, 1, 30)), '2026-11-01T01:30:00-04:00');
  });

  it('knows America/New_York', () => {
    assert.equal(inZone('America/New_York', wall(2026, 1, 15, 9)), '2026-01-15T09:00:00-05:00');
    assert.equal(inZone('America/New_York', wall(2026, 7, 15, 9)), '2026-07-15T09:00:00-04:00');
    assert.equal(formatIsoDateTime(Date.UTC(2026, 0, 1, 3), zone('America/New_York')), '2025-12-31T22:00:00-05:00');
  });

  it('handles fixed offsets and UTC', () => {
    const india = zone('+05:30');
    assert.equal(india.offsetAt(Date.UTC(2026, 6, 1)), 330);
    assert.equal(india.toUtc(wall(2026, 11, 23, 8, 30)), Date.UTC(2026, 10, 23, 3, 0));
    assert.equal(formatIsoDateTime(Date.UTC(2026, 10, 23, 3, 0), india), '2026-11-23T08:30:00+05:30');
    assert.equal(formatIsoDateTime(Date.UTC(2026, 10, 23, 3, 0), zone('UTC')), '2026-11-23T03:00:00+00:00');
    assert.equal(formatIsoDateTime(Date.UTC(2026, 10, 23, 3, 0), zone('-03:00')), '2026-11-23T00:00:00-03:00');
  });
});

describe('formatting round trips', () => {
  it('prints milliseconds only when there are some', () => {
    const utc = zone('UTC');
    assert.equal(formatIsoDateTime(Date.UTC(2026, 10, 23, 8, 30, 0, 5), utc), '2026-11-23T08:30:00.005+00:00');
    assert.equal(formatIsoDateTime(Date.UTC(2026, 10, 23, 8, 30, 0, 500), utc), '2026-11-23T08:30:00.500+00:00');
    assert.equal(formatIsoDateTime(Date.UTC(2026, 10, 23, 8, 30), utc), '2026-11-23T08:30:00+00:00');
  });

  it('keeps an input offset as written, or converts it to a zone', () => {
    const p = parseIsoDateTime('2026-11-23T08:30:00+05:30');
    assert.ok(p !== undefined && p.offsetMinutes !== undefined);
    assert.equal(formatIsoDateTimeParts(p, p.offsetMinutes), '2026-11-23T08:30:00+05:30');
    const oslo = zone('Europe/Oslo');
    assert.equal(formatIsoDateTime(toInstant(p, oslo), oslo), '2026-11-23T04:00:00+01:00');
  });

  it('uses the zone only for zone-less input', () => {
    const oslo = zone('Europe/Oslo');
    const zoneless = parseIsoDateTime('2026-11-23T08:30:00');
    assert.ok(zoneless !== undefined);
    assert.equal(toInstant(zoneless, oslo), Date.UTC(2026, 10, 23, 7, 30));
  });

  it('round-trips every hour of a year through text and back', () => {
    for (const name of ['Europe/Oslo', 'America/New_York', 'Australia/Lord_Howe', '+05:30']) {
      const z = zone(name);
      for (let utc = Date.UTC(2026, 0, 1); utc < Date.UTC(2027, 0, 1); utc += 3_600_000 + 60_000) {
        const text = formatIsoDateTime(utc, z);
        const back = parseIsoDateTime(text);
        assert.ok(back !== undefined, text);
        assert.equal(toInstant(back, z), utc, text);
      }
    }
  });

  it('agrees with Intl on the wall clock at many instants', () => {
    for (const name of ['Europe/Oslo', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu']) {
      const z = zone(name);
      const intl = new Intl.DateTimeFormat('sv-SE', {
        timeZone: name, year: 'numeric', month: '2-digit', day: '2-digit',
        hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
      });
      for (let utc = Date.UTC(1985, 0, 1); utc < Date.UTC(2035, 0, 1); utc += 7 * 86_400_000 + 3_700_000) {
        assert.equal(formatIsoDateTime(utc, z).slice(0, 19).replace('T', ' '), intl.format(utc), `${name} ${utc}`);
      }
    }
  });

  it('handles years before 100 without Date.UTC remapping them', () => {
    const utc = zone('UTC');
    const instant = utc.toUtc(wall(99, 3, 1, 12));
    assert.equal(formatIsoDateTime(instant, utc), '0099-03-01T12:00:00+00:00');
  });
});
