// Time zones, durations, recurrence forms, the editor's draft and colour contrast: the pure
// parts of the calendar's editor.
import { describe, expect, it } from 'vitest';
import { contrastRatio, parseColor, textColorOn } from '../../renderer/src/calendar/colors';
import { dayDuration, exactDuration, parseDuration } from '../../renderer/src/calendar/durations';
import { draftOf, newForm, type EventForm } from '../../renderer/src/calendar/editor-form';
import { describeRecurrence, draftFromForm, formFromDraft, nthWeekday, defaultForm, shiftRuleDays } from '../../renderer/src/calendar/recurrence';
import { instantOf, wallClockIn } from '../../renderer/src/calendar/zones';

describe('zones', () => {
  it('turns wall clocks into instants and back', () => {
    expect(instantOf('2026-07-01T09:00:00', 'Europe/Berlin')?.toISOString()).toBe('2026-07-01T07:00:00.000Z');
    expect(instantOf('2026-01-01T09:00:00', 'America/New_York')?.toISOString()).toBe('2026-01-01T14:00:00.000Z');
    expect(wallClockIn(new Date('2026-07-01T07:00:00Z'), 'Europe/Berlin')).toBe('2026-07-01T09:00:00');
    expect(wallClockIn(new Date('2026-07-01T07:00:00Z'), 'Asia/Kolkata')).toBe('2026-07-01T12:30:00');
  });

  it('moves a time in the spring gap forward, and takes the first of an autumn overlap', () => {
    // 29 March 2026, 02:30 does not exist in Berlin.
    expect(instantOf('2026-03-29T02:30:00', 'Europe/Berlin')?.toISOString()).toBe('2026-03-29T01:30:00.000Z');
    // 25 October 2026, 02:30 happens twice; the first is still summer time (UTC+2).
    expect(instantOf('2026-10-25T02:30:00', 'Europe/Berlin')?.toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });
});

describe('durations', () => {
  it('reads and writes ISO 8601 durations', () => {
    expect(parseDuration('PT1H30M')).toEqual({ days: 0, ms: 5_400_000 });
    expect(parseDuration('P1W')).toEqual({ days: 7, ms: 0 });
    expect(parseDuration('P1DT2H')).toEqual({ days: 1, ms: 7_200_000 });
    expect(parseDuration('PT')).toBeNull();
    expect(exactDuration(5_400_000)).toBe('PT1H30M');
    expect(exactDuration(0)).toBe('PT0S');
    expect(exactDuration(26 * 3_600_000)).toBe('PT26H');
    expect(dayDuration(3)).toBe('P3D');
  });
});

describe('recurrence', () => {
  it('finds the nth weekday and whether it is the last', () => {
    expect(nthWeekday(2026, 11, 26)).toEqual({ day: 'th', nth: 4, isLast: true });
    expect(nthWeekday(2026, 11, 5)).toEqual({ day: 'th', nth: 1, isLast: false });
  });

  it('builds weekly, monthly and ending rules and reads them back', () => {
    const start = '2026-11-26T10:00:00';
    const weekly = { ...defaultForm(start), frequency: 'weekly' as const, weekdays: ['we' as const, 'mo' as const], interval: 2, ends: 'after' as const, count: 5 };
    const rule = draftFromForm(weekly, start)!;
    expect(rule).toEqual({ frequency: 'weekly', interval: 2, byDay: [{ day: 'mo' }, { day: 'we' }], count: 5 });
    expect(describeRecurrence(rule, 'en-US')).toBe('Every 2 weeks on Monday, Wednesday, 5 times');
    expect(formFromDraft(rule, start)).toMatchObject({ frequency: 'weekly', interval: 2, weekdays: ['mo', 'we'], ends: 'after', count: 5 });

    const last = draftFromForm({ ...defaultForm(start), frequency: 'monthly', monthlyBy: 'last', ends: 'on', until: '2027-06-30' }, start)!;
    expect(last).toEqual({ frequency: 'monthly', interval: 1, byDay: [{ day: 'th', nthOfPeriod: -1 }], until: '2027-06-30T23:59:59' });
    expect(formFromDraft(last, start)).toMatchObject({ monthlyBy: 'last', ends: 'on', until: '2027-06-30' });
    expect(draftFromForm(defaultForm(start), start)).toBeNull();
  });

  it('moves the weekdays of a rule with the series', () => {
    const rule = { frequency: 'weekly' as const, interval: 1, byDay: [{ day: 'mo' as const }, { day: 'we' as const }] };
    expect(shiftRuleDays(rule, 1)?.byDay).toEqual([{ day: 'tu' }, { day: 'th' }]);
    // Sunday wraps to the end of the week.
    expect(shiftRuleDays(rule, -1)?.byDay).toEqual([{ day: 'tu' }, { day: 'su' }]);
    expect(shiftRuleDays(rule, 7)).toBeNull();
    expect(shiftRuleDays({ frequency: 'daily', interval: 1 }, 2)).toBeNull();
  });
});

describe('editor draft', () => {
  const form = (over: Partial<EventForm>): EventForm => ({
    ...newForm({ start: new Date(2026, 10, 26, 10), end: new Date(2026, 10, 26, 11) }, false, 'acc/cal', 'Europe/Berlin'),
    ...over,
  });

  it('makes an exact duration in the event’s zone, even across a DST change', () => {
    const result = draftOf(form({ startDate: '2026-10-24', startTime: '12:00', endDate: '2026-10-25', endTime: '12:00' }));
    expect('draft' in result && result.draft).toMatchObject({ calendarId: 'cal', start: '2026-10-24T12:00:00', timeZone: 'Europe/Berlin', duration: 'PT25H' });
  });

  it('makes whole days for all-day events, with no zone', () => {
    const result = draftOf(form({ allDay: true, startDate: '2026-11-26', endDate: '2026-11-27' }));
    expect('draft' in result && result.draft).toMatchObject({ start: '2026-11-26T00:00:00', duration: 'P2D', timeZone: null, allDay: true });
  });

  it('refuses an end before the start and a participant without an address', () => {
    expect(draftOf(form({ endTime: '09:00' }))).toEqual({ error: 'The event ends before it starts.' });
    const bad = draftOf(form({ participants: [{ name: 'Ann', email: 'ann', role: 'attendee', status: 'needs-action' }] }));
    expect('error' in bad).toBe(true);
  });
});

describe('colours', () => {
  it('picks the text colour with more contrast on a calendar colour', () => {
    expect(textColorOn(parseColor('#ffeb3b')!)).toBe('#000000');
    expect(textColorOn(parseColor('#1a237e')!)).toBe('#ffffff');
    expect(parseColor('rgb(10, 20, 30)')).toEqual({ r: 10, g: 20, b: 30 });
    expect(parseColor('#abc')).toEqual({ r: 170, g: 187, b: 204 });
    expect(parseColor('teal')).toBeNull();
    // Whichever is picked reaches at least 4.5:1 on any colour.
    for (const hex of ['#3a7bd5', '#2e9d57', '#d9822b', '#8e5bd6', '#d64561', '#1a9aa0', '#b8860b', '#6b7a8f', '#777777']) {
      const bg = parseColor(hex)!;
      const text = parseColor(textColorOn(bg))!;
      expect(contrastRatio(bg, text)).toBeGreaterThanOrEqual(4.5);
    }
  });
});
