// One JSCalendar Event → VEVENT jCal components (the master, then one per modified occurrence).
import type { CalendarEvent, RecurrenceRule } from './model';
import type { JComp, JParams, JProp } from './ical-jcal';
import { instanceOf } from './ical-overrides';
import { formatLocal, formatUtc, localMs, localToUtc } from './ical-time';
import { durationSeconds } from './ical-values';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
export const isUtcZone = (zone: string | null): boolean => !!zone && ['etc/utc', 'utc', 'etc/gmt', 'gmt'].includes(zone.toLowerCase());

/** A LocalDateTime of the event as a DTSTART-like property. */
function timeProp(name: string, local: string, event: CalendarEvent, extra: JParams = {}): JProp {
  if (event.showWithoutTime) return [name, extra, 'date', local.slice(0, 10)];
  if (isUtcZone(event.timeZone)) return [name, extra, 'date-time', `${local.slice(0, 19)}Z`];
  return [name, event.timeZone ? { ...extra, tzid: event.timeZone } : extra, 'date-time', local.slice(0, 19)];
}

function timeListProp(name: string, locals: string[], event: CalendarEvent): JProp {
  const first = timeProp(name, locals[0] ?? '', event);
  return [first[0], first[1], first[2], ...locals.map((l) => timeProp(name, l, event)[3])];
}

function endOf(event: CalendarEvent): string | null {
  const seconds = durationSeconds(event.duration);
  const start = localMs(event.start);
  if (seconds === null || Number.isNaN(start)) return null;
  return formatLocal(start + seconds * 1000);
}

function untilValue(until: string, event: CalendarEvent): string {
  if (event.showWithoutTime) return until.slice(0, 10);
  if (!event.timeZone) return until.slice(0, 19);
  if (isUtcZone(event.timeZone)) return `${until.slice(0, 19)}Z`;
  return formatUtc(localToUtc(until, event.timeZone));
}

const RULE_LISTS: [string, string][] = [
  ['byMonthDay', 'bymonthday'],
  ['byYearDay', 'byyearday'],
  ['byWeekNo', 'byweekno'],
  ['byHour', 'byhour'],
  ['byMinute', 'byminute'],
  ['bySecond', 'bysecond'],
  ['bySetPosition', 'bysetpos'],
];

function ruleProp(rule: RecurrenceRule, event: CalendarEvent): JProp {
  const r: Rec = { freq: rule.frequency.toUpperCase() };
  if (typeof rule.interval === 'number' && rule.interval > 1) r.interval = rule.interval;
  if (typeof rule.count === 'number') r.count = rule.count;
  if (typeof rule.until === 'string' && !Number.isNaN(localMs(rule.until))) r.until = untilValue(rule.until, event);
  if (rule.byDay?.length) r.byday = rule.byDay.map((d) => `${d.nthOfPeriod ?? ''}${d.day.toUpperCase()}`);
  if (rule.byMonth?.length) r.bymonth = rule.byMonth.map((m) => Number.parseInt(m, 10)).filter(Number.isInteger);
  for (const [from, to] of RULE_LISTS) {
    const list = rule[from];
    if (Array.isArray(list) && list.length) r[to] = list.filter((n): n is number => typeof n === 'number');
  }
  if (typeof rule.firstDayOfWeek === 'string') r.wkst = rule.firstDayOfWeek.toUpperCase();
  return ['rrule', {}, 'recur', r];
}

const ROLE_OUT = (roles: Rec): string =>
  roles.chair ? 'CHAIR' : roles.optional ? 'OPT-PARTICIPANT' : roles.informational && !roles.attendee ? 'NON-PARTICIPANT' : 'REQ-PARTICIPANT';
const CUTYPE_OUT: Record<string, string> = { individual: 'INDIVIDUAL', group: 'GROUP', resource: 'RESOURCE', location: 'ROOM' };

export function addressOf(p: Rec): string | null {
  const sendTo = isRec(p.sendTo) ? str(p.sendTo.imip) : null;
  const email = str(p.email);
  // calendarAddress: JSCalendar 2.0 servers' name for the same thing.
  return str(p.calendarAddress) ?? sendTo ?? (email ? `mailto:${email}` : null);
}

function participantProps(event: CalendarEvent): JProp[] {
  const out: JProp[] = [];
  let organizer: JProp | null = null;
  for (const p of Object.values(event.participants ?? {})) {
    if (!isRec(p)) continue;
    const address = addressOf(p);
    if (!address) continue;
    const roles = isRec(p.roles) ? p.roles : { attendee: true };
    const name = str(p.name);
    const cn: JParams = name ? { cn: name } : {};
    if (roles.owner && !organizer) organizer = ['organizer', cn, 'cal-address', address];
    const onlyOwner = Object.keys(roles).every((k) => k === 'owner' || !roles[k]);
    if (onlyOwner) continue;
    const params: JParams = { ...cn, role: ROLE_OUT(roles) };
    const status = str(p.participationStatus);
    if (status) params.partstat = status.toUpperCase();
    if (p.expectReply === true) params.rsvp = 'TRUE';
    const cutype = CUTYPE_OUT[str(p.kind) ?? ''];
    if (cutype) params.cutype = cutype;
    out.push(['attendee', params, 'cal-address', address]);
  }
  const replyTo = isRec(event.replyTo) ? str(event.replyTo.imip) : null;
  if (!organizer && replyTo) organizer = ['organizer', {}, 'cal-address', replyTo];
  return organizer ? [organizer, ...out] : out;
}

function alarms(event: CalendarEvent): JComp[] {
  const out: JComp[] = [];
  for (const a of Object.values(event.alerts ?? {})) {
    if (!isRec(a) || !isRec(a.trigger)) continue;
    const t = a.trigger;
    let trigger: JProp | null = null;
    if (typeof t.when === 'string') trigger = ['trigger', {}, 'date-time', t.when];
    else if (typeof t.offset === 'string') trigger = ['trigger', t.relativeTo === 'end' ? { related: 'END' } : {}, 'duration', t.offset];
    if (!trigger) continue;
    const email = a.action === 'email';
    const props: JProp[] = [trigger, ['action', {}, 'text', email ? 'EMAIL' : 'DISPLAY'], ['description', {}, 'text', event.title || 'Reminder']];
    if (email) props.push(['summary', {}, 'text', event.title || 'Reminder']);
    if (typeof a.acknowledged === 'string') props.push(['acknowledged', {}, 'date-time', a.acknowledged]);
    out.push(['valarm', props, []]);
  }
  return out;
}

const PRIVACY_OUT: Record<string, string> = { public: 'PUBLIC', private: 'PRIVATE', secret: 'CONFIDENTIAL' };

/** `now` is the iTIP message time for DTSTAMP, or null in a plain file where DTSTAMP is the last change. */
function vevent(event: CalendarEvent, now: string | null, recurrenceId: string | null, master: CalendarEvent): JComp {
  const props: JProp[] = [['uid', {}, 'text', event.uid]];
  const stamp = str(event.updated) ?? formatUtc(Date.now());
  props.push(['dtstamp', {}, 'date-time', now ?? stamp]);
  if (recurrenceId) props.push(timeProp('recurrence-id', recurrenceId, master));
  if (event.start) {
    props.push(timeProp('dtstart', event.start, event));
    const end = endOf(event);
    if (end && (event.showWithoutTime || event.duration !== 'PT0S')) props.push(timeProp('dtend', end, event));
  }
  if (event.title) props.push(['summary', {}, 'text', event.title]);
  if (event.description) props.push(['description', {}, 'text', event.description]);
  const location = Object.values(event.locations ?? {}).map((l) => (isRec(l) ? str(l.name) : null)).find(Boolean);
  if (location) props.push(['location', {}, 'text', location]);
  props.push(['status', {}, 'text', event.status.toUpperCase()]);
  if (typeof event.sequence === 'number' && event.sequence > 0) props.push(['sequence', {}, 'integer', event.sequence]);
  if (str(event.updated)) props.push(['last-modified', {}, 'date-time', stamp]);
  if (str(event.created)) props.push(['created', {}, 'date-time', event.created]);
  for (const rule of event.recurrenceRules ?? []) props.push(ruleProp(rule, event));
  const keywords = isRec(event.keywords) ? Object.keys(event.keywords).filter((k) => (event.keywords as Rec)[k]) : [];
  if (keywords.length) props.push(['categories', {}, 'text', ...keywords]);
  if (typeof event.priority === 'number') props.push(['priority', {}, 'integer', event.priority]);
  const privacy = PRIVACY_OUT[str(event.privacy) ?? ''];
  if (privacy) props.push(['class', {}, 'text', privacy]);
  if (event.freeBusyStatus === 'free' || event.freeBusyStatus === 'busy') props.push(['transp', {}, 'text', event.freeBusyStatus === 'free' ? 'TRANSPARENT' : 'OPAQUE']);
  let url = false;
  for (const l of Object.values(isRec(event.links) ? event.links : {})) {
    const href = isRec(l) ? str(l.href) : null;
    if (!isRec(l) || !href) continue;
    if (l.rel === 'enclosure') {
      const params: JParams = {};
      if (str(l.contentType)) params.fmttype = l.contentType as string;
      if (str(l.title)) params.filename = l.title as string;
      props.push(['attach', params, 'uri', href]);
    } else if (!url) {
      props.push(['url', {}, 'uri', href]);
      url = true;
    }
  }
  if (str(event.color)) props.push(['color', {}, 'text', event.color]);
  props.push(...participantProps(event));
  return ['vevent', props, alarms(event)];
}

/** The event's VEVENTs: the master with RRULE/RDATE/EXDATE, then each modified occurrence. */
export function veventsOf(event: CalendarEvent, now: string | null): JComp[] {
  const overrides = Object.entries(event.recurrenceOverrides ?? {});
  const ownRecurrenceId = str(event.recurrenceId);
  const master = vevent(event, now, ownRecurrenceId, event);
  const excluded = overrides.filter(([, p]) => p.excluded === true).map(([k]) => k);
  const added = overrides.filter(([, p]) => Object.keys(p).length === 0).map(([k]) => k);
  if (added.length) master[1].push(timeListProp('rdate', added, event));
  if (excluded.length) master[1].push(timeListProp('exdate', excluded, event));
  const instances = overrides
    .filter(([, p]) => p.excluded !== true && Object.keys(p).length > 0)
    .map(([rid, patch]) => vevent(instanceOf(event, rid, patch), now, rid, event));
  return [master, ...instances];
}

/** Year span the event's times cover, for building VTIMEZONEs. */
export function yearsOf(event: CalendarEvent): number[] {
  const locals = [event.start, ...Object.keys(event.recurrenceOverrides ?? {})];
  for (const p of Object.values(event.recurrenceOverrides ?? {})) if (typeof p.start === 'string') locals.push(p.start);
  for (const r of event.recurrenceRules ?? []) if (typeof r.until === 'string') locals.push(r.until);
  return locals.map((l) => Number(l.slice(0, 4))).filter((y) => Number.isInteger(y) && y > 1800 && y < 3000);
}

