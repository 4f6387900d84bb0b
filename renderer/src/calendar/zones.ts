// IANA time zones through Intl alone: the wall-clock time of an instant in a zone, and the
// instant of a wall-clock time in a zone. A time inside a DST gap moves forward by the gap; a
// time the clocks pass twice takes the first of the two.
import { wallClockAt, zoneFormatter, zoneOffsetAt } from '../../../shared/zone-clock';
import { formatWallClock, localDate, parseWallClock, type WallClock } from './dates';

export function isTimeZone(zone: string): boolean {
  return zoneFormatter(zone) !== null;
}

function wallClockOf(ms: number, zone: string): WallClock {
  return wallClockAt(ms, zone) ?? { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
}

const asUtc = (w: WallClock): number => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);

/** The zone's offset from UTC at an instant, in ms (east positive). */
export function offsetAt(ms: number, zone: string): number {
  return zoneOffsetAt(ms, zone);
}

/** The LocalDateTime an instant shows in a zone; null zone: the window's own zone. */
export function wallClockIn(instant: Date, zone: string | null): string {
  if (!zone) {
    const d = instant;
    return formatWallClock({ year: d.getFullYear(), month: d.getMonth() + 1, day: d.getDate(), hour: d.getHours(), minute: d.getMinutes(), second: d.getSeconds() });
  }
  return formatWallClock(wallClockOf(instant.getTime(), zone));
}

/** The instant of a wall-clock time in a zone; null zone: the window's own zone (floating). */
export function instantOf(local: string, zone: string | null): Date | null {
  if (!zone) return localDate(local);
  const w = parseWallClock(local);
  if (!w) return null;
  const guess = asUtc(w);
  // The offsets a day before and after bracket any transition near this time; each gives a
  // candidate, kept if it really shows this wall clock.
  const before = guess - offsetAt(guess - 86_400_000, zone);
  const after = guess - offsetAt(guess + 86_400_000, zone);
  const valid = [before, after].filter((c) => asUtc(wallClockOf(c, zone)) === guess);
  // Both: the clocks pass this time twice, take the first. Neither: it is in a gap, and the
  // offset from before the gap carries it forward past it.
  return new Date(valid.length ? Math.min(...valid) : before);
}

/** The zone the window runs in. */
export function userTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

let zoneList: string[] | null = null;

/** Every IANA zone the engine knows, with UTC and the user's zone always among them. */
export function allTimeZones(): string[] {
  if (!zoneList) {
    const supported = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    zoneList = [...new Set(['UTC', userTimeZone(), ...supported])].sort((a, b) => a.localeCompare(b));
  }
  return zoneList;
}

/** "GMT+01:00"-style label of a zone's offset at an instant, for the picker. */
export function offsetLabel(zone: string, at = new Date()): string {
  const minutes = Math.round(offsetAt(at.getTime(), zone) / 60_000);
  const sign = minutes < 0 ? '−' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
