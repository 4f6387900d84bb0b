// Local wall-clock time in IANA zones becomes the right instant, including across DST changes,
// and durations add days by the calendar and hours by the clock.
import { describe, expect, it } from 'vitest';
import {
  addDuration,
  isKnownTimeZone,
  localToUtc,
  parseDuration,
  utcToLocal,
} from '../../electron/core/pim/time-zones';

const iso = (d: Date): string => d.toISOString();

describe('localToUtc', () => {
  it('uses winter and summer offsets on either side of the change', () => {
    expect(iso(localToUtc('2026-03-28T09:00:00', 'Europe/Berlin'))).toBe('2026-03-28T08:00:00.000Z');
    expect(iso(localToUtc('2026-03-30T09:00:00', 'Europe/Berlin'))).toBe('2026-03-30T07:00:00.000Z');
    expect(iso(localToUtc('2026-03-07T09:00:00', 'America/New_York'))).toBe('2026-03-07T14:00:00.000Z');
    expect(iso(localToUtc('2026-03-09T09:00:00', 'America/New_York'))).toBe('2026-03-09T13:00:00.000Z');
  });

  it('moves a time in the spring-forward gap forward by the gap, as RFC 5545 says', () => {
    // 02:30 does not exist in Berlin on 29 March 2026; it is read with the winter offset: 03:30 CEST.
    const t = localToUtc('2026-03-29T02:30:00', 'Europe/Berlin');
    expect(iso(t)).toBe('2026-03-29T01:30:00.000Z');
    expect(utcToLocal(t, 'Europe/Berlin')).toBe('2026-03-29T03:30:00');
  });

  it('takes the first of the two instants in the autumn overlap', () => {
    // 02:30 happens twice in Berlin on 25 October 2026: first in CEST (00:30Z), then in CET (01:30Z).
    expect(iso(localToUtc('2026-10-25T02:30:00', 'Europe/Berlin'))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(localToUtc('2026-11-01T01:30:00', 'America/New_York'))).toBe('2026-11-01T05:30:00.000Z');
  });

  it('places floating times, and zones the platform does not know, in the default zone', () => {
    expect(iso(localToUtc('2026-07-01T12:00:00', null, 'Asia/Tokyo'))).toBe('2026-07-01T03:00:00.000Z');
    expect(iso(localToUtc('2026-07-01T12:00:00', '/example.com/Custom', 'UTC'))).toBe('2026-07-01T12:00:00.000Z');
  });

  it('round-trips through utcToLocal in zones with half-hour offsets and no DST', () => {
    for (const zone of ['Asia/Kolkata', 'Australia/Adelaide', 'UTC', 'Pacific/Chatham']) {
      const local = '2026-01-15T23:45:10';
      expect(utcToLocal(localToUtc(local, zone), zone)).toBe(local);
    }
    expect(iso(localToUtc('2026-01-15T10:00:00', 'Asia/Kolkata'))).toBe('2026-01-15T04:30:00.000Z');
  });
});

describe('isKnownTimeZone', () => {
  it('knows IANA names and rejects others', () => {
    expect(isKnownTimeZone('Europe/Berlin')).toBe(true);
    expect(isKnownTimeZone('UTC')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isKnownTimeZone(null)).toBe(false);
  });
});

describe('durations', () => {
  it('parses weeks, days, times, fractions and signs', () => {
    expect(parseDuration('P1W')).toMatchObject({ sign: 1, weeks: 1, days: 0 });
    expect(parseDuration('P2DT3H4M5S')).toMatchObject({ days: 2, hours: 3, minutes: 4, seconds: 5 });
    expect(parseDuration('-PT15M')).toMatchObject({ sign: -1, minutes: 15 });
    expect(parseDuration('PT1.5S').seconds).toBe(1.5);
    for (const bad of ['', 'P', 'PT', '1D', 'P1H', 'PT1D', 'P1.5D']) expect(() => parseDuration(bad)).toThrow(RangeError);
  });

  it('adds a day by the calendar but 24 hours by the clock across the spring change', () => {
    const start = localToUtc('2026-03-28T12:00:00', 'Europe/Berlin');
    expect(utcToLocal(addDuration(start, 'P1D', 'Europe/Berlin'), 'Europe/Berlin')).toBe('2026-03-29T12:00:00');
    expect(addDuration(start, 'P1D', 'Europe/Berlin').getTime() - start.getTime()).toBe(23 * 3_600_000);
    expect(utcToLocal(addDuration(start, 'PT24H', 'Europe/Berlin'), 'Europe/Berlin')).toBe('2026-03-29T13:00:00');
  });

  it('subtracts a signed duration, as an alert offset does', () => {
    const start = localToUtc('2026-03-30T09:00:00', 'Europe/Berlin');
    expect(iso(addDuration(start, '-PT15M', 'Europe/Berlin'))).toBe('2026-03-30T06:45:00.000Z');
    // One calendar day before Monday 09:00 CEST is Sunday 09:00, already summer time.
    expect(iso(addDuration(start, '-P1D', 'Europe/Berlin'))).toBe('2026-03-29T07:00:00.000Z');
    expect(iso(addDuration(start, '-P2D', 'Europe/Berlin'))).toBe('2026-03-28T08:00:00.000Z');
  });
});
