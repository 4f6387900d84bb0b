// Reading the wall clock of an IANA time zone at an instant, through Intl alone (the platform's
// tz data; no database of our own). Shared by the core (recurrence, iCalendar) and the calendar UI.

export interface WallClockParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

// Building a DateTimeFormat costs far more than using one; expansion converts thousands of
// times. Unknown zones are remembered as null. Hostile files can name any number of zones, so
// the cache is bounded.
const formatters = new Map<string, Intl.DateTimeFormat | null>();

/** A formatter for the zone, or null when the platform does not know it. */
export function zoneFormatter(zone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(zone);
  if (f === undefined) {
    if (formatters.size >= 1000) formatters.clear();
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      f = null;
    }
    formatters.set(zone, f);
  }
  return f;
}

// format() is about three times faster than formatToParts(); its en-US shape ("3/29/2026,
// 03:30:00") is read directly, and anything else (another ICU's spacing) falls back to the parts.
const enUs = /^(\d+)\/(\d+)\/(\d+),?\s+(\d+):(\d+):(\d+)$/;

/** The zone's wall clock at an instant; null for a zone the platform does not know. */
export function wallClockAt(ms: number, zone: string): WallClockParts | null {
  const f = zoneFormatter(zone);
  if (!f) return null;
  const date = new Date(ms);
  const m = enUs.exec(f.format(date).replace(/[\u200e\u200f]/g, ''));
  if (m) return { year: Number(m[3]), month: Number(m[1]), day: Number(m[2]), hour: Number(m[4]), minute: Number(m[5]), second: Number(m[6]) };
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(date)) p[part.type] = part.value;
  return { year: Number(p.year), month: Number(p.month), day: Number(p.day), hour: Number(p.hour), minute: Number(p.minute), second: Number(p.second) };
}

/** The zone's offset from UTC at an instant, in ms (east positive); 0 for an unknown zone. */
export function zoneOffsetAt(ms: number, zone: string): number {
  if (!Number.isFinite(ms)) return 0;
  const whole = Math.floor(ms / 1000) * 1000;
  const w = wallClockAt(whole, zone);
  return w ? Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - whole : 0;
}
