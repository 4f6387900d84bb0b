// iCalendar (RFC 5545) ↔ the client's JSCalendar events, through ical.js' jCal. Recurrences are
// converted, never expanded: expansion is the calendar view's job and must stay bounded there.
import type { CalendarEvent } from './model';
import type { JComp, JProp } from './ical-jcal';
import { firstText, parseJCal, stringifyComp, subs } from './ical-jcal';
import { eventFromVEvent, inZone, readWhen, type ReadContext } from './ical-read';
import { diffInstance } from './ical-overrides';
import { buildVTimezone, formatUtc } from './ical-time';
import { isUtcZone, veventsOf, yearsOf } from './ical-write';

export const MAX_ICALENDAR_BYTES = 5 * 1024 * 1024;

export interface ICalendarParseOptions {
  /** The calendars the events are placed in (default: none yet). */
  calendarIds?: Record<string, boolean>;
  maxBytes?: number;
}

export interface ParsedICalendar {
  events: CalendarEvent[];
  /** The iTIP METHOD (REQUEST, REPLY, CANCEL…), upper case, or null for a plain calendar file. */
  method: string | null;
  /** The IANA zones the events use. */
  timeZones: string[];
  problems: string[];
}

export function parseICalendar(text: string, opts: ICalendarParseOptions = {}): ParsedICalendar {
  if (typeof text !== 'string') throw new Error('not an iCalendar file: expected text');
  const limit = opts.maxBytes ?? MAX_ICALENDAR_BYTES;
  if (Buffer.byteLength(text, 'utf8') > limit) throw new Error(`iCalendar file too large: over ${Math.round(limit / 1024 / 1024)} MB`);
  if (!/^\s*BEGIN:VCALENDAR/i.test(text.replace(/^\uFEFF/, ''))) throw new Error('not an iCalendar file: it does not start with BEGIN:VCALENDAR');
  const problems: string[] = [];
  const calendars = parseJCal(text.replace(/^\uFEFF/, ''), 'an iCalendar', problems).filter((c) => c[0] === 'vcalendar');
  if (!calendars.length) throw new Error('not an iCalendar file: no VCALENDAR found');

  const ctx: ReadContext = { vtimezones: new Map(), problems, zonesUsed: new Set(), reported: new Set(), calendarIds: opts.calendarIds ?? {} };
  let method: string | null = null;
  const byUid = new Map<string, JComp[]>();
  for (const cal of calendars) {
    method ??= firstText(cal, 'method')?.trim().toUpperCase() || null;
    for (const tz of subs(cal, 'vtimezone')) {
      const tzid = firstText(tz, 'tzid');
      if (tzid) ctx.vtimezones.set(tzid, tz);
    }
    const skipped = cal[2].filter((c) => c[0] === 'vtodo' || c[0] === 'vjournal').length;
    if (skipped) ctx.problems.push(`${skipped} to-do or journal entr${skipped === 1 ? 'y was' : 'ies were'} skipped: only events are imported.`);
    for (const ve of subs(cal, 'vevent')) {
      const uid = firstText(ve, 'uid')?.trim() || `urn:uuid:${crypto.randomUUID()}`;
      if (!firstText(ve, 'uid')) ctx.problems.push(`An event without a UID ("${firstText(ve, 'summary') ?? ''}") was given the id ${uid}.`);
      const list = byUid.get(uid);
      if (list) list.push(ve);
      else byUid.set(uid, [ve]);
    }
  }
  const events: CalendarEvent[] = [];
  for (const [uid, comps] of byUid) {
    try {
      events.push(...eventsOfUid(uid, comps, ctx, method));
    } catch (e) {
      ctx.problems.push(`Event ${uid} could not be read: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { events, method, timeZones: [...ctx.zonesUsed].sort(), problems: ctx.problems };
}

/** The master with its RECURRENCE-ID instances folded in as overrides; lone instances stay events. */
function eventsOfUid(uid: string, comps: JComp[], ctx: ReadContext, method: string | null): CalendarEvent[] {
  const ridOf = (c: JComp): JProp | undefined => c[1].find((p) => p[0] === 'recurrence-id');
  const masterComp = comps.find((c) => !ridOf(c));
  const master = masterComp ? eventFromVEvent(masterComp, ctx, uid) : null;
  if (master && !master.start && method !== 'REPLY' && method !== 'CANCEL') ctx.problems.push(`Event ${uid} has no start time.`);
  const out: CalendarEvent[] = master ? [master] : [];
  for (const comp of comps) {
    const ridProp = ridOf(comp);
    if (!ridProp) continue;
    const inst = eventFromVEvent(comp, ctx, uid);
    const when = readWhen(ridProp, ridProp[3], ctx, uid);
    if (!when) {
      ctx.problems.push(`An occurrence of event ${uid} has an unreadable RECURRENCE-ID and was skipped.`);
      continue;
    }
    if (master) {
      const rid = inZone(when, master.timeZone);
      (master.recurrenceOverrides ??= {})[rid] = diffInstance(master, inst, rid);
    } else {
      // An invitation to one occurrence only (Outlook sends these): keep it as that occurrence.
      const rid = inZone(when, inst.timeZone);
      out.push({ ...inst, id: `${uid}#${rid}`, recurrenceId: rid });
    }
  }
  return out;
}

export interface ToICalendarOptions {
  method?: 'PUBLISH' | 'REQUEST' | 'REPLY' | 'CANCEL' | 'ADD' | 'REFRESH' | 'COUNTER' | 'DECLINECOUNTER';
  prodId?: string;
}

export function toICalendar(events: CalendarEvent[], opts: ToICalendarOptions = {}): string {
  // In an iTIP message DTSTAMP is when the message was made (RFC 5546 §2.1.5); in a file, the last change.
  const now = opts.method ? formatUtc(Date.now()) : null;
  const props: JProp[] = [
    ['version', {}, 'text', '2.0'],
    ['prodid', {}, 'text', opts.prodId ?? '-//Meridian Mail//EN'],
    ['calscale', {}, 'text', 'GREGORIAN'],
  ];
  if (opts.method) props.push(['method', {}, 'text', opts.method]);
  const years = new Map<string, { min: number; max: number }>();
  for (const e of events) {
    const zones = [e.timeZone, ...Object.values(e.recurrenceOverrides ?? {}).map((p) => p.timeZone)];
    for (const z of zones) {
      if (typeof z !== 'string' || isUtcZone(z)) continue;
      // A recurring event goes on into the years it is viewed in, so cover those too.
      const span = years.get(z) ?? { min: Infinity, max: -Infinity };
      for (const y of [...yearsOf(e), ...(e.recurrenceRules?.length ? [new Date().getUTCFullYear()] : [])]) {
        span.min = Math.min(span.min, y);
        span.max = Math.max(span.max, y);
      }
      years.set(z, span);
    }
  }
  const thisYear = new Date().getUTCFullYear();
  const comps: JComp[] = [];
  for (const [zone, { min, max }] of years) {
    comps.push(buildVTimezone(zone, (Number.isFinite(min) ? min : thisYear) - 1, (Number.isFinite(max) ? max : thisYear) + 1));
  }
  for (const e of events) comps.push(...veventsOf(e, now));
  // A REPLY carries the attendee's answer, not the event's state (RFC 5546 §3.2.3).
  if (opts.method === 'REPLY') for (const c of comps) if (c[0] === 'vevent') c[1] = c[1].filter((p) => p[0] !== 'status');
  return stringifyComp(['vcalendar', props, comps]);
}
