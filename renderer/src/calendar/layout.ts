// Where events go on the grid: timed events side by side when they overlap, all-day and
// multi-day events as bars in lanes across a week. Works on plain spans (local Dates), so it
// is independent of the contract and unit-tested (test/unit/calendar-layout.test.ts).
import { addDays, daysBetween, sameDay, startOfDay, wallMinutes } from './dates';

export interface Span {
  start: Date;
  end: Date;
}

/** An all-day occurrence's UTC midnights become the same dates at local midnight. */
export function displaySpan(start: string, end: string, allDay: boolean): Span {
  const s = new Date(start);
  const e = new Date(end);
  if (!allDay) return { start: s, end: e };
  return {
    start: new Date(s.getUTCFullYear(), s.getUTCMonth(), s.getUTCDate()),
    end: new Date(e.getUTCFullYear(), e.getUTCMonth(), e.getUTCDate()),
  };
}

const dayLongMs = 24 * 3_600_000;

/** All-day events and those of 24 hours or more go in the all-day row (as Fastmail and Google do). */
export function isBanner(span: Span, allDay: boolean): boolean {
  return allDay || span.end.getTime() - span.start.getTime() >= dayLongMs;
}

export function overlapsDay(span: Span, day: Date): boolean {
  const dayStart = startOfDay(day);
  const dayEnd = addDays(dayStart, 1);
  // A zero-length event still shows on its day.
  if (span.start.getTime() === span.end.getTime()) return span.start >= dayStart && span.start < dayEnd;
  return span.start < dayEnd && span.end > dayStart;
}

export interface Piece<T> {
  item: T;
  /** Wall-clock minutes of the day the piece covers. */
  top: number;
  bottom: number;
  /** The event goes on before this day / after it. */
  continuesBefore: boolean;
  continuesAfter: boolean;
}

/** The part of a timed event inside one day, in wall-clock minutes (0–1440). */
export function pieceOfDay<T>(item: T, span: Span, day: Date): Piece<T> | null {
  if (!overlapsDay(span, day)) return null;
  const continuesBefore = !sameDay(span.start, day) && span.start < day;
  const endsToday = sameDay(span.end, day);
  const continuesAfter = !endsToday && span.end > addDays(startOfDay(day), 1);
  const top = continuesBefore ? 0 : wallMinutes(span.start);
  const bottom = endsToday ? wallMinutes(span.end) : 1440;
  return { item, top, bottom: Math.max(bottom, top), continuesBefore, continuesAfter };
}

export interface Placed<T> extends Piece<T> {
  /** Column within its cluster of overlapping events, and how many columns the cluster has. */
  column: number;
  columns: number;
}

/**
 * Side-by-side layout of one day's timed pieces. Pieces that overlap (directly or through a
 * chain) form a cluster; each takes the first column free at its start, and the whole cluster
 * shares the same number of columns. Pieces shorter than minMinutes count as that tall, since
 * that is how they are drawn.
 */
export function layoutDay<T>(pieces: Piece<T>[], minMinutes = 20): Placed<T>[] {
  const sorted = [...pieces].sort((a, b) => a.top - b.top || b.bottom - a.bottom);
  const placed: Placed<T>[] = [];
  let cluster: Placed<T>[] = [];
  let columnEnds: number[] = [];
  let clusterEnd = -1;
  const close = (): void => {
    for (const p of cluster) p.columns = columnEnds.length;
    cluster = [];
    columnEnds = [];
  };
  for (const piece of sorted) {
    const bottom = Math.max(piece.bottom, piece.top + minMinutes);
    if (piece.top >= clusterEnd) close();
    let column = columnEnds.findIndex((end) => end <= piece.top);
    if (column === -1) column = columnEnds.length;
    columnEnds[column] = bottom;
    const p: Placed<T> = { ...piece, column, columns: 1 };
    cluster.push(p);
    placed.push(p);
    clusterEnd = Math.max(clusterEnd, bottom);
  }
  close();
  return placed;
}

export interface Bar<T> {
  item: T;
  /** First column (0–6) and how many days the bar covers within the week. */
  startColumn: number;
  span: number;
  lane: number;
  continuesBefore: boolean;
  continuesAfter: boolean;
}

/**
 * Bars for one week row (7 consecutive days): each event takes the lowest lane free over all
 * its days. Earlier, then longer events go first, so long bars sit at the top.
 */
export function layoutBars<T>(items: { item: T; span: Span }[], weekStart: Date, dayCount = 7): Bar<T>[] {
  const weekEnd = addDays(weekStart, dayCount);
  const bars: Bar<T>[] = [];
  for (const { item, span } of items) {
    // An event ending exactly at midnight does not take the next day.
    const last = span.end > span.start ? new Date(span.end.getTime() - 1) : span.start;
    if (span.start >= weekEnd || last < weekStart) continue;
    const first = Math.max(0, daysBetween(weekStart, span.start));
    const end = Math.min(dayCount - 1, daysBetween(weekStart, last));
    bars.push({ item, startColumn: first, span: end - first + 1, lane: 0, continuesBefore: span.start < weekStart, continuesAfter: last >= weekEnd });
  }
  bars.sort((a, b) => a.startColumn - b.startColumn || b.span - a.span);
  const lanes: boolean[][] = [];
  for (const bar of bars) {
    let lane = 0;
    for (; ; lane++) {
      const used = (lanes[lane] ??= Array<boolean>(dayCount).fill(false));
      let free = true;
      for (let c = bar.startColumn; c < bar.startColumn + bar.span; c++) if (used[c]) free = false;
      if (free) {
        for (let c = bar.startColumn; c < bar.startColumn + bar.span; c++) used[c] = true;
        break;
      }
    }
    bar.lane = lane;
  }
  return bars;
}

/** How many lanes are taken on each day of the row (for "+N more" and row heights). */
export function lanesPerDay<T>(bars: Bar<T>[], dayCount = 7): number[] {
  const counts = Array<number>(dayCount).fill(0);
  for (const bar of bars) for (let c = bar.startColumn; c < bar.startColumn + bar.span; c++) counts[c] = Math.max(counts[c]!, bar.lane + 1);
  return counts;
}
