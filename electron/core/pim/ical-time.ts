// Time zones for iCalendar conversion: IANA zones through Intl (no tz database of our own),
// the Windows names Outlook/Exchange put in TZID, and VTIMEZONE definitions built from Intl.
import ICAL from 'ical.js';
import type { JComp, JProp } from './ical-jcal';
import { firstProp, firstText, subs } from './ical-jcal';
import { zoneFormatter, zoneOffsetAt } from '../../../shared/zone-clock';

export const isIanaZone = (zone: string): boolean => zone.length > 0 && zone.length < 64 && zoneFormatter(zone) !== null;

/** The zone's offset from UTC, in ms, at an instant. */
export function zoneOffsetMs(zone: string, utcMs: number): number {
  return zoneOffsetAt(utcMs, zone);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** "YYYY-MM-DDTHH:MM:SS" read as if it were UTC, in ms; NaN if it is not one. */
export function localMs(local: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2}))?/.exec(local);
  if (!m) return NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
}

export function formatLocal(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export const formatUtc = (ms: number): string => `${formatLocal(ms)}Z`;

export function utcToLocal(utcMs: number, zone: string): string {
  return formatLocal(utcMs + zoneOffsetMs(zone, utcMs));
}

/**
 * A wall-clock time in a zone as an instant. Ambiguous (fall back): the first one; in a spring
 * gap: read with the offset before the gap, so it lands after it (RFC 5545 §3.3.5).
 */
export function localToUtc(local: string, zone: string): number {
  const wall = localMs(local);
  const before = zoneOffsetMs(zone, wall - 86400_000);
  const after = zoneOffsetMs(zone, wall + 86400_000);
  const valid = [before, after].map((o) => wall - o).filter((t) => wall - zoneOffsetMs(zone, t) === t);
  return valid.length ? Math.min(...valid) : wall - before;
}

// The Outlook/Exchange names seen in real invitations, to the zone of their principal city (CLDR windowsZones).
const WINDOWS_ZONES: Record<string, string> = {
  'W. Europe Standard Time': 'Europe/Berlin',
  'Romance Standard Time': 'Europe/Paris',
  'Central Europe Standard Time': 'Europe/Budapest',
  'Central European Standard Time': 'Europe/Warsaw',
  'GMT Standard Time': 'Europe/London',
  'Greenwich Standard Time': 'Atlantic/Reykjavik',
  'FLE Standard Time': 'Europe/Helsinki',
  'GTB Standard Time': 'Europe/Bucharest',
  'E. Europe Standard Time': 'Europe/Chisinau',
  'Russian Standard Time': 'Europe/Moscow',
  'Turkey Standard Time': 'Europe/Istanbul',
  'Israel Standard Time': 'Asia/Jerusalem',
  'Egypt Standard Time': 'Africa/Cairo',
  'South Africa Standard Time': 'Africa/Johannesburg',
  'W. Central Africa Standard Time': 'Africa/Lagos',
  'E. Africa Standard Time': 'Africa/Nairobi',
  'Morocco Standard Time': 'Africa/Casablanca',
  'Arabian Standard Time': 'Asia/Dubai',
  'Arab Standard Time': 'Asia/Riyadh',
  'Iran Standard Time': 'Asia/Tehran',
  'Pakistan Standard Time': 'Asia/Karachi',
  'India Standard Time': 'Asia/Kolkata',
  'Bangladesh Standard Time': 'Asia/Dhaka',
  'SE Asia Standard Time': 'Asia/Bangkok',
  'China Standard Time': 'Asia/Shanghai',
  'Singapore Standard Time': 'Asia/Singapore',
  'Taipei Standard Time': 'Asia/Taipei',
  'Tokyo Standard Time': 'Asia/Tokyo',
  'Korea Standard Time': 'Asia/Seoul',
  'AUS Eastern Standard Time': 'Australia/Sydney',
  'E. Australia Standard Time': 'Australia/Brisbane',
  'Cen. Australia Standard Time': 'Australia/Adelaide',
  'W. Australia Standard Time': 'Australia/Perth',
  'New Zealand Standard Time': 'Pacific/Auckland',
  'Eastern Standard Time': 'America/New_York',
  'Central Standard Time': 'America/Chicago',
  'Mountain Standard Time': 'America/Denver',
  'US Mountain Standard Time': 'America/Phoenix',
  'Pacific Standard Time': 'America/Los_Angeles',
  'Alaskan Standard Time': 'America/Anchorage',
  'Hawaiian Standard Time': 'Pacific/Honolulu',
  'Atlantic Standard Time': 'America/Halifax',
  'Newfoundland Standard Time': 'America/St_Johns',
  'Canada Central Standard Time': 'America/Regina',
  'Central Standard Time (Mexico)': 'America/Mexico_City',
  'SA Pacific Standard Time': 'America/Bogota',
  'E. South America Standard Time': 'America/Sao_Paulo',
  'Argentina Standard Time': 'America/Argentina/Buenos_Aires',
  'UTC': 'Etc/UTC',
  'Coordinated Universal Time': 'Etc/UTC',
};

const UTC_NAMES = new Set(['utc', 'gmt', 'z', 'etc/utc', 'etc/gmt', 'universal', 'zulu']);

let zoneList: string[] | null = null;
function zoneForCity(city: string): string | null {
  zoneList ??= Intl.supportedValuesOf('timeZone');
  const suffix = `/${city.trim().replace(/ /g, '_')}`.toLowerCase();
  return suffix.length > 2 ? (zoneList.find((z) => z.toLowerCase().endsWith(suffix)) ?? null) : null;
}

/**
 * The IANA zone a TZID means, or null: an IANA name (also behind a "/mozilla.org/…/" style prefix),
 * a Windows name, Outlook's "(UTC+01:00) Amsterdam, Berlin, …" label, or the VTIMEZONE's X-LIC-LOCATION.
 */
export function ianaZoneFor(tzid: string, vtimezone?: JComp): string | null {
  const id = tzid.trim().replace(/^"|"$/g, '');
  if (UTC_NAMES.has(id.toLowerCase())) return 'Etc/UTC';
  if (id.includes('/')) {
    const segments = id.split('/').filter(Boolean);
    for (let i = 0; i < segments.length; i++) {
      const candidate = segments.slice(i).join('/');
      if (candidate.includes('/') && isIanaZone(candidate)) return canonical(candidate);
    }
  } else if (/^[A-Za-z][A-Za-z0-9_+-]*$/.test(id) && isIanaZone(id)) return id; // "Japan", "EST5EDT"
  const windows = WINDOWS_ZONES[id];
  if (windows && isIanaZone(windows)) return windows;
  const label = /^\(UTC[^)]*\)\s*(.+)$/.exec(id);
  if (label?.[1]) {
    for (const city of label[1].split(',')) {
      const z = zoneForCity(city);
      if (z) return z;
    }
  }
  const loc = vtimezone ? firstText(vtimezone, 'x-lic-location') : null;
  if (loc && loc !== tzid) return ianaZoneFor(loc);
  return null;
}

function canonical(zone: string): string {
  return UTC_NAMES.has(zone.toLowerCase()) ? 'Etc/UTC' : zone;
}

/**
 * Reads a wall-clock time through a VTIMEZONE ical.js understands, as a UTC instant; null when the
 * definition is unusable. Only yearly rules are expanded, so a hostile definition cannot make it spin.
 */
export function vtimezoneToUtc(vtimezone: JComp, local: string): number | null {
  const tz = timezoneOf(vtimezone);
  if (!tz) return null;
  try {
    const ms = localMs(local);
    const d = new Date(ms);
    const t = ICAL.Time.fromData(
      { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), isDate: false },
      tz,
    );
    const utc = t.convertToZone(ICAL.Timezone.utcTimezone).toJSDate().getTime();
    return Number.isFinite(utc) ? utc : null;
  } catch {
    return null;
  }
}

// One ical.js Timezone per VTIMEZONE: it caches its expansion, which every event in the zone reuses.
const timezones = new WeakMap<JComp, InstanceType<typeof ICAL.Timezone> | null>();

function timezoneOf(vtimezone: JComp): InstanceType<typeof ICAL.Timezone> | null {
  let tz = timezones.get(vtimezone);
  if (tz === undefined) {
    tz = usableTimezone(vtimezone);
    timezones.set(vtimezone, tz);
  }
  return tz;
}

function usableTimezone(vtimezone: JComp): InstanceType<typeof ICAL.Timezone> | null {
  for (const obs of [...subs(vtimezone, 'standard'), ...subs(vtimezone, 'daylight')]) {
    const rule = firstProp(obs, 'rrule')?.[3];
    const freq = rule && typeof rule === 'object' && 'freq' in rule ? String((rule as { freq: unknown }).freq) : null;
    const start = firstText(obs, 'dtstart') ?? '';
    if ((rule && freq !== 'YEARLY') || !/^(1[5-9]|2\d)\d\d-/.test(start)) return null;
  }
  if (!firstText(vtimezone, 'tzid')) return null;
  try {
    return new ICAL.Timezone(new ICAL.Component(vtimezone));
  } catch {
    return null;
  }
}

interface Transition {
  utc: number;
  from: number;
  to: number;
}

function transitions(zone: string, fromYear: number, toYear: number): Transition[] {
  const out: Transition[] = [];
  // Weekly samples: zones do not change offset twice within a week.
  const step = 7 * 86400_000;
  let t = Date.UTC(fromYear, 0, 1);
  const end = Date.UTC(toYear + 1, 0, 1);
  let off = zoneOffsetMs(zone, t);
  for (; t < end; t += step) {
    const next = zoneOffsetMs(zone, t + step);
    if (next === off) continue;
    // Narrow the change down to the minute.
    let lo = t;
    let hi = t + step;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (zoneOffsetMs(zone, mid) === off) lo = mid;
      else hi = mid;
    }
    out.push({ utc: hi, from: off, to: next });
    off = next;
  }
  return out;
}

const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const;

interface YearlyRule {
  month: number;
  byday: string;
  time: string;
}

function ruleOf(tr: Transition, preferLast: boolean): YearlyRule {
  const local = new Date(tr.utc + tr.from);
  const y = local.getUTCFullYear();
  const m = local.getUTCMonth();
  const d = local.getUTCDate();
  const daysInMonth = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const nth = preferLast && d + 7 > daysInMonth ? -1 : Math.ceil(d / 7);
  return { month: m + 1, byday: `${nth}${WEEKDAYS[local.getUTCDay()]}`, time: formatLocal(tr.utc + tr.from).slice(11) };
}

const sameRule = (a: YearlyRule, b: YearlyRule) => a.month === b.month && a.byday === b.byday && a.time === b.time;

const offsetText = (ms: number): string => {
  const mins = Math.round(Math.abs(ms) / 60_000);
  return `${ms < 0 ? '-' : '+'}${pad(Math.floor(mins / 60))}:${pad(mins % 60)}`;
};

function observance(tr: Transition, rule?: YearlyRule): JComp {
  const props: JProp[] = [
    ['dtstart', {}, 'date-time', formatLocal(tr.utc + tr.from)],
    ['tzoffsetfrom', {}, 'utc-offset', offsetText(tr.from)],
    ['tzoffsetto', {}, 'utc-offset', offsetText(tr.to)],
  ];
  if (rule) props.push(['rrule', {}, 'recur', { freq: 'YEARLY', bymonth: rule.month, byday: rule.byday }]);
  return [tr.to > tr.from ? 'daylight' : 'standard', props, []];
}

/**
 * A VTIMEZONE for an IANA zone, from Intl: the transitions of [fromYear, toYear] and, when the last
 * year follows "nth weekday of month" rules (as nearly every zone does), yearly RRULEs so that times
 * after toYear (recurring events) are right too.
 */
export function buildVTimezone(zone: string, fromYear: number, toYear: number): JComp {
  const to = Math.min(2200, Math.max(fromYear, toYear));
  const from = Math.max(1900, to - 60, Math.min(fromYear, toYear));
  const all = transitions(zone, from, to);
  const start = Date.UTC(from, 0, 1);
  const initial = zoneOffsetMs(zone, start);
  const comps: JComp[] = [observance({ utc: start, from: initial, to: initial })];
  comps[0]![0] = 'standard';
  const yearOf = (tr: Transition) => new Date(tr.utc + tr.from).getUTCFullYear();
  const lastYear = all.length ? yearOf(all[all.length - 1]!) : null;
  const ruled = new Set<Transition>();
  if (lastYear === to) {
    for (const last of all.filter((tr) => yearOf(tr) === lastYear)) {
      let best: { rule: YearlyRule; first: Transition; members: Transition[] } | null = null;
      for (const preferLast of [true, false]) {
        const rule = ruleOf(last, preferLast);
        const members: Transition[] = [];
        for (let y = lastYear; y >= from; y--) {
          const match = all.find((tr) => yearOf(tr) === y && tr.from === last.from && tr.to === last.to && sameRule(ruleOf(tr, preferLast), rule));
          if (!match) break;
          members.push(match);
        }
        if (!best || members.length > best.members.length) best = { rule, first: members[members.length - 1] ?? last, members };
      }
      if (best) {
        best.members.forEach((m) => ruled.add(m));
        comps.push(observance(best.first, best.rule));
      }
    }
  }
  for (const tr of all) if (!ruled.has(tr)) comps.push(observance(tr));
  return ['vtimezone', [['tzid', {}, 'text', zone]], comps];
}
