// One VEVENT → one JSCalendar Event (draft-ietf-calext-jscalendar-icalendar), without the
// grouping of RECURRENCE-ID instances, which icalendar.ts does.
import ICAL from 'ical.js';
import type { CalendarEvent, RecurrenceRule } from './model';
import type { JComp, JProp } from './ical-jcal';
import { firstProp, firstText, param1, propsNamed, subs, textOf, valuesOf } from './ical-jcal';
import { formatLocal, ianaZoneFor, localMs, localToUtc, utcToLocal, vtimezoneToUtc } from './ical-time';
import { formatDuration, normalizeDuration, stableId } from './ical-values';

export interface ReadContext {
  vtimezones: Map<string, JComp>;
  problems: string[];
  zonesUsed: Set<string>;
  /** TZIDs already reported, so one bad zone is one problem entry. */
  reported: Set<string>;
  /** TZID → IANA zone (or null), resolved once per file. */
  zoneCache?: Map<string, string | null>;
  calendarIds: Record<string, boolean>;
}

/** A DATE or DATE-TIME value, as a LocalDateTime and the IANA zone it is in (null: floating). */
export interface When {
  local: string;
  zone: string | null;
  isDate: boolean;
}

const LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

export function readWhen(p: JProp, value: unknown, ctx: ReadContext, uid: string): When | null {
  const raw = Array.isArray(value) ? value[0] : value; // PERIOD values: their start
  if (typeof raw !== 'string') return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) return { local: `${raw}T00:00:00`, zone: null, isDate: true };
  const text = raw.replace(/\.\d+/, '');
  if (text.endsWith('Z')) return LOCAL.test(text.slice(0, -1)) ? { local: text.slice(0, -1), zone: 'Etc/UTC', isDate: false } : null;
  if (!LOCAL.test(text)) return null;
  const tzid = param1(p, 'tzid');
  if (!tzid) return { local: text, zone: null, isDate: false };
  const vtz = ctx.vtimezones.get(tzid);
  ctx.zoneCache ??= new Map();
  let zone = ctx.zoneCache.get(tzid);
  if (zone === undefined) {
    zone = ianaZoneFor(tzid, vtz);
    ctx.zoneCache.set(tzid, zone);
  }
  if (zone) return { local: text, zone, isDate: false };
  const utc = vtz ? vtimezoneToUtc(vtz, text) : null;
  if (!ctx.reported.has(tzid)) {
    ctx.reported.add(tzid);
    ctx.problems.push(
      utc !== null
        ? `Unknown time zone "${tzid}" (event ${uid}): its times were converted to UTC using the file's VTIMEZONE.`
        : `Unknown time zone "${tzid}" (event ${uid}) with no usable definition: its times are shown as floating local times.`,
    );
  }
  return utc !== null ? { local: formatLocal(utc), zone: 'Etc/UTC', isDate: false } : { local: text, zone: null, isDate: false };
}

/** A time expressed in another zone, e.g. an EXDATE in UTC for a master in Europe/Berlin. */
export function inZone(w: When, zone: string | null): string {
  if (w.isDate || w.zone === zone || zone === null || w.zone === null) return w.local;
  const utc = w.zone === 'Etc/UTC' ? localMs(w.local) : localToUtc(w.local, w.zone);
  return zone === 'Etc/UTC' ? formatLocal(utc) : utcToLocal(utc, zone);
}

const DAY = /^([+-]?\d{1,2})?(SU|MO|TU|WE|TH|FR|SA)$/;
const numbers = (v: unknown): number[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(Number).filter((n) => Number.isInteger(n));

function readRule(value: unknown, start: When | null, zone: string | null): RecurrenceRule | null {
  if (!value || typeof value !== 'object') return null;
  const r = value as Record<string, unknown>;
  const freq = String(r.freq ?? '').toLowerCase();
  if (!['yearly', 'monthly', 'weekly', 'daily', 'hourly', 'minutely', 'secondly'].includes(freq)) return null;
  const rule: RecurrenceRule = { frequency: freq as RecurrenceRule['frequency'] };
  const interval = Number(r.interval);
  if (Number.isInteger(interval) && interval > 1) rule.interval = interval;
  const count = Number(r.count);
  if (Number.isInteger(count) && count > 0) rule.count = count;
  if (typeof r.until === 'string') {
    const u = r.until;
    if (/^\d{4}-\d{2}-\d{2}$/.test(u)) rule.until = `${u}T${start?.isDate === false ? '23:59:59' : '00:00:00'}`;
    else if (u.endsWith('Z')) rule.until = inZone({ local: u.slice(0, 19), zone: 'Etc/UTC', isDate: false }, zone);
    else rule.until = u.slice(0, 19);
    // An all-day series ends on a day; keep only the date so it survives export as VALUE=DATE.
    if (start?.isDate) rule.until = `${rule.until.slice(0, 10)}T00:00:00`;
  }
  const days = (Array.isArray(r.byday) ? r.byday : r.byday === undefined ? [] : [r.byday]).flatMap((d) => {
    const m = DAY.exec(String(d).toUpperCase());
    if (!m?.[2]) return [];
    return [{ day: m[2].toLowerCase(), ...(m[1] ? { nthOfPeriod: Number(m[1]) } : {}) }];
  });
  if (days.length) rule.byDay = days;
  const lists: [string, string][] = [
    ['bymonthday', 'byMonthDay'],
    ['byyearday', 'byYearDay'],
    ['byweekno', 'byWeekNo'],
    ['byhour', 'byHour'],
    ['byminute', 'byMinute'],
    ['bysecond', 'bySecond'],
    ['bysetpos', 'bySetPosition'],
  ];
  for (const [from, to] of lists) {
    const list = numbers(r[from]);
    if (list.length) rule[to] = list;
  }
  const months = numbers(r.bymonth);
  if (months.length) rule.byMonth = months.map(String);
  if (r.wkst !== undefined) {
    const wkst = typeof r.wkst === 'number' ? ICAL.Recur.numericDayToIcalDay(r.wkst) : String(r.wkst);
    if (DAY.test(wkst)) rule.firstDayOfWeek = wkst.toLowerCase();
  }
  return rule;
}

const ROLES: Record<string, Record<string, boolean>> = {
  'CHAIR': { attendee: true, chair: true },
  'REQ-PARTICIPANT': { attendee: true },
  'OPT-PARTICIPANT': { attendee: true, optional: true },
  'NON-PARTICIPANT': { informational: true },
};
const KINDS: Record<string, string> = { INDIVIDUAL: 'individual', GROUP: 'group', RESOURCE: 'resource', ROOM: 'location' };

export const emailOf = (address: string): string | null => {
  const m = /^mailto:(.+)$/i.exec(address.trim());
  if (!m?.[1]) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
};

function readParticipants(ve: JComp): { participants: Record<string, Record<string, unknown>> | null; replyTo: string | null } {
  const out: Record<string, Record<string, unknown>> = {};
  const add = (p: JProp, roles: Record<string, boolean>) => {
    const address = textOf(p)?.trim();
    if (!address) return;
    const email = emailOf(address);
    const id = stableId('p', (email ?? address).toLowerCase());
    const existing = out[id];
    // RFC 8984's sendTo, not JSCalendar 2.0's calendarAddress, which RFC 8984 servers would reject.
    const part: Record<string, unknown> = existing ?? { '@type': 'Participant', sendTo: { imip: address } };
    if (email) part.email = email;
    const cn = param1(p, 'cn');
    if (cn && !part.name) part.name = cn;
    part.roles = { ...(part.roles as Record<string, boolean> | undefined), ...roles };
    const partstat = param1(p, 'partstat');
    if (partstat) part.participationStatus = partstat.toLowerCase();
    if (param1(p, 'rsvp')?.toUpperCase() === 'TRUE') part.expectReply = true;
    const kind = KINDS[param1(p, 'cutype')?.toUpperCase() ?? ''];
    if (kind) part.kind = kind;
    out[id] = part;
  };
  const organizer = firstProp(ve, 'organizer');
  if (organizer) add(organizer, { owner: true });
  for (const a of propsNamed(ve, 'attendee')) add(a, ROLES[param1(a, 'role')?.toUpperCase() ?? ''] ?? { attendee: true });
  return { participants: Object.keys(out).length ? out : null, replyTo: organizer ? (textOf(organizer)?.trim() ?? null) : null };
}

function readAlerts(ve: JComp): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  for (const alarm of subs(ve, 'valarm')) {
    const trigger = firstProp(alarm, 'trigger');
    if (!trigger || typeof trigger[3] !== 'string') continue;
    let t: Record<string, unknown> | null = null;
    if (trigger[2] === 'date-time' && trigger[3].endsWith('Z')) t = { '@type': 'AbsoluteTrigger', when: trigger[3].replace(/\.\d+/, '') };
    else {
      const offset = normalizeDuration(trigger[3]);
      if (offset) t = { '@type': 'OffsetTrigger', offset, relativeTo: param1(trigger, 'related')?.toUpperCase() === 'END' ? 'end' : 'start' };
    }
    if (!t) continue;
    const alert: Record<string, unknown> = { '@type': 'Alert', trigger: t, action: firstText(alarm, 'action')?.toUpperCase() === 'EMAIL' ? 'email' : 'display' };
    const ack = firstText(alarm, 'acknowledged');
    if (ack?.endsWith('Z')) alert.acknowledged = ack;
    out[`a${Object.keys(out).length + 1}`] = alert;
  }
  return Object.keys(out).length ? out : null;
}

const utcStamp = (p: JProp | undefined): string | null => {
  const v = textOf(p);
  return v && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v) ? v.replace(/\.\d+/, '') : null;
};

const PRIVACY: Record<string, string> = { PUBLIC: 'public', PRIVATE: 'private', CONFIDENTIAL: 'secret' };

/** The VEVENT as an Event; `start` of '' when it has no usable DTSTART (some REPLY/CANCEL messages). */
export function eventFromVEvent(ve: JComp, ctx: ReadContext, uid: string): CalendarEvent {
  const dtstart = firstProp(ve, 'dtstart');
  const start = dtstart ? readWhen(dtstart, dtstart[3], ctx, uid) : null;
  const zone = start?.isDate ? null : (start?.zone ?? null);
  if (zone && zone !== 'Etc/UTC') ctx.zonesUsed.add(zone);
  const event: CalendarEvent = {
    '@type': 'Event',
    id: uid,
    uid,
    calendarIds: { ...ctx.calendarIds },
    title: firstText(ve, 'summary') ?? '',
    description: firstText(ve, 'description') ?? '',
    start: start ? start.local : '',
    timeZone: zone,
    duration: readDuration(ve, start, ctx, uid),
    showWithoutTime: start?.isDate ?? false,
    status: (firstText(ve, 'status')?.trim() || 'confirmed').toLowerCase(),
    recurrenceRules: null,
    recurrenceOverrides: null,
    locations: null,
    participants: null,
    alerts: readAlerts(ve),
    sequence: Math.max(0, Number.parseInt(firstText(ve, 'sequence') ?? '0', 10) || 0),
  };
  const rules = propsNamed(ve, 'rrule')
    .map((p) => readRule(p[3], start, zone))
    .filter((r): r is RecurrenceRule => r !== null);
  if (rules.length) event.recurrenceRules = rules;
  const overrides: Record<string, Record<string, unknown>> = {};
  for (const name of ['rdate', 'exdate'] as const) {
    for (const p of propsNamed(ve, name)) {
      for (const v of p.slice(3)) {
        const w = readWhen(p, v, ctx, uid);
        if (w) overrides[inZone(w, zone)] = name === 'exdate' ? { excluded: true } : {};
      }
    }
  }
  if (Object.keys(overrides).length) event.recurrenceOverrides = overrides;
  const location = firstText(ve, 'location');
  if (location) event.locations = { l1: { '@type': 'Location', name: location } };
  const { participants, replyTo } = readParticipants(ve);
  event.participants = participants;
  if (replyTo) event.replyTo = { imip: replyTo };
  const updated = utcStamp(firstProp(ve, 'last-modified')) ?? utcStamp(firstProp(ve, 'dtstamp'));
  if (updated) event.updated = updated;
  const created = utcStamp(firstProp(ve, 'created'));
  if (created) event.created = created;
  const keywords = propsNamed(ve, 'categories').flatMap(valuesOf).map((k) => k.trim()).filter(Boolean);
  if (keywords.length) event.keywords = Object.fromEntries(keywords.map((k) => [k, true]));
  const priority = Number.parseInt(firstText(ve, 'priority') ?? '', 10);
  if (priority >= 0 && priority <= 9) event.priority = priority;
  const privacy = PRIVACY[firstText(ve, 'class')?.toUpperCase() ?? ''];
  if (privacy) event.privacy = privacy;
  const transp = firstText(ve, 'transp')?.toUpperCase();
  if (transp) event.freeBusyStatus = transp === 'TRANSPARENT' ? 'free' : 'busy';
  const links: Record<string, Record<string, unknown>> = {};
  const url = firstText(ve, 'url');
  if (url) links.k1 = { '@type': 'Link', href: url };
  for (const p of propsNamed(ve, 'attach')) {
    const href = textOf(p)?.trim();
    // Inline (base64) attachments do not belong in an event object; links to files do.
    if (!href || p[2] === 'binary' || param1(p, 'encoding')) {
      if (!ctx.reported.has(`attach:${uid}`)) ctx.problems.push(`Event ${uid}: an attachment stored inside the file was left out.`);
      ctx.reported.add(`attach:${uid}`);
      continue;
    }
    const link: Record<string, unknown> = { '@type': 'Link', href, rel: 'enclosure' };
    const type = param1(p, 'fmttype');
    if (type) link.contentType = type;
    const name = param1(p, 'filename') ?? param1(p, 'x-filename');
    if (name) link.title = name;
    links[`k${Object.keys(links).length + 1}`] = link;
  }
  if (Object.keys(links).length) event.links = links;
  const color = firstText(ve, 'color');
  if (color) event.color = color;
  return event;
}

function readDuration(ve: JComp, start: When | null, ctx: ReadContext, uid: string): string {
  const dur = firstText(ve, 'duration');
  const normalized = dur ? normalizeDuration(dur) : null;
  if (normalized && !normalized.startsWith('-')) return normalized;
  const dtend = firstProp(ve, 'dtend');
  const end = dtend && start ? readWhen(dtend, dtend[3], ctx, uid) : null;
  if (!start) return 'PT0S';
  if (!end) return start.isDate ? 'P1D' : 'PT0S';
  let seconds: number;
  let nominal = true;
  if (start.zone === end.zone || start.isDate || end.isDate) seconds = (localMs(end.local) - localMs(start.local)) / 1000;
  else {
    // Start and end in different zones: only the exact elapsed time can be kept.
    const abs = (w: When) => (w.zone === 'Etc/UTC' || w.zone === null ? localMs(w.local) : localToUtc(w.local, w.zone));
    seconds = (abs(end) - abs(start)) / 1000;
    nominal = false;
  }
  return seconds > 0 ? formatDuration(seconds, nominal) : 'PT0S';
}
