// Date arithmetic for the calendar grid, in the user's local time zone (the zone the window
// runs in). Days are stepped by calendar fields, never by adding 24 h, so a DST change
// cannot shift a day boundary. Pure: no DOM, unit-tested in test/unit/calendar-dates.test.ts.

export type CalendarViewKind = 'month' | 'week' | 'day' | 'agenda';
export const viewKinds: readonly CalendarViewKind[] = ['day', 'week', 'month', 'agenda'];

/** How many days the agenda shows at a time. */
export const agendaDays = 30;

export function startOfDay(d: Date): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate());
}

/** The same wall-clock time n calendar days later. */
export function addDays(d: Date, n: number): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + n, d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds());
}

export function daysInMonth(year: number, month: number): number {
  return new Date(year, month + 1, 0).getDate();
}

/** n months later, on the same day or the month's last day when it is shorter. */
export function addMonths(d: Date, n: number): Date {
  const first = new Date(d.getFullYear(), d.getMonth() + n, 1);
  const day = Math.min(d.getDate(), daysInMonth(first.getFullYear(), first.getMonth()));
  return new Date(first.getFullYear(), first.getMonth(), day, d.getHours(), d.getMinutes());
}

export function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** Whole calendar days from a to b (both taken at their local midnight). */
export function daysBetween(a: Date, b: Date): number {
  return Math.round((Date.UTC(b.getFullYear(), b.getMonth(), b.getDate()) - Date.UTC(a.getFullYear(), a.getMonth(), a.getDate())) / 86_400_000);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** "2026-03-29", the local date; also a stable key for a day. */
export function dayKey(d: Date): string {
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** "09:30", the local time (for <input type="time">). */
export function timeKey(d: Date): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A JSCalendar LocalDateTime of the local wall-clock time. */
export function toLocalDateTime(d: Date): string {
  return `${dayKey(d)}T${timeKey(d)}:${pad(d.getSeconds())}`;
}

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const localDateTimePattern = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** Reads "2026-03-29", "2026-03-29T09:30" or "2026-03-29T09:30:00"; null when it is none of them. */
export function parseWallClock(text: string): WallClock | null {
  const m = localDateTimePattern.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  return { year, month, day, hour, minute, second };
}

export function formatWallClock(w: WallClock): string {
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
}

/** The local Date of a wall-clock text (local zone); null when unreadable. */
export function localDate(text: string): Date | null {
  const w = parseWallClock(text);
  return w ? new Date(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) : null;
}

/** Moves a wall-clock time by ms as if it were UTC (no zone rules): for shifting a series' start. */
export function shiftWallClock(text: string, ms: number): string {
  const w = parseWallClock(text);
  if (!w) return text;
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) + ms);
  return formatWallClock({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() });
}

/** The distance between two wall-clock texts as if both were UTC. */
export function wallClockDiff(from: string, to: string): number {
  const a = parseWallClock(from);
  const b = parseWallClock(to);
  if (!a || !b) return 0;
  const utc = (w: WallClock) => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return utc(b) - utc(a);
}

interface WeekInfo {
  firstDay: number;
}
interface LocaleWithWeekInfo {
  getWeekInfo?: () => WeekInfo;
  weekInfo?: WeekInfo;
}

/**
 * The first day of the week as Date.getDay() numbers it (0 = Sunday, 1 = Monday), from the
 * locale's week data where the engine has it (getWeekInfo, or the older weekInfo getter);
 * Monday otherwise (ISO 8601).
 */
export function firstDayOfWeek(locale: string | undefined): number {
  try {
    const l = new Intl.Locale(locale ?? 'en') as Intl.Locale & LocaleWithWeekInfo;
    const info = typeof l.getWeekInfo === 'function' ? l.getWeekInfo() : l.weekInfo;
    if (info && Number.isInteger(info.firstDay) && info.firstDay >= 1 && info.firstDay <= 7) return info.firstDay % 7;
  } catch {
    // An unknown locale tag: fall through to Monday.
  }
  return 1;
}

export function startOfWeek(d: Date, firstDay: number): Date {
  const back = (d.getDay() - firstDay + 7) % 7;
  return startOfDay(addDays(d, -back));
}

/** The weeks (rows of 7 local midnights) that cover a month, from the week holding the 1st. */
export function monthGrid(year: number, month: number, firstDay: number): Date[][] {
  const first = new Date(year, month, 1);
  const start = startOfWeek(first, firstDay);
  const cells = daysBetween(start, first) + daysInMonth(year, month);
  const weeks: Date[][] = [];
  for (let w = 0; w < Math.ceil(cells / 7); w++) {
    weeks.push(Array.from({ length: 7 }, (_, i) => addDays(start, w * 7 + i)));
  }
  return weeks;
}

export interface VisibleRange {
  /** Local midnight of the first day shown. */
  start: Date;
  /** Local midnight after the last day shown. */
  end: Date;
  days: Date[];
}

export function visibleRange(view: CalendarViewKind, anchor: Date, firstDay: number): VisibleRange {
  let start: Date;
  let count: number;
  if (view === 'day') {
    start = startOfDay(anchor);
    count = 1;
  } else if (view === 'week') {
    start = startOfWeek(anchor, firstDay);
    count = 7;
  } else if (view === 'agenda') {
    start = startOfDay(anchor);
    count = agendaDays;
  } else {
    const weeks = monthGrid(anchor.getFullYear(), anchor.getMonth(), firstDay);
    start = weeks[0]![0]!;
    count = weeks.length * 7;
  }
  const days = Array.from({ length: count }, (_, i) => addDays(start, i));
  return { start, end: addDays(start, count), days };
}

/** Where Previous/Next go from an anchor date. */
export function stepAnchor(view: CalendarViewKind, anchor: Date, direction: 1 | -1): Date {
  if (view === 'month') return addMonths(anchor, direction);
  if (view === 'week') return addDays(anchor, 7 * direction);
  if (view === 'agenda') return addDays(anchor, agendaDays * direction);
  return addDays(anchor, direction);
}

/** The toolbar's title for what is shown, e.g. "November 2026" or "23 – 29 Nov 2026". */
export function rangeTitle(view: CalendarViewKind, anchor: Date, range: VisibleRange, locale?: string): string {
  if (view === 'month') return new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric' }).format(anchor);
  if (view === 'day') return new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(anchor);
  const last = addDays(range.end, -1);
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric' }).formatRange(range.start, last);
}

/** The weekday names in display order, starting at firstDay. */
export function weekdayNames(firstDay: number, style: 'short' | 'long' | 'narrow', locale?: string): string[] {
  const format = new Intl.DateTimeFormat(locale, { weekday: style });
  // 2023-01-01 was a Sunday.
  return Array.from({ length: 7 }, (_, i) => format.format(new Date(2023, 0, 1 + ((firstDay + i) % 7))));
}

/** The wall-clock minute of the day a time falls on (10:00 is 600 even on a DST day). */
export function wallMinutes(d: Date): number {
  return d.getHours() * 60 + d.getMinutes();
}

/** The local time at a wall-clock minute of a day (minute 600 = 10:00 even on a DST day). */
export function atMinute(day: Date, minute: number): Date {
  return new Date(day.getFullYear(), day.getMonth(), day.getDate(), 0, minute);
}

/** Rounds to the nearest step of minutes by wall clock (15 for dragging). */
export function snapMinutes(minute: number, step = 15): number {
  return Math.round(minute / step) * step;
}
