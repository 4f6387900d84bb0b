// Expands JSCalendar events (RFC 8984) into the occurrences that fall in a time range.
//
// Recurrence is defined in the event's local wall-clock time: a weekly 09:00 meeting stays at
// 09:00 across a DST change, so its UTC hour moves. ical.js iterates the rules on floating
// (zone-less) times, which is exactly that; each local occurrence is then turned into an instant
// by time-zones.ts with the platform's IANA data. ical.js has no time-zone database, so this
// split is also the only way to get zones right with it.
//
// Bounds: iteration stops at the end of the range, at MAX_OCCURRENCES results and at MAX_STEPS
// iterator steps per rule; rules that would make ical.js loop forever are refused (isIterable),
// so no rule (COUNT=1000000, no end, never matching) can hang the app. Series that start long
// before the range are fast-forwarded by whole periods instead of being iterated from their start
// (fastForward), except COUNT rules with BY parts, whose count can only be known by iterating.
import ICAL from 'ical.js';
import type { CalendarEvent, RecurrenceRule } from './model';
import {
  addDuration,
  addLocalDays,
  durationApproxMs,
  durationDays,
  durationExactMs,
  formatLocal,
  isKnownTimeZone,
  localDaysBetween,
  localToUtc,
  parseDurationOrZero,
  parseLocal,
  systemTimeZone,
  utcToLocal,
} from './time-zones';

export interface Occurrence {
  eventId: string;
  /** The occurrence's LocalDateTime key in recurrenceOverrides; null for a one-off event. */
  recurrenceId: string | null;
  /** UTC instants; all-day events: UTC midnight of the first day and of the day after the last. */
  start: Date;
  end: Date;
  allDay: boolean;
  /** The event as this occurrence sees it: the override's patch applied, recurrenceId set. */
  event: CalendarEvent;
}

export interface TimeRange {
  from: Date;
  to: Date;
}

export interface ExpandOptions {
  /** Where floating events and all-day dates are placed; the system zone by default. */
  defaultTimeZone?: string;
  /** At most this many occurrences are returned (the earliest ones). */
  maxOccurrences?: number;
  /** Diagnostics: ical.js iterator steps taken are added to stats.steps. */
  stats?: { steps: number };
}

export const MAX_OCCURRENCES = 5000;
/**
 * Iterator steps per rule: an hourly COUNT rule over five years, or a daily one over a century.
 * Only COUNT rules with BY parts are ever iterated that far (others are fast-forwarded); hitting
 * the cap costs a few hundred milliseconds at worst.
 */
export const MAX_STEPS = 50_000;

const DAY_MS = 86_400_000;

/** The occurrences of one event overlapping [from, to), sorted by start. */
export function expandEvent(event: CalendarEvent, range: TimeRange, opts: ExpandOptions = {}): Occurrence[] {
  const defaultZone = opts.defaultTimeZone ?? systemTimeZone();
  const max = opts.maxOccurrences ?? MAX_OCCURRENCES;
  // Server data: anything malformed counts as absent rather than breaking the whole calendar.
  const overrides = isRecord(event.recurrenceOverrides) ? (event.recurrenceOverrides as Record<string, Record<string, unknown>>) : {};
  const rules = Array.isArray(event.recurrenceRules) ? event.recurrenceRules : [];
  const excludedRules = Array.isArray(event.excludedRecurrenceRules) ? event.excludedRecurrenceRules : [];

  if (rules.length === 0 && Object.keys(overrides).length === 0) {
    const one = occurrenceAt(event, null, event, defaultZone);
    return one && overlaps(one, range, defaultZone) ? [one] : [];
  }

  let start: string;
  try {
    start = normalizeLocal(event.start);
  } catch {
    return []; // an unreadable start cannot be placed anywhere
  }
  const zone = windowZone(event, defaultZone);
  const slack = durationApproxMs(parseDurationOrZero(event.duration)) + 2 * DAY_MS;
  const window: LocalWindow = {
    from: utcToLocal(new Date(range.from.getTime() - Math.max(0, slack)), zone),
    to: utcToLocal(new Date(range.to.getTime() + 2 * DAY_MS), zone),
    counted: utcToLocal(new Date(range.from.getTime() - 3_600_000), zone),
    // Rules yield at most what can be returned, plus what exclusions may remove.
    limit: max + Object.keys(overrides).length,
    stats: opts.stats ?? { steps: 0 },
  };

  const keys = new Set<string>();
  // The event's own start is always its first occurrence (RFC 5545 §3.8.5.3, RFC 8984 §4.3.3).
  if (start >= window.from && start < window.to) keys.add(start);
  for (const rule of rules) for (const key of ruleKeys(rule, start, window, event.timeZone)) keys.add(key);
  for (const rule of excludedRules) for (const key of ruleKeys(rule, start, window, event.timeZone)) keys.delete(key);

  const result: Occurrence[] = [];
  for (const key of keys) {
    if (Object.hasOwn(overrides, key)) continue;
    const occ = occurrenceAt(event, key, { ...event, start: key, recurrenceId: key }, defaultZone);
    if (occ && overlaps(occ, range, defaultZone)) result.push(occ);
  }
  // Every override that is not an exclusion is an occurrence: a changed (or moved) one when its
  // key is one the rules produce, an added one (like an RDATE) otherwise. Overrides are visited
  // whatever their key, so an occurrence moved into the range from outside it is found.
  for (const [rawKey, patch] of Object.entries(overrides)) {
    if (!isRecord(patch) || patch['excluded'] === true) continue;
    let key: string;
    try {
      key = normalizeLocal(rawKey);
    } catch {
      continue; // not a LocalDateTime: no occurrence to attach it to
    }
    // Most overrides of a long-lived series are far from the range: those that keep their time
    // are skipped by comparing keys, the others placed with their timing fields alone before the
    // whole event is cloned and patched.
    const moves = TIMING.some((field) => Object.hasOwn(patch, field));
    if (!moves && (key < window.from || key >= window.to)) continue;
    const timing = { ...event, start: key };
    for (const field of TIMING) if (Object.hasOwn(patch, field)) Object.assign(timing, { [field]: patch[field] });
    const placed = occurrenceAt(event, key, timing, defaultZone);
    if (!placed || !overlaps(placed, range, defaultZone)) continue;
    const patched = applyPatch({ ...event, start: key }, patch);
    patched.recurrenceId = key;
    const occ = occurrenceAt(event, key, patched, defaultZone);
    if (occ) result.push(occ);
  }
  return result.sort(byStart).slice(0, max);
}

/** The patchable properties that decide when an occurrence is. */
const TIMING = ['start', 'timeZone', 'duration', 'showWithoutTime'] as const;

/** The occurrences of many events overlapping the range, sorted by start. */
export function expandAll(events: readonly CalendarEvent[], range: TimeRange, opts: ExpandOptions = {}): Occurrence[] {
  const max = opts.maxOccurrences ?? MAX_OCCURRENCES;
  const all: Occurrence[] = [];
  for (const event of events) all.push(...expandEvent(event, range, opts));
  return all.sort(byStart).slice(0, max);
}

const byStart = (a: Occurrence, b: Occurrence): number => a.start.getTime() - b.start.getTime() || a.eventId.localeCompare(b.eventId);

// Occurrences ------------------------------------------------------------------------------------

function occurrenceAt(master: CalendarEvent, recurrenceId: string | null, event: CalendarEvent, defaultZone: string): Occurrence | null {
  let local: string;
  try {
    local = normalizeLocal(event.start);
  } catch {
    return null; // an unreadable start cannot be placed anywhere
  }
  const duration = parseDurationOrZero(event.duration);
  if (event.showWithoutTime) {
    // All-day events are dates, not instants: the UI places them by date in whatever zone it shows.
    const p = parseLocal(local);
    const start = Date.UTC(p.year, p.month - 1, p.day);
    const days = Math.max(1, durationDays(duration) + Math.ceil(durationExactMs(duration) / DAY_MS));
    return { eventId: master.id, recurrenceId, start: new Date(start), end: new Date(start + days * DAY_MS), allDay: true, event };
  }
  const start = localToUtc(local, event.timeZone, defaultZone);
  const end = addDuration(start, duration, event.timeZone, defaultZone);
  return { eventId: master.id, recurrenceId, start, end: end < start ? start : end, allDay: false, event };
}

function overlaps(occ: Occurrence, range: TimeRange, defaultZone: string): boolean {
  let start = occ.start.getTime();
  let end = occ.end.getTime();
  if (occ.allDay) {
    // Dates are compared with the range as days in the default (viewer's) zone.
    start = localToUtc(utcToLocal(occ.start, 'UTC'), null, defaultZone).getTime();
    end = localToUtc(utcToLocal(occ.end, 'UTC'), null, defaultZone).getTime();
  }
  const from = range.from.getTime();
  const to = range.to.getTime();
  // A zero-length event at the very start of the range is in it.
  return start < to && (end > from || (end === start && start >= from));
}

function windowZone(event: CalendarEvent, defaultZone: string): string {
  if (!event.showWithoutTime && isKnownTimeZone(event.timeZone)) return event.timeZone;
  return isKnownTimeZone(defaultZone) ? defaultZone : 'UTC';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function normalizeLocal(local: string): string {
  return formatLocal(parseLocal(local));
}

// Rules -------------------------------------------------------------------------------------------

interface LocalWindow {
  /** Local date-times, compared as strings (same fixed-width format). */
  from: string;
  to: string;
  /** Keys from here on count towards the limit; earlier ones are only kept for long events. */
  counted: string;
  limit: number;
  stats: { steps: number };
}

const FREQUENCY_SECONDS: Partial<Record<RecurrenceRule['frequency'], number>> = {
  secondly: 1,
  minutely: 60,
  hourly: 3600,
  daily: 86_400,
  weekly: 604_800,
};

const BY_PARTS = ['byDay', 'byMonthDay', 'byMonth', 'byYearDay', 'byWeekNo', 'byHour', 'byMinute', 'bySecond', 'bySetPosition'] as const;

/** The LocalDateTimes a rule produces inside the window, in order. Unusable rules produce none. */
function ruleKeys(rule: RecurrenceRule, start: string, window: LocalWindow, timeZone: string | null): string[] {
  if (!isIterable(rule)) return [];
  const until = untilLocal(rule.until, timeZone);
  if (until !== null && until < window.from) return [];
  let explicit = withImplicitDateParts(rule, start);
  if (explicit.count !== undefined && countOutlasts(explicit, start, window.to)) explicit = { ...explicit, count: undefined };
  const jump = fastForward(explicit, start, window.from);
  if (jump === 'finished') return [];
  const dtstart = jump ? jump.start : start;
  const count = jump ? jump.count : explicit.count;

  let iterator: ICAL.RecurIterator;
  try {
    iterator = toRecur(explicit, count, until).iterator(toTime(dtstart));
  } catch {
    return []; // ical.js rejects contradictory rules (e.g. BYYEARDAY with BYMONTH); so do we
  }
  const keys: string[] = [];
  let budget = Number.POSITIVE_INFINITY;
  let counted = 0;
  for (let steps = 0; steps < MAX_STEPS && counted < window.limit; steps++) {
    let time: ICAL.Time | null;
    try {
      time = iterator.next();
    } catch {
      break;
    }
    window.stats.steps++;
    if (!time) break;
    const key = formatLocal(time);
    if (steps === 0 && !jump && count && key !== start) {
      // ical.js skips a start that does not match the rule, but COUNT includes it (RFC 5545).
      budget = count - 1;
    }
    if (key >= window.to) break;
    // ical.js rolls impossible dates over (30 February becomes 2 March); RFC 5545 skips them.
    if (!isRealDate(time, explicit)) continue;
    if (budget-- <= 0) break;
    if (key >= window.from) keys.push(key);
    if (key >= window.counted) counted++;
  }
  return keys;
}

/**
 * For a rule starting long before the window, a later start that yields the same occurrences
 * from the window on, so old series are not iterated from their first day. Shifts are by whole
 * periods, with one period to spare before the window (ical.js may yield the shifted start
 * itself even where the rule does not match it; there it falls outside the window):
 * - daily, weekly and sub-daily rules: by periods that are also whole days, so phase, weekday and
 *   time of day stay; with COUNT only when no BY parts exist, so each period holds exactly one
 *   occurrence and the count can be reduced by the periods skipped;
 * - monthly and yearly rules, without COUNT: to the first day of a month (year) in phase, at the
 *   start's time; their day parts are explicit by then (withImplicitDateParts).
 */
function fastForward(rule: RecurrenceRule, start: string, windowFrom: string): { start: string; count: number | undefined } | 'finished' | null {
  const interval = Math.max(1, Math.floor(rule.interval ?? 1));
  if (rule.frequency === 'monthly' || rule.frequency === 'yearly') {
    if (rule.count !== undefined) return null;
    const s = parseLocal(start);
    const w = parseLocal(windowFrom);
    const months = rule.frequency === 'monthly' ? 1 : 12;
    const periods = Math.floor(((w.year - s.year) * 12 + (w.month - s.month)) / (interval * months)) - 1;
    if (periods <= 0) return null;
    const index = s.year * 12 + (s.month - 1) + periods * interval * months;
    return { start: formatLocal({ ...s, year: Math.floor(index / 12), month: (index % 12) + 1, day: 1 }), count: undefined };
  }
  const unit = FREQUENCY_SECONDS[rule.frequency];
  if (!unit) return null;
  const hasByParts = BY_PARTS.some((p) => Array.isArray(rule[p]) && (rule[p] as unknown[]).length > 0);
  if (rule.count !== undefined && hasByParts) return null;
  const period = unit * interval;
  const stepSeconds = lcm(period, 86_400);
  const stepDays = stepSeconds / 86_400;
  const steps = Math.floor(localDaysBetween(start, windowFrom) / stepDays) - 1;
  if (steps <= 0) return null;
  let count: number | undefined;
  if (rule.count !== undefined) {
    count = rule.count - steps * (stepSeconds / period);
    if (count <= 0) return 'finished';
  }
  return { start: addLocalDays(start, steps * stepDays), count };
}

/**
 * Whether a COUNT is too large to run out before `to` even if every period produced as many
 * occurrences as its BY parts allow. Such a count (COUNT=1000000 is a common "forever") changes
 * nothing in the window, so the rule is expanded as endless, which can be fast-forwarded.
 */
function countOutlasts(rule: RecurrenceRule, start: string, to: string): boolean {
  const interval = Math.max(1, Math.floor(rule.interval ?? 1));
  const s = parseLocal(start);
  const t = parseLocal(to);
  const f = rule.frequency;
  let periods: number;
  if (f === 'monthly' || f === 'yearly') {
    periods = ((t.year - s.year) * 12 + (t.month - s.month)) / (f === 'monthly' ? 1 : 12);
  } else {
    const seconds = (Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) - Date.UTC(s.year, s.month - 1, s.day, s.hour, s.minute, s.second)) / 1000;
    periods = seconds / (FREQUENCY_SECONDS[f] ?? 1);
  }
  const len = (values: readonly unknown[] | undefined): number => Math.max(1, values?.length ?? 0);
  const days = f === 'yearly' ? 366 : f === 'monthly' ? 31 : f === 'weekly' ? 7 : 1;
  const order = ['secondly', 'minutely', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'];
  const rank = order.indexOf(f);
  // Time parts expand only in rules coarser than them; in finer ones they filter.
  let perPeriod = days * (rank >= 3 ? len(rule.byHour) : 1) * (rank >= 2 ? len(rule.byMinute) : 1) * (rank >= 1 ? len(rule.bySecond) : 1);
  if (rule.bySetPosition?.length) perPeriod = Math.min(perPeriod, rule.bySetPosition.length);
  return rule.count! > (Math.floor(periods / interval) + 2) * perPeriod;
}

const RANGES: Record<Exclude<(typeof BY_PARTS)[number], 'byDay' | 'byMonth'>, [number, number, boolean]> = {
  // [min, max, negative values allowed]; ical.js has no leap second, so 60 is out.
  byMonthDay: [1, 31, true],
  byYearDay: [1, 366, true],
  byWeekNo: [1, 53, true],
  byHour: [0, 23, false],
  byMinute: [0, 59, false],
  bySecond: [0, 59, false],
  bySetPosition: [1, 366, true],
};
const MAX_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const WEEKDAYS = new Set(['mo', 'tu', 'we', 'th', 'fr', 'sa', 'su']);

/**
 * Whether ical.js can iterate the rule without hanging. Its daily and shorter rules loop inside
 * one next() call until a date matches, forever if none ever can (30 February, hour 25, "1MO"
 * in a daily rule), so such rules, which RFC 5545 forbids anyway, are refused up front.
 */
function isIterable(rule: RecurrenceRule): boolean {
  if (!isRecord(rule) || !FREQUENCIES.has(rule.frequency)) return false;
  if (rule.byDay !== undefined && !(Array.isArray(rule.byDay) && rule.byDay.every((d) => isRecord(d) && typeof d.day === 'string'))) return false;
  if (rule.byMonth !== undefined && !Array.isArray(rule.byMonth)) return false;
  if (rule.interval !== undefined && typeof rule.interval !== 'number') return false;
  if (rule.until !== undefined && typeof rule.until !== 'string') return false;
  if (rule.count !== undefined && !(Number.isInteger(rule.count) && rule.count > 0)) return false;
  for (const [part, [min, max, negative]] of Object.entries(RANGES)) {
    const values = rule[part];
    if (values === undefined) continue;
    if (!Array.isArray(values)) return false;
    for (const v of values) {
      if (typeof v !== 'number' || !Number.isInteger(v)) return false;
      const a = negative ? Math.abs(v) : v;
      if (a < min || a > max) return false;
    }
  }
  const yearly = rule.frequency === 'yearly';
  if (!yearly && (rule.byYearDay?.length || rule.byWeekNo?.length)) return false;
  for (const d of rule.byDay ?? []) {
    if (!WEEKDAYS.has(String(d.day).toLowerCase())) return false;
    if (d.nthOfPeriod === undefined) continue;
    const limit = yearly ? 53 : rule.frequency === 'monthly' ? 5 : 0;
    if (!Number.isInteger(d.nthOfPeriod) || d.nthOfPeriod === 0 || Math.abs(d.nthOfPeriod) > limit) return false;
  }
  const months = rule.byMonth?.length ? rule.byMonth.map(Number) : [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  if (months.some((m) => !Number.isInteger(m) || m < 1 || m > 12)) return false;
  // Some month must have some of the days asked for.
  if (rule.byMonthDay?.length && !months.some((m) => rule.byMonthDay!.some((d) => Math.abs(d) <= (MAX_DAYS[m - 1] ?? 31)))) return false;
  return true;
}

const FREQUENCIES = new Set<string>(['yearly', 'monthly', 'weekly', 'daily', 'hourly', 'minutely', 'secondly']);

/**
 * Spells out what a monthly or yearly rule takes from its start (RFC 5545 §3.3.10): the day of
 * the month, and for yearly rules the month. ical.js would otherwise add months or years to the
 * start date and roll 31 April or 29 February over into the next month.
 */
function withImplicitDateParts(rule: RecurrenceRule, start: string): RecurrenceRule {
  const p = parseLocal(start);
  const has = (k: (typeof BY_PARTS)[number]): boolean => Array.isArray(rule[k]) && (rule[k] as unknown[]).length > 0;
  if (rule.frequency === 'monthly' && !has('byDay') && !has('byMonthDay')) return { ...rule, byMonthDay: [p.day] };
  if (rule.frequency === 'yearly' && !has('byDay') && !has('byMonthDay') && !has('byYearDay') && !has('byWeekNo')) {
    return { ...rule, byMonthDay: [p.day], byMonth: has('byMonth') ? rule.byMonth : [String(p.month)] };
  }
  return rule;
}

function isRealDate(time: ICAL.Time, rule: RecurrenceRule): boolean {
  if (rule.byMonth?.length && !rule.byMonth.some((m) => Number(m) === time.month)) return false;
  if (rule.byMonthDay?.length) {
    const length = ICAL.Time.daysInMonth(time.month, time.year);
    return rule.byMonthDay.some((d) => (d > 0 ? d : length + 1 + d) === time.day);
  }
  return true;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b;
}

/** JSCalendar's UNTIL is a LocalDateTime in the event's zone; tolerate servers sending UTC. */
function untilLocal(until: string | undefined, timeZone: string | null): string | null {
  if (!until) return null;
  try {
    if (/Z$/i.test(until)) return utcToLocal(new Date(until), isKnownTimeZone(timeZone) ? timeZone : 'UTC');
    return normalizeLocal(until);
  } catch {
    return null;
  }
}

function numbers(list: readonly unknown[] | undefined): number[] | undefined {
  if (!list || list.length === 0) return undefined;
  const out = list.map((v) => Number(v));
  // "3L" (a leap month) only exists in non-Gregorian calendars, which ical.js does not have.
  if (out.some((n) => !Number.isInteger(n))) throw new RangeError('unsupported rule part');
  return out;
}

function toRecur(rule: RecurrenceRule, count: number | undefined, until: string | null): ICAL.Recur {
  if (rule.rscale && rule.rscale.toLowerCase() !== 'gregorian') throw new RangeError('unsupported calendar scale');
  const data: Parameters<typeof ICAL.Recur.fromData>[0] = {
    freq: rule.frequency.toUpperCase(),
    interval: Math.max(1, Math.floor(rule.interval ?? 1)),
    wkst: ICAL.Recur.icalDayToNumericDay((rule.firstDayOfWeek ?? 'mo').toUpperCase()),
  };
  if (count !== undefined) data.count = count;
  if (until !== null) data.until = toTime(until);
  if (rule.byDay?.length) data.byday = rule.byDay.map((d) => `${d.nthOfPeriod ?? ''}${d.day.toUpperCase()}`);
  // ical.js treats a part that is present but undefined as given, so only real parts are set.
  const parts = {
    bymonthday: numbers(rule.byMonthDay),
    bymonth: numbers(rule.byMonth),
    byyearday: numbers(rule.byYearDay),
    byweekno: numbers(rule.byWeekNo),
    byhour: numbers(rule.byHour),
    byminute: numbers(rule.byMinute),
    bysecond: numbers(rule.bySecond),
    bysetpos: numbers(rule.bySetPosition),
  };
  for (const [name, values] of Object.entries(parts)) if (values) data[name as keyof typeof parts] = values;
  return ICAL.Recur.fromData(data);
}

/** A floating ical.js time: the rule is iterated on wall-clock fields only. */
function toTime(local: string): ICAL.Time {
  const p = parseLocal(local);
  return ICAL.Time.fromData({ ...p, isDate: false });
}

// Patches ------------------------------------------------------------------------------------------

const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * Applies an RFC 8984 §1.4.9 PatchObject: each key is a JSON pointer (the leading "/" implied,
 * "~1" for "/" and "~0" for "~"); the value replaces what is there, null removes it. The base is
 * not changed. Missing parents are created, so a patch never silently drops its change.
 */
export function applyPatch(base: CalendarEvent, patch: Record<string, unknown>): CalendarEvent {
  const result = structuredClone(base);
  for (const [pointer, value] of Object.entries(patch)) {
    if (pointer === 'excluded') continue;
    const path = pointer.replace(/^\//, '').split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (path.some((s) => FORBIDDEN.has(s) || s === '')) continue;
    let target: Record<string, unknown> = result;
    for (const segment of path.slice(0, -1)) {
      const next = target[segment];
      if (next === null || typeof next !== 'object' || Array.isArray(next)) target[segment] = {};
      target = target[segment] as Record<string, unknown>;
    }
    const last = path[path.length - 1]!;
    if (value === null) delete target[last];
    else target[last] = structuredClone(value);
  }
  return result;
}
