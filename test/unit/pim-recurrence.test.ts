// Recurring events expand into the occurrences a calendar shows: at the same wall-clock time
// across DST, with overrides, exclusions and added dates, and always bounded.
import { describe, expect, it } from 'vitest';
import type { CalendarEvent, RecurrenceRule } from '../../electron/core/pim/model';
import { applyPatch, expandAll, expandEvent, MAX_STEPS, type Occurrence } from '../../electron/core/pim/recurrence';
import { utcToLocal } from '../../electron/core/pim/time-zones';

function event(fields: Partial<CalendarEvent>): CalendarEvent {
  return {
    '@type': 'Event',
    id: 'e1',
    uid: 'u1',
    calendarIds: { c1: true },
    title: 'Standup',
    description: '',
    start: '2026-03-02T09:00:00',
    timeZone: 'Europe/Berlin',
    duration: 'PT30M',
    showWithoutTime: false,
    status: 'confirmed',
    recurrenceRules: null,
    recurrenceOverrides: null,
    locations: null,
    participants: null,
    alerts: null,
    ...fields,
  };
}

/** Bounded, not fast: generous, as tests share the machine with other work. */
const BOUNDED_MS = 3000;
const weekly: RecurrenceRule = { '@type': 'RecurrenceRule', frequency: 'weekly' };
const range = (from: string, to: string) => ({ from: new Date(from), to: new Date(to) });
const starts = (list: Occurrence[]): string[] => list.map((o) => o.start.toISOString());
const localStarts = (list: Occurrence[], zone: string): string[] => list.map((o) => utcToLocal(o.start, zone));

describe('expandEvent across DST', () => {
  it('keeps a weekly 09:00 Berlin meeting at 09:00 local, so its UTC hour moves on 29 March', () => {
    const occ = expandEvent(event({ recurrenceRules: [weekly] }), range('2026-03-16T00:00:00Z', '2026-04-07T00:00:00Z'));
    expect(starts(occ)).toEqual(['2026-03-16T08:00:00.000Z', '2026-03-23T08:00:00.000Z', '2026-03-30T07:00:00.000Z', '2026-04-06T07:00:00.000Z']);
    expect(localStarts(occ, 'Europe/Berlin').every((s) => s.endsWith('T09:00:00'))).toBe(true);
    expect(occ.map((o) => o.recurrenceId)).toEqual(['2026-03-16T09:00:00', '2026-03-23T09:00:00', '2026-03-30T09:00:00', '2026-04-06T09:00:00']);
    expect(occ[0]!.end.toISOString()).toBe('2026-03-16T08:30:00.000Z');
  });

  it('does the same in New York, in spring and autumn', () => {
    const e = event({ timeZone: 'America/New_York', start: '2026-01-05T09:00:00', recurrenceRules: [weekly] });
    expect(starts(expandEvent(e, range('2026-03-01T00:00:00Z', '2026-03-14T00:00:00Z')))).toEqual(['2026-03-02T14:00:00.000Z', '2026-03-09T13:00:00.000Z']);
    expect(starts(expandEvent(e, range('2026-10-25T00:00:00Z', '2026-11-07T00:00:00Z')))).toEqual(['2026-10-26T13:00:00.000Z', '2026-11-02T14:00:00.000Z']);
  });

  it('shows a New York meeting an hour earlier in Berlin during the weeks the two changes differ', () => {
    const e = event({ timeZone: 'America/New_York', start: '2026-01-05T09:00:00', recurrenceRules: [weekly] });
    const occ = expandEvent(e, range('2026-03-01T00:00:00Z', '2026-04-05T00:00:00Z'), { defaultTimeZone: 'Europe/Berlin' });
    expect(localStarts(occ, 'Europe/Berlin')).toEqual([
      '2026-03-02T15:00:00',
      '2026-03-09T14:00:00',
      '2026-03-16T14:00:00',
      '2026-03-23T14:00:00',
      '2026-03-30T15:00:00',
    ]);
  });

  it('moves a daily 02:30 Berlin event to 03:30 on the day 02:30 does not exist, keeping its recurrence id', () => {
    const e = event({ start: '2026-03-27T02:30:00', recurrenceRules: [{ '@type': 'RecurrenceRule', frequency: 'daily' }] });
    const occ = expandEvent(e, range('2026-03-27T00:00:00Z', '2026-03-31T00:00:00Z'));
    expect(localStarts(occ, 'Europe/Berlin')).toEqual(['2026-03-27T02:30:00', '2026-03-28T02:30:00', '2026-03-29T03:30:00', '2026-03-30T02:30:00']);
    expect(occ[2]!.start.toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(occ[2]!.recurrenceId).toBe('2026-03-29T02:30:00');
  });

  it('places floating events at the same wall-clock time in whatever zone is the default', () => {
    const e = event({ timeZone: null, recurrenceRules: [weekly] });
    const r = range('2026-03-01T00:00:00Z', '2026-03-08T00:00:00Z');
    expect(starts(expandEvent(e, r, { defaultTimeZone: 'Asia/Tokyo' }))).toEqual(['2026-03-02T00:00:00.000Z']);
    expect(starts(expandEvent(e, r, { defaultTimeZone: 'Europe/Berlin' }))).toEqual(['2026-03-02T08:00:00.000Z']);
  });
});

describe('expandEvent rules', () => {
  it('finds the last Friday of each month', () => {
    const e = event({ start: '2026-01-30T16:00:00', recurrenceRules: [{ '@type': 'RecurrenceRule', frequency: 'monthly', byDay: [{ day: 'fr', nthOfPeriod: -1 }] }] });
    const occ = expandEvent(e, range('2026-01-01T00:00:00Z', '2026-07-01T00:00:00Z'));
    expect(localStarts(occ, 'Europe/Berlin').map((s) => s.slice(0, 10))).toEqual(['2026-01-30', '2026-02-27', '2026-03-27', '2026-04-24', '2026-05-29', '2026-06-26']);
  });

  it('finds the first and third Tuesday of each month', () => {
    const e = event({ start: '2026-03-03T10:00:00', recurrenceRules: [{ '@type': 'RecurrenceRule', frequency: 'monthly', byDay: [{ day: 'tu', nthOfPeriod: 1 }, { day: 'tu', nthOfPeriod: 3 }] }] });
    const occ = expandEvent(e, range('2026-03-01T00:00:00Z', '2026-05-01T00:00:00Z'));
    expect(occ.map((o) => o.recurrenceId)).toEqual(['2026-03-03T10:00:00', '2026-03-17T10:00:00', '2026-04-07T10:00:00', '2026-04-21T10:00:00']);
  });

  it('repeats yearly on the second Sunday of May, and skips 29 February in common years', () => {
    const mothers = event({ start: '2026-05-10T00:00:00', showWithoutTime: true, duration: 'P1D', recurrenceRules: [{ '@type': 'RecurrenceRule', frequency: 'yearly', byMonth: ['5'], byDay: [{ day: 'su', nthOfPeriod: 2 }] }] });
    expect(starts(expandEvent(mothers, range('2026-01-01T00:00:00Z', '2029-01-01T00:00:00Z')))).toEqual(['2026-05-10T00:00:00.000Z', '2027-05-09T00:00:00.000Z', '2028-05-14T00:00:00.000Z']);
    const leap = event({ start: '2024-02-29T12:00:00', timeZone: 'UTC', recurrenceRules: [{ '@type': 'RecurrenceRule', frequency: 'yearly' }] });
    expect(starts(expandEvent(leap, range('2024-01-01T00:00:00Z', '2033-01-01T00:00:00Z')))).toEqual(['2024-02-29T12:00:00.000Z', '2028-02-29T12:00:00.000Z', '2032-02-29T12:00:00.000Z']);
  });

  it('stops after COUNT occurrences, counting a start that does not match the rule', () => {
    const daily = event({ recurrenceRules: [{ '@type': 'RecurrenceRule', frequency: 'daily', count: 5 }] });
    expect(expandEvent(daily, range('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'))).toHaveLength(5);
    // Starts on a Wednesday, repeats on Thursdays: Wed 4, Thu 5, Thu 12 (RFC 5545: DTSTART counts).
    const thursdays = event({ start: '2026-03-04T09:00:00', recurrenceRules: [{ '@type': 'RecurrenceRule', frequency: 'weekly', byDay: [{ day: 'th' }], count: 3 }] });
    expect(expandEvent(thursdays, range('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).map((o) => o.recurrenceId)).toEqual([
      '2026-03-04T09:00:00',
      '2026-03-05T09:00:00',
      '2026-03-12T09:00:00',
    ]);
  });

  it('stops at UNTIL, which includes an occurrence exactly at it', () => {
    const e = event({ recurrenceRules: [{ ...weekly, until: '2026-03-23T09:00:00' }] });
    expect(expandEvent(e, range('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).map((o) => o.recurrenceId)).toEqual([
      '2026-03-02T09:00:00',
      '2026-03-09T09:00:00',
      '2026-03-16T09:00:00',
      '2026-03-23T09:00:00',
    ]);
  });

  it('removes what excludedRecurrenceRules produce', () => {
    const e = event({
      recurrenceRules: [weekly],
      excludedRecurrenceRules: [{ '@type': 'RecurrenceRule', frequency: 'monthly', byDay: [{ day: 'mo', nthOfPeriod: 1 }] }],
    });
    expect(expandEvent(e, range('2026-03-01T00:00:00Z', '2026-04-14T00:00:00Z')).map((o) => o.recurrenceId?.slice(0, 10))).toEqual([
      '2026-03-09',
      '2026-03-16',
      '2026-03-23',
      '2026-03-30',
      '2026-04-13',
    ]);
  });

  it('refuses rules that would make ical.js loop forever, keeping the start', () => {
    const hopeless: RecurrenceRule[] = [
      { '@type': 'RecurrenceRule', frequency: 'daily', byMonth: ['2'], byMonthDay: [30] },
      { '@type': 'RecurrenceRule', frequency: 'secondly', byMonth: ['4'], byMonthDay: [31] },
      { '@type': 'RecurrenceRule', frequency: 'hourly', byHour: [25] },
      { '@type': 'RecurrenceRule', frequency: 'daily', byDay: [{ day: 'mo', nthOfPeriod: 1 }] },
      { '@type': 'RecurrenceRule', frequency: 'daily', count: 0 },
    ];
    for (const rule of hopeless) {
      const e = event({ start: '2026-01-05T09:00:00', recurrenceRules: [rule] });
      expect(expandEvent(e, range('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).map((o) => o.recurrenceId)).toEqual(['2026-01-05T09:00:00']);
    }
  });

  it('treats malformed rules and overrides from a server as absent instead of failing', () => {
    const e = {
      ...event({ start: '2026-01-05T09:00:00' }),
      recurrenceRules: [{ frequency: 'fortnightly' }, { frequency: 'weekly', byDay: 'mo' }, null, { frequency: 'weekly', count: 2 }],
      recurrenceOverrides: { 'not a date': { title: 'x' }, '2026-01-20T09:00:00': null },
    } as unknown as CalendarEvent;
    expect(expandEvent(e, range('2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z')).map((o) => o.recurrenceId)).toEqual(['2026-01-05T09:00:00', '2026-01-12T09:00:00']);
    const notArrays = { ...event({}), recurrenceRules: 5, recurrenceOverrides: 'x' } as unknown as CalendarEvent;
    expect(expandEvent(notArrays, range('2026-03-01T00:00:00Z', '2026-03-03T00:00:00Z'))).toHaveLength(1);
  });

  it('gives up on a rule that can never match without hanging, keeping the start', () => {
    const e = event({ start: '2026-02-01T09:00:00', recurrenceRules: [{ '@type': 'RecurrenceRule', frequency: 'yearly', byMonth: ['2'], byMonthDay: [30] }] });
    const t0 = performance.now();
    expect(expandEvent(e, range('2026-01-01T00:00:00Z', '2100-01-01T00:00:00Z')).map((o) => o.recurrenceId)).toEqual(['2026-02-01T09:00:00']);
    expect(performance.now() - t0).toBeLessThan(BOUNDED_MS);
  });
});

describe('expandEvent overrides', () => {
  const r = range('2026-03-01T00:00:00Z', '2026-03-31T00:00:00Z');

  it('drops an occurrence whose override is {excluded: true}', () => {
    const e = event({ recurrenceRules: [weekly], recurrenceOverrides: { '2026-03-16T09:00:00': { excluded: true } } });
    expect(expandEvent(e, r).map((o) => o.recurrenceId)).toEqual(['2026-03-02T09:00:00', '2026-03-09T09:00:00', '2026-03-23T09:00:00', '2026-03-30T09:00:00']);
  });

  it('moves an occurrence and patches its fields, keeping its recurrence id', () => {
    const e = event({
      recurrenceRules: [weekly],
      locations: { l1: { '@type': 'Location', name: 'Room 1' } },
      recurrenceOverrides: { '2026-03-09T09:00:00': { start: '2026-03-10T14:00:00', title: 'Standup (moved)', 'locations/l1/name': 'Room 2' } },
    });
    const occ = expandEvent(e, r);
    const moved = occ.find((o) => o.recurrenceId === '2026-03-09T09:00:00')!;
    expect(moved.start.toISOString()).toBe('2026-03-10T13:00:00.000Z');
    expect(moved.end.toISOString()).toBe('2026-03-10T13:30:00.000Z');
    expect(moved.event.title).toBe('Standup (moved)');
    expect(moved.event.locations).toEqual({ l1: { '@type': 'Location', name: 'Room 2' } });
    expect(occ.filter((o) => o.recurrenceId !== moved.recurrenceId).every((o) => o.event.title === 'Standup')).toBe(true);
    expect(e.locations).toEqual({ l1: { '@type': 'Location', name: 'Room 1' } }); // the master is untouched
    expect(occ.map((o) => o.recurrenceId)).toHaveLength(5);
  });

  it('finds an occurrence moved into the range from outside it, and not one moved out', () => {
    const e = event({
      recurrenceRules: [weekly],
      recurrenceOverrides: { '2026-04-06T09:00:00': { start: '2026-03-25T09:00:00' }, '2026-03-23T09:00:00': { start: '2026-05-01T09:00:00' } },
    });
    expect(expandEvent(e, r).map((o) => utcToLocal(o.start, 'Europe/Berlin').slice(0, 10))).toEqual(['2026-03-02', '2026-03-09', '2026-03-16', '2026-03-25', '2026-03-30']);
  });

  it('adds an occurrence for an override whose key the rules do not produce', () => {
    const e = event({ recurrenceRules: [weekly], recurrenceOverrides: { '2026-03-12T17:00:00': { title: 'Extra' } } });
    const extra = expandEvent(e, r).find((o) => o.recurrenceId === '2026-03-12T17:00:00');
    expect(extra?.start.toISOString()).toBe('2026-03-12T16:00:00.000Z');
    expect(extra?.event.title).toBe('Extra');
    // Overrides alone (no rules) are extra dates too, beside the start.
    const rdates = event({ recurrenceOverrides: { '2026-03-20T09:00:00': {} } });
    expect(expandEvent(rdates, r).map((o) => o.recurrenceId)).toEqual(['2026-03-02T09:00:00', '2026-03-20T09:00:00']);
  });

  it('handles a long series with thousands of overrides, applying those in the range', () => {
    const overrides: Record<string, Record<string, unknown>> = {};
    for (let i = 0; i < 3000; i++) {
      const day = new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
      overrides[`${day}T08:00:00`] = i % 2 ? { title: `Day ${day}` } : { start: `${day}T10:00:00` };
    }
    const e = event({ start: '2020-01-01T08:00:00', timeZone: 'UTC', recurrenceRules: [{ '@type': 'RecurrenceRule', frequency: 'daily' }], recurrenceOverrides: overrides });
    const t0 = performance.now();
    const occ = expandEvent(e, range('2026-03-23T00:00:00Z', '2026-03-25T00:00:00Z'));
    expect(performance.now() - t0).toBeLessThan(BOUNDED_MS);
    // 2026-03-23 is day 2273 (odd: retitled), 2026-03-24 day 2274 (even: moved to 10:00).
    expect(occ.map((o) => [o.start.toISOString(), o.event.title])).toEqual([
      ['2026-03-23T08:00:00.000Z', 'Day 2026-03-23'],
      ['2026-03-24T10:00:00.000Z', 'Standup'],
    ]);
  });

  it('applies patches as JSON pointers: null removes, escapes decode, prototypes stay untouched', () => {
    const base = event({ locations: { 'a/b': { name: 'x' } }, description: 'd' });
    const patched = applyPatch(base, { description: null, 'locations/a~1b/name': 'y', '__proto__/polluted': true, 'participants/p1/name': 'P' });
    expect(patched.description).toBeUndefined();
    expect(patched.locations).toEqual({ 'a/b': { name: 'y' } });
    expect(patched.participants).toEqual({ p1: { name: 'P' } });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(base.description).toBe('d');
  });
});

describe('all-day events', () => {
  it('returns dates as UTC midnight, the end being the day after the last day', () => {
    const trip = event({ start: '2026-07-01T00:00:00', showWithoutTime: true, duration: 'P3D', timeZone: null });
    const [occ] = expandEvent(trip, range('2026-07-02T10:00:00Z', '2026-07-02T11:00:00Z'), { defaultTimeZone: 'America/Los_Angeles' });
    expect(occ).toMatchObject({ allDay: true, recurrenceId: null });
    expect(occ!.start.toISOString()).toBe('2026-07-01T00:00:00.000Z');
    expect(occ!.end.toISOString()).toBe('2026-07-04T00:00:00.000Z');
  });

  it('places dates in the viewer zone when deciding what is in the range', () => {
    const day = event({ start: '2026-07-01T00:00:00', showWithoutTime: true, duration: 'P1D', timeZone: null });
    // 1 July in Tokyo is 30 June 15:00Z to 1 July 15:00Z.
    expect(expandEvent(day, range('2026-06-30T15:30:00Z', '2026-06-30T16:00:00Z'), { defaultTimeZone: 'Asia/Tokyo' })).toHaveLength(1);
    expect(expandEvent(day, range('2026-07-01T15:30:00Z', '2026-07-01T16:00:00Z'), { defaultTimeZone: 'Asia/Tokyo' })).toHaveLength(0);
  });

  it('repeats multi-day all-day events by date', () => {
    const e = event({ start: '2026-03-27T00:00:00', showWithoutTime: true, duration: 'P2D', recurrenceRules: [weekly] });
    const occ = expandEvent(e, range('2026-03-20T00:00:00Z', '2026-04-09T00:00:00Z'), { defaultTimeZone: 'Europe/Berlin' });
    expect(occ.map((o) => [o.start.toISOString().slice(0, 10), o.end.toISOString().slice(0, 10)])).toEqual([
      ['2026-03-27', '2026-03-29'],
      ['2026-04-03', '2026-04-05'],
    ]);
  });
});

describe('bounds', () => {
  it('caps a COUNT=1000000 rule at the occurrence limit, quickly', () => {
    const e = event({ start: '2026-01-01T09:00:00', recurrenceRules: [{ '@type': 'RecurrenceRule', frequency: 'daily', count: 1_000_000 }] });
    const t0 = performance.now();
    const occ = expandEvent(e, range('2026-01-01T00:00:00Z', '2100-01-01T00:00:00Z'));
    expect(occ).toHaveLength(5000);
    expect(occ.at(-1)!.recurrenceId).toBe('2039-09-09T09:00:00');
    expect(performance.now() - t0).toBeLessThan(BOUNDED_MS);
    expect(expandEvent(e, range('2026-01-01T00:00:00Z', '2100-01-01T00:00:00Z'), { maxOccurrences: 10 })).toHaveLength(10);
  });

  it('stops iterating a long COUNT rule with BY parts at the step cap', () => {
    const e = event({ start: '2000-01-01T08:00:00', recurrenceRules: [{ '@type': 'RecurrenceRule', frequency: 'hourly', count: 150_000, byMinute: [0, 30] }] });
    const stats = { steps: 0 };
    const t0 = performance.now();
    expandEvent(e, range('2026-03-23T00:00:00Z', '2026-03-30T00:00:00Z'), { stats });
    expect(performance.now() - t0).toBeLessThan(BOUNDED_MS);
    expect(stats.steps).toBe(MAX_STEPS);
  });

  it('caps an endless minutely rule over a year', () => {
    const e = event({ start: '2026-01-01T00:00:00', timeZone: 'UTC', recurrenceRules: [{ '@type': 'RecurrenceRule', frequency: 'minutely' }] });
    const t0 = performance.now();
    expect(expandEvent(e, range('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'))).toHaveLength(5000);
    expect(performance.now() - t0).toBeLessThan(BOUNDED_MS);
  });

  it('expands a daily event running since 1990 for one week of 2026 in well under a second', () => {
    const e = event({ start: '1990-01-01T08:00:00', recurrenceRules: [{ '@type': 'RecurrenceRule', frequency: 'daily' }] });
    const stats = { steps: 0 };
    const t0 = performance.now();
    const occ = expandEvent(e, range('2026-03-23T00:00:00Z', '2026-03-30T00:00:00Z'), { stats });
    const ms = performance.now() - t0;
    expect(localStarts(occ, 'Europe/Berlin')).toEqual(['23', '24', '25', '26', '27', '28', '29'].map((d) => `2026-03-${d}T08:00:00`));
    // Not walked from 1990 (13,000 days): started a day or two before the week.
    expect(stats.steps).toBeLessThan(20);
    expect(ms).toBeLessThan(250);
  });

  it('keeps the phase of every-3-days and every-other-week rules that are fast-forwarded', () => {
    const every3 = event({ start: '1990-01-01T08:00:00', timeZone: 'UTC', recurrenceRules: [{ '@type': 'RecurrenceRule', frequency: 'daily', interval: 3 }] });
    const days = expandEvent(every3, range('2026-03-01T00:00:00Z', '2026-03-15T00:00:00Z')).map((o) => o.start.getTime());
    const epoch = Date.UTC(1990, 0, 1, 8);
    expect(days.length).toBe(5);
    expect(days.every((t) => ((t - epoch) / 86_400_000) % 3 === 0)).toBe(true);

    // Every other week on Monday and Friday since Monday 3 January 2000; Monday 2 March 2026 is
    // 1365 weeks later, an odd number, so that week is skipped.
    const biweekly = event({ start: '2000-01-03T10:00:00', recurrenceRules: [{ '@type': 'RecurrenceRule', frequency: 'weekly', interval: 2, byDay: [{ day: 'mo' }, { day: 'fr' }] }] });
    expect(expandEvent(biweekly, range('2026-03-01T00:00:00Z', '2026-03-29T00:00:00Z')).map((o) => o.recurrenceId?.slice(0, 10))).toEqual([
      '2026-03-09',
      '2026-03-13',
      '2026-03-23',
      '2026-03-27',
    ]);
  });

  it('fast-forwards monthly and yearly series too', () => {
    const stats = { steps: 0 };
    const e = event({ start: '1900-01-26T08:00:00', recurrenceRules: [{ '@type': 'RecurrenceRule', frequency: 'monthly', byDay: [{ day: 'fr', nthOfPeriod: -1 }] }] });
    expect(expandEvent(e, range('2026-03-23T00:00:00Z', '2026-03-30T00:00:00Z'), { stats }).map((o) => o.recurrenceId)).toEqual(['2026-03-27T08:00:00']);
    expect(stats.steps).toBeLessThan(10);
    const leap = event({ start: '1960-02-29T08:00:00', recurrenceRules: [{ '@type': 'RecurrenceRule', frequency: 'yearly' }] });
    expect(expandEvent(leap, range('2027-01-01T00:00:00Z', '2029-01-01T00:00:00Z')).map((o) => o.recurrenceId)).toEqual(['2028-02-29T08:00:00']);
  });

  it('gives the same occurrences whether or not an old series is fast-forwarded', () => {
    const rules: [string, RecurrenceRule][] = [
      ['2000-01-03T10:00:00', { '@type': 'RecurrenceRule', frequency: 'daily', interval: 3, byDay: [{ day: 'mo' }, { day: 'th' }] }],
      ['2000-01-05T10:00:00', { '@type': 'RecurrenceRule', frequency: 'weekly', interval: 3, byDay: [{ day: 'tu' }, { day: 'sa' }] }],
      ['2000-01-28T10:00:00', { '@type': 'RecurrenceRule', frequency: 'monthly', byDay: [{ day: 'fr', nthOfPeriod: -1 }] }],
      ['2000-01-31T10:00:00', { '@type': 'RecurrenceRule', frequency: 'monthly' }],
      ['2000-03-14T10:00:00', { '@type': 'RecurrenceRule', frequency: 'monthly', interval: 4, byDay: [{ day: 'tu', nthOfPeriod: 2 }] }],
      ['2000-03-31T10:00:00', { '@type': 'RecurrenceRule', frequency: 'yearly' }],
      ['2001-01-01T10:00:00', { '@type': 'RecurrenceRule', frequency: 'yearly', byWeekNo: [10, 20], byDay: [{ day: 'mo' }] }],
      ['2000-04-09T10:00:00', { '@type': 'RecurrenceRule', frequency: 'yearly', interval: 2, byYearDay: [100, -1] }],
      ['2025-06-01T10:00:00', { '@type': 'RecurrenceRule', frequency: 'hourly', interval: 7, byHour: [3, 10, 17] }],
      ['2025-12-01T10:00:00', { '@type': 'RecurrenceRule', frequency: 'minutely', interval: 45, byHour: [9] }],
    ];
    const window = range('2026-03-01T00:00:00Z', '2026-05-01T00:00:00Z');
    for (const [start, rule] of rules) {
      const e = event({ start, recurrenceRules: [rule] });
      const fastForwarded = expandEvent(e, window).map((o) => o.recurrenceId);
      const fromTheStart = expandEvent(e, range(`${start}Z`, '2026-05-01T00:00:00Z'), { maxOccurrences: 100_000 })
        .filter((o) => o.end > window.from)
        .map((o) => o.recurrenceId);
      expect(fastForwarded.length, JSON.stringify(rule)).toBeGreaterThan(0);
      expect(fastForwarded, JSON.stringify(rule)).toEqual(fromTheStart);
    }
  });

  it('continues the count of a long-running COUNT rule and ends it where it ends', () => {
    // 10000 days from 1 January 2000 ends on 18 May 2027 (day 9999 after the start).
    const e = event({ start: '2000-01-01T08:00:00', timeZone: 'UTC', recurrenceRules: [{ '@type': 'RecurrenceRule', frequency: 'daily', count: 10_000 }] });
    const occ = expandEvent(e, range('2027-05-10T00:00:00Z', '2027-06-01T00:00:00Z'));
    expect(occ.at(-1)!.recurrenceId).toBe('2027-05-18T08:00:00');
    expect(occ).toHaveLength(9);
    // With BY parts a count that can run out must be iterated: Mondays and Fridays from Monday
    // 1 January 1990, 3000 times, end on Friday 28 September 2018 (week 1499).
    const monFri = (count: number) =>
      event({ start: '1990-01-01T08:00:00', recurrenceRules: [{ '@type': 'RecurrenceRule', frequency: 'daily', count, byDay: [{ day: 'mo' }, { day: 'fr' }] }] });
    expect(expandEvent(monFri(3000), range('2018-09-01T00:00:00Z', '2018-12-31T00:00:00Z')).at(-1)!.recurrenceId).toBe('2018-09-28T08:00:00');
    expect(expandEvent(monFri(3000), range('2026-03-23T00:00:00Z', '2026-03-30T00:00:00Z'))).toHaveLength(0);
    // A count too large to run out by the range ("COUNT=1000000") is treated as endless: fast-forwarded.
    const stats = { steps: 0 };
    expect(expandEvent(monFri(1_000_000), range('2026-03-23T00:00:00Z', '2026-03-30T00:00:00Z'), { stats }).map((o) => o.recurrenceId)).toEqual([
      '2026-03-23T08:00:00',
      '2026-03-27T08:00:00',
    ]);
    expect(stats.steps).toBeLessThan(20);
  });
});

describe('expandAll', () => {
  it('merges events by start', () => {
    const a = event({ id: 'a', start: '2026-03-02T10:00:00', recurrenceRules: [weekly] });
    const b = event({ id: 'b', start: '2026-03-03T08:00:00', timeZone: 'UTC' });
    const occ = expandAll([a, b], range('2026-03-01T00:00:00Z', '2026-03-12T00:00:00Z'));
    expect(occ.map((o) => o.eventId)).toEqual(['a', 'b', 'a']);
  });
});
