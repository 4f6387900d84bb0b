// Where events go on the grid: overlapping timed events side by side, bars in lanes, pieces
// of events that cross midnight, and all-day dates that must not move with the zone.
import { afterAll, describe, expect, it } from 'vitest';

// Set before any Date is made (describe bodies run at collection, before beforeAll).
const savedTz = process.env.TZ;
process.env.TZ = 'America/New_York';
afterAll(() => {
  process.env.TZ = savedTz;
});

const { displaySpan, isBanner, layoutBars, layoutDay, lanesPerDay, pieceOfDay } = await import('../../renderer/src/calendar/layout');
const { dayKey } = await import('../../renderer/src/calendar/dates');

const piece = (id: string, top: number, bottom: number) => ({ item: id, top, bottom, continuesBefore: false, continuesAfter: false });
const at = (d: number, h: number, m = 0) => new Date(2026, 10, d, h, m);

describe('layoutDay', () => {
  it('puts events that do not overlap in one full-width column', () => {
    const placed = layoutDay([piece('a', 540, 600), piece('b', 600, 660)]);
    expect(placed.map((p) => [p.item, p.column, p.columns])).toEqual([
      ['a', 0, 1],
      ['b', 0, 1],
    ]);
  });

  it('puts overlapping events side by side, the whole cluster sharing the count', () => {
    // a 9–11, b 9:30–10, c 10:30–12: a overlaps both, b and c do not overlap each other.
    const placed = layoutDay([piece('b', 570, 600), piece('c', 630, 720), piece('a', 540, 660)]);
    const byId = Object.fromEntries(placed.map((p) => [p.item, p]));
    expect(byId.a).toMatchObject({ column: 0, columns: 2 });
    expect(byId.b).toMatchObject({ column: 1, columns: 2 });
    // c reuses b's column, which is free again at 10:30.
    expect(byId.c).toMatchObject({ column: 1, columns: 2 });
  });

  it('gives three mutually overlapping events three columns, and a later one its own cluster', () => {
    const placed = layoutDay([piece('a', 600, 700), piece('b', 610, 650), piece('c', 620, 640), piece('d', 800, 860)]);
    const byId = Object.fromEntries(placed.map((p) => [p.item, p]));
    expect([byId.a!.column, byId.b!.column, byId.c!.column]).toEqual([0, 1, 2]);
    expect(byId.a!.columns).toBe(3);
    expect(byId.d).toMatchObject({ column: 0, columns: 1 });
  });

  it('counts a very short event as tall as it is drawn', () => {
    const placed = layoutDay([piece('a', 600, 605), piece('b', 610, 640)], 20);
    expect(placed.map((p) => p.columns)).toEqual([2, 2]);
  });
});

describe('pieceOfDay', () => {
  it('cuts an event that crosses midnight into the part of each day', () => {
    const span = { start: at(26, 22), end: at(27, 2) };
    expect(pieceOfDay('x', span, at(26, 0))).toMatchObject({ top: 1320, bottom: 1440, continuesAfter: true, continuesBefore: false });
    expect(pieceOfDay('x', span, at(27, 0))).toMatchObject({ top: 0, bottom: 120, continuesBefore: true, continuesAfter: false });
    expect(pieceOfDay('x', span, at(28, 0))).toBeNull();
  });

  it('uses wall-clock minutes on a DST day (10:00 is at minute 600)', () => {
    // 1 November 2026: clocks go back in New York.
    const span = { start: new Date(2026, 10, 1, 10), end: new Date(2026, 10, 1, 11) };
    expect(pieceOfDay('x', span, new Date(2026, 10, 1))).toMatchObject({ top: 600, bottom: 660 });
  });
});

describe('displaySpan', () => {
  it('keeps the dates of an all-day event, whatever the local zone', () => {
    const span = displaySpan('2026-11-26T00:00:00Z', '2026-11-28T00:00:00Z', true);
    expect(dayKey(span.start)).toBe('2026-11-26');
    expect(dayKey(span.end)).toBe('2026-11-28');
    expect(span.start.getHours()).toBe(0);
  });

  it('shows timed instants in the local zone', () => {
    const span = displaySpan('2026-11-26T15:00:00Z', '2026-11-26T16:00:00Z', false);
    expect(span.start.getHours()).toBe(10);
  });

  it('sends all-day and day-long events to the all-day row', () => {
    expect(isBanner({ start: at(26, 0), end: at(27, 0) }, true)).toBe(true);
    expect(isBanner({ start: at(26, 9), end: at(27, 9) }, false)).toBe(true);
    expect(isBanner({ start: at(26, 9), end: at(26, 17) }, false)).toBe(false);
  });
});

describe('layoutBars', () => {
  const weekStart = new Date(2026, 10, 23);
  it('places bars in the lowest free lane, clipped to the week', () => {
    const bars = layoutBars(
      [
        { item: 'long', span: { start: new Date(2026, 10, 20), end: new Date(2026, 10, 26) } },
        { item: 'tue', span: { start: new Date(2026, 10, 24), end: new Date(2026, 10, 25) } },
        { item: 'thu', span: { start: new Date(2026, 10, 26), end: new Date(2026, 10, 27) } },
        { item: 'next', span: { start: new Date(2026, 10, 30), end: new Date(2026, 11, 1) } },
      ],
      weekStart,
    );
    const byId = Object.fromEntries(bars.map((b) => [b.item, b]));
    expect(byId.long).toMatchObject({ startColumn: 0, span: 3, lane: 0, continuesBefore: true, continuesAfter: false });
    expect(byId.tue).toMatchObject({ startColumn: 1, span: 1, lane: 1 });
    // Thursday is free in lane 0 (the long bar ends on Wednesday night).
    expect(byId.thu).toMatchObject({ startColumn: 3, span: 1, lane: 0 });
    expect(byId.next).toBeUndefined();
    expect(lanesPerDay(bars)).toEqual([1, 2, 1, 1, 0, 0, 0]);
  });

  it('keeps a timed event that ends at midnight on its own day', () => {
    const bars = layoutBars([{ item: 'late', span: { start: new Date(2026, 10, 24, 22), end: new Date(2026, 10, 25) } }], weekStart);
    expect(bars[0]).toMatchObject({ startColumn: 1, span: 1 });
  });
});
