// Wall-clock time in IANA zones, and ISO 8601 durations, for calendar events.
//
// ical.js (our recurrence engine) carries no time-zone database, so events are expanded in
// their local wall-clock time and each local date-time is turned into an instant here, with the
// platform's IANA data reached through Intl.DateTimeFormat. Local date-times are JSCalendar
// LocalDateTime strings ("2026-03-29T09:30:00", RFC 8984 §1.4.4).

import { wallClockAt, zoneFormatter, zoneOffsetAt } from '../../../shared/zone-clock';

export interface LocalParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const LOCAL_RE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;

export function parseLocal(local: string): LocalParts {
  const m = LOCAL_RE.exec(local);
  if (!m) throw new RangeError(`Not a local date-time: ${local}`);
  return {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
  };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

export function formatLocal(p: LocalParts): string {
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** The local fields read as if they were UTC: a number that orders and subtracts like wall-clock time. */
function wallMs(p: LocalParts): number {
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
}

function partsOfWallMs(ms: number): LocalParts {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

// Unknown names are remembered too: a custom zone id would otherwise throw on every occurrence.
const unknownZones = new Set<string>();

export function isKnownTimeZone(name: string | null | undefined): name is string {
  if (!name || unknownZones.has(name)) return false;
  if (zoneFormatter(name)) return true;
  if (unknownZones.size < 1000) unknownZones.add(name);
  return false;
}

/** The zone the machine runs in: where floating events and all-day dates are placed. */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

function zoneOrDefault(timeZone: string | null, defaultTimeZone: string | undefined): string {
  if (isKnownTimeZone(timeZone)) return timeZone;
  // Floating, or a zone the platform does not know (e.g. a server's custom "/..." id): the default.
  // Looked up only here, as asking for the system zone costs more than a whole conversion.
  const fallback = defaultTimeZone ?? systemTimeZone();
  return isKnownTimeZone(fallback) ? fallback : 'UTC';
}

function localPartsAt(ms: number, timeZone: string): LocalParts {
  const parts = wallClockAt(ms, timeZone);
  if (!parts) throw new RangeError(`unknown time zone ${timeZone}`);
  return parts;
}

/** Offset of the zone from UTC at an instant, in ms (east positive). */
function offsetAt(ms: number, timeZone: string): number {
  return zoneOffsetAt(ms, timeZone);
}

/**
 * The instant a local date-time names in a zone (null = floating, placed in defaultTimeZone).
 * In a DST gap the time does not exist; as RFC 5545 §3.3.5 says, it is read with the offset from
 * before the gap, so 02:30 on a spring-forward day becomes 03:30 in summer time. In the overlap
 * the local time happens twice; the first (earlier) instant is taken.
 */
export function localToUtc(local: string, timeZone: string | null, defaultTimeZone?: string): Date {
  const zone = zoneOrDefault(timeZone, defaultTimeZone);
  const wall = wallMs(parseLocal(local));
  if (zone === 'UTC' || zone === 'Etc/UTC') return new Date(wall);
  // Offsets a day either side cover any single transition near this wall-clock time.
  const before = offsetAt(wall - 86_400_000, zone);
  const after = offsetAt(wall + 86_400_000, zone);
  if (before === after) return new Date(wall - before); // no change nearby: the usual case
  // A candidate is real when the zone's offset at that instant is the one assumed; none is in a gap.
  const candidates = [...new Set([before, after])]
    .map((offset) => wall - offset)
    .filter((t) => offsetAt(t, zone) === wall - t)
    .sort((a, b) => a - b);
  return new Date(candidates[0] ?? wall - before);
}

/** The wall-clock LocalDateTime of an instant in a zone (unknown zones read as UTC). */
export function utcToLocal(date: Date, timeZone: string): string {
  const zone = isKnownTimeZone(timeZone) ? timeZone : 'UTC';
  return formatLocal(localPartsAt(date.getTime(), zone));
}

/** Adds whole calendar days to a local date-time (no zone involved). */
export function addLocalDays(local: string, days: number): string {
  return formatLocal(partsOfWallMs(wallMs(parseLocal(local)) + days * 86_400_000));
}

/** Whole days from a to b, both local date-times, by their calendar dates. */
export function localDaysBetween(a: string, b: string): number {
  const pa = parseLocal(a);
  const pb = parseLocal(b);
  return Math.round((Date.UTC(pb.year, pb.month - 1, pb.day) - Date.UTC(pa.year, pa.month - 1, pa.day)) / 86_400_000);
}

// Durations ---------------------------------------------------------------------------------

/** An ISO 8601 / RFC 8984 §1.4.6 (Signed)Duration. Days and weeks are nominal, the rest exact. */
export interface Duration {
  sign: 1 | -1;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const DURATION_RE = /^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Parses "P1W", "P1DT2H", "-PT15M", "PT1.5S"; throws RangeError on anything else. */
export function parseDuration(text: string): Duration {
  const m = DURATION_RE.exec(text.trim().toUpperCase());
  if (!m || text.trim().toUpperCase().replace(/^[+-]/, '') === 'P' || /T$/.test(text.trim().toUpperCase())) {
    throw new RangeError(`Not a duration: ${text}`);
  }
  return {
    sign: m[1] === '-' ? -1 : 1,
    weeks: Number(m[2] ?? 0),
    days: Number(m[3] ?? 0),
    hours: Number(m[4] ?? 0),
    minutes: Number(m[5] ?? 0),
    seconds: Number(m[6] ?? 0),
  };
}

/** As parseDuration, but a malformed duration is zero (a server's typo must not hide an event). */
export function parseDurationOrZero(text: string | null | undefined): Duration {
  try {
    return parseDuration(text ?? 'PT0S');
  } catch {
    return { sign: 1, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0 };
  }
}

/** The nominal days of a duration (weeks and days), signed. */
export function durationDays(d: Duration): number {
  return d.sign * (d.weeks * 7 + d.days);
}

/** The exact part of a duration (hours, minutes, seconds) in ms, signed. */
export function durationExactMs(d: Duration): number {
  return d.sign * Math.round(((d.hours * 60 + d.minutes) * 60 + d.seconds) * 1000);
}

/** An upper estimate in ms, treating days as 24 hours: for search windows, never for results. */
export function durationApproxMs(d: Duration): number {
  return durationDays(d) * 86_400_000 + durationExactMs(d);
}

/**
 * Adds a duration to an instant as RFC 8984 §1.4.6 defines it: the nominal days move the date in
 * the given zone's calendar keeping the wall-clock time (so "P1D" across a DST change is one
 * calendar day, 23 or 25 hours), then the hours, minutes and seconds are added exactly ("PT24H"
 * is always 24 hours).
 */
export function addDuration(start: Date, duration: string | Duration, timeZone: string | null, defaultTimeZone?: string): Date {
  const d = typeof duration === 'string' ? parseDuration(duration) : duration;
  const days = durationDays(d);
  let t = start.getTime();
  if (days !== 0) {
    const zone = zoneOrDefault(timeZone, defaultTimeZone);
    t = localToUtc(addLocalDays(utcToLocal(start, zone), days), zone).getTime();
  }
  return new Date(t + durationExactMs(d));
}
