// The calendar's local date math: week start from the locale, month grids (also across DST
// changes), ranges and steps, wall-clock helpers. Run in a zone with DST (Europe/Berlin).
import { afterAll, describe, expect, it } from 'vitest';

// Set before any Date is made (describe bodies run at collection, before beforeAll).
const savedTz = process.env.TZ;
process.env.TZ = 'Europe/Berlin';
afterAll(() => {
  process.env.TZ = savedTz;
});

const dates = await import('../../renderer/src/calendar/dates');
const { addDays, dayKey, firstDayOfWeek, monthGrid, startOfWeek, visibleRange, stepAnchor, shiftWallClock, wallClockDiff, parseWallClock, daysBetween, addMonths, wallMinutes } = dates;

describe('firstDayOfWeek', () => {
  it('follows the locale where the engine knows it, Monday otherwise', () => {
    expect(firstDayOfWeek('de-DE')).toBe(1);
    expect(firstDayOfWeek('en-GB')).toBe(1);
    expect(firstDayOfWeek('en-US')).toBe(0);
    expect(firstDayOfWeek('ar-EG')).toBe(6);
    expect(firstDayOfWeek('not a locale!')).toBe(1);
    expect(firstDayOfWeek(undefined)).toBeGreaterThanOrEqual(0);
  });
});

describe('startOfWeek', () => {
  it('goes back to the first day at local midnight', () => {
    const thu = new Date(2026, 10, 26, 15, 30);
    expect(dayKey(startOfWeek(thu, 1))).toBe('2026-11-23');
    expect(dayKey(startOfWeek(thu, 0))).toBe('2026-11-22');
    expect(dayKey(startOfWeek(thu, 6))).toBe('2026-11-21');
    expect(startOfWeek(thu, 1).getHours()).toBe(0);
    // A Monday is its own week start.
    expect(dayKey(startOfWeek(new Date(2026, 10, 23), 1))).toBe('2026-11-23');
  });
});

describe('monthGrid', () => {
  it('covers the month in whole weeks from the week start', () => {
    const weeks = monthGrid(2026, 10, 1); // November 2026 starts on a Sunday
    expect(weeks).toHaveLength(6);
    expect(dayKey(weeks[0]![0]!)).toBe('2026-10-26');
    expect(dayKey(weeks.at(-1)!.at(-1)!)).toBe('2026-12-06');
    expect(weeks.every((w) => w.length === 7)).toBe(true);
  });

  it('needs only four weeks for a February that fits', () => {
    expect(monthGrid(2027, 1, 1)).toHaveLength(4); // 1 Feb 2027 is a Monday, 28 days
  });

  it('keeps every cell at local midnight across the spring and autumn DST changes', () => {
    for (const [year, month] of [
      [2026, 2], // 29 March 2026: clocks go forward in Berlin
      [2026, 9], // 25 October 2026: clocks go back
    ] as const) {
      const days = monthGrid(year, month, 1).flat();
      for (let i = 1; i < days.length; i++) {
        expect(days[i]!.getHours()).toBe(0);
        expect(daysBetween(days[i - 1]!, days[i]!)).toBe(1);
      }
      const keys = days.map(dayKey);
      expect(new Set(keys).size).toBe(keys.length);
    }
    // The DST day itself is 23 hours long, yet still one cell.
    const march = monthGrid(2026, 2, 1).flat();
    const i = march.findIndex((d) => dayKey(d) === '2026-03-29');
    expect(march[i + 1]!.getTime() - march[i]!.getTime()).toBe(23 * 3_600_000);
  });
});

describe('visibleRange and stepAnchor', () => {
  const anchor = new Date(2026, 10, 26);
  it('gives the days each view shows', () => {
    expect(visibleRange('day', anchor, 1).days.map(dayKey)).toEqual(['2026-11-26']);
    const week = visibleRange('week', anchor, 1);
    expect(week.days.map(dayKey)).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29']);
    expect(dayKey(week.end)).toBe('2026-11-30');
    expect(visibleRange('month', anchor, 1).days).toHaveLength(42);
    expect(visibleRange('agenda', anchor, 1).days).toHaveLength(30);
  });

  it('steps by the view’s unit, clamping month ends', () => {
    expect(dayKey(stepAnchor('week', anchor, 1))).toBe('2026-12-03');
    expect(dayKey(stepAnchor('day', anchor, -1))).toBe('2026-11-25');
    expect(dayKey(stepAnchor('month', new Date(2026, 0, 31), 1))).toBe('2026-02-28');
    expect(dayKey(addMonths(new Date(2024, 0, 31), 1))).toBe('2024-02-29');
  });

  it('keeps the wall-clock time when adding days over a DST change', () => {
    const before = new Date(2026, 2, 28, 10, 0);
    const after = addDays(before, 1);
    expect(after.getHours()).toBe(10);
    expect(wallMinutes(after)).toBe(600);
  });
});

describe('wall-clock texts', () => {
  it('parses, shifts and measures without zone rules', () => {
    expect(parseWallClock('2026-03-29T09:30:00')).toEqual({ year: 2026, month: 3, day: 29, hour: 9, minute: 30, second: 0 });
    expect(parseWallClock('2026-13-01')).toBeNull();
    expect(shiftWallClock('2026-03-28T23:30:00', 60 * 60_000)).toBe('2026-03-29T00:30:00');
    expect(wallClockDiff('2026-03-29T01:00:00', '2026-03-29T03:00:00')).toBe(2 * 3_600_000);
  });
});
