// What the editors edit (EventDraft, ContactDraft) ↔ the full JSCalendar / JSContact objects.
// A draft is applied onto the stored object field by field, and a field whose draft form did not
// change keeps the stored value exactly: editing never drops what the server sent.
import { randomUUID } from 'node:crypto';
import type { ContactDraft, EventDraft, ParticipantDraft, RecurrenceDraft } from '../../../shared/pim-contract';
import type { CalendarEvent, ContactCard, RecurrenceRule } from './model';
import { parseDurationOrZero } from './time-zones';

type Rec = Record<string, unknown>;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const rec = (v: unknown): Rec | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : null);
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const firstKey = (m: Record<string, boolean> | undefined) => Object.keys(m ?? {}).find((k) => m?.[k]) ?? '';

// Events ------------------------------------------------------------------------------------

export function eventToDraft(e: CalendarEvent): EventDraft {
  return {
    calendarId: firstKey(e.calendarIds),
    title: e.title,
    description: e.description,
    location: locationOf(e),
    start: e.start,
    timeZone: e.showWithoutTime ? null : e.timeZone,
    duration: e.duration || 'PT0S',
    allDay: e.showWithoutTime,
    recurrence: recurrenceDraftOf(e.recurrenceRules?.[0] ?? null),
    participants: participantDrafts(e.participants),
    alerts: alertDrafts(e.alerts),
    status: e.status === 'tentative' || e.status === 'cancelled' ? e.status : 'confirmed',
  };
}

export function locationOf(e: Pick<CalendarEvent, 'locations'>): string {
  const first = Object.values(e.locations ?? {}).map(rec).find(Boolean);
  return str(first?.name);
}

/** A new event from a draft; uid doubles as the local id (Cyrus even keeps it as the server id). */
export function newEvent(d: EventDraft): CalendarEvent {
  const uid = randomUUID();
  const empty: CalendarEvent = {
    '@type': 'Event', id: uid, uid, calendarIds: {}, title: '', description: '', start: d.start, timeZone: null, duration: 'PT0S',
    showWithoutTime: false, status: 'confirmed', recurrenceRules: null, recurrenceOverrides: null, locations: null, participants: null, alerts: null,
  };
  return applyEventDraft(empty, d, null);
}

/**
 * The draft applied onto an event. `was` is the draft the editor started from (the stored
 * event's), so only the fields the user changed are rewritten; null rewrites every field.
 */
export function applyEventDraft(base: CalendarEvent, d: EventDraft, was: EventDraft | null): CalendarEvent {
  const e: CalendarEvent = structuredClone(base);
  const changed = <K extends keyof EventDraft>(k: K) => !was || !same(was[k], d[k]);
  if (changed('calendarId') && d.calendarId) e.calendarIds = { [d.calendarId]: true };
  if (changed('title')) e.title = d.title;
  if (changed('description')) e.description = d.description;
  if (changed('status')) e.status = d.status;
  if (changed('allDay') || changed('start') || changed('timeZone') || changed('duration')) {
    e.showWithoutTime = d.allDay;
    e.start = d.allDay ? `${d.start.slice(0, 10)}T00:00:00` : d.start;
    e.timeZone = d.allDay ? null : d.timeZone;
    e.duration = d.allDay ? wholeDays(d.duration) : d.duration;
  }
  if (changed('location')) e.locations = withLocation(e.locations, d.location);
  if (changed('recurrence')) e.recurrenceRules = d.recurrence ? [ruleOf(d.recurrence)] : null;
  if (changed('participants')) {
    e.participants = withParticipants(e.participants, d.participants);
    const owner = d.participants.find((p) => p.role === 'owner');
    if (owner && !rec(e.replyTo)) e.replyTo = { imip: `mailto:${owner.email}` };
    if (!d.participants.length) delete e.replyTo;
  }
  if (changed('alerts')) e.alerts = withAlerts(e.alerts, d.alerts);
  return e;
}

/** All-day events last whole days: "PT2H" becomes "P1D". */
function wholeDays(duration: string): string {
  const d = parseDurationOrZero(duration);
  const days = d.weeks * 7 + d.days + Math.ceil((d.hours * 3600 + d.minutes * 60 + d.seconds) / 86_400);
  return `P${Math.max(1, days)}D`;
}

function withLocation(locations: CalendarEvent['locations'], name: string): CalendarEvent['locations'] {
  const entries = Object.entries(locations ?? {});
  const [firstId, first] = entries[0] ?? [];
  if (!name.trim()) {
    const rest = Object.fromEntries(entries.slice(1));
    return Object.keys(rest).length ? rest : null;
  }
  if (firstId) return { ...locations, [firstId]: { ...(rec(first) ?? { '@type': 'Location' }), name } };
  return { l1: { '@type': 'Location', name } };
}

export function recurrenceDraftOf(rule: RecurrenceRule | null): RecurrenceDraft | null {
  if (!rule || !['yearly', 'monthly', 'weekly', 'daily'].includes(rule.frequency)) return null;
  return {
    frequency: rule.frequency as RecurrenceDraft['frequency'],
    interval: rule.interval ?? 1,
    ...(rule.byDay?.length ? { byDay: rule.byDay.map((b) => ({ day: b.day as 'mo', ...(b.nthOfPeriod !== undefined ? { nthOfPeriod: b.nthOfPeriod } : {}) })) } : {}),
    ...(rule.byMonthDay?.length ? { byMonthDay: rule.byMonthDay } : {}),
    ...(rule.count !== undefined ? { count: rule.count } : {}),
    ...(rule.until ? { until: rule.until.slice(0, 19) } : {}),
  };
}

function ruleOf(r: RecurrenceDraft): RecurrenceRule {
  return {
    '@type': 'RecurrenceRule',
    frequency: r.frequency,
    ...(r.interval > 1 ? { interval: r.interval } : {}),
    ...(r.byDay?.length ? { byDay: r.byDay.map((b) => ({ '@type': 'NDay', day: b.day, ...(b.nthOfPeriod !== undefined ? { nthOfPeriod: b.nthOfPeriod } : {}) })) } : {}),
    ...(r.byMonthDay?.length ? { byMonthDay: r.byMonthDay } : {}),
    ...(r.count !== undefined ? { count: r.count } : {}),
    ...(r.until ? { until: r.until } : {}),
  };
}

/** A participant's email: `email`, else the iMIP address it is reached at. */
export function participantEmail(p: Rec): string {
  const direct = str(p.email);
  if (direct) return direct;
  const imip = str(rec(p.sendTo)?.imip);
  return imip.replace(/^mailto:/i, '');
}

function participantDrafts(participants: CalendarEvent['participants']): ParticipantDraft[] {
  const out: ParticipantDraft[] = [];
  for (const v of Object.values(participants ?? {})) {
    const p = rec(v);
    if (!p) continue;
    const email = participantEmail(p);
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) continue;
    const roles = rec(p.roles) ?? {};
    const role = roles.owner ? 'owner' : roles.chair ? 'chair' : roles.optional ? 'optional' : 'attendee';
    const status = str(p.participationStatus);
    out.push({ name: str(p.name), email, role, status: (['accepted', 'declined', 'tentative', 'delegated'].includes(status) ? status : 'needs-action') as ParticipantDraft['status'] });
  }
  return out;
}

function withParticipants(current: CalendarEvent['participants'], drafts: ParticipantDraft[]): CalendarEvent['participants'] {
  if (!drafts.length) return null;
  const byEmail = new Map(Object.entries(current ?? {}).map(([id, v]) => [participantEmail(rec(v) ?? {}).toLowerCase(), { id, p: rec(v) ?? {} }]));
  const out: Rec = {};
  for (const d of drafts) {
    const known = byEmail.get(d.email.toLowerCase());
    const roles = d.role === 'owner' ? { owner: true, attendee: true } : d.role === 'chair' ? { chair: true, attendee: true } : d.role === 'optional' ? { optional: true } : { attendee: true };
    const id = known?.id ?? `p${randomUUID().slice(0, 8)}`;
    out[id] = { '@type': 'Participant', ...known?.p, name: d.name, email: d.email, sendTo: { imip: `mailto:${d.email}` }, roles, participationStatus: d.status };
  }
  return out;
}

function alertDrafts(alerts: CalendarEvent['alerts']): { minutesBefore: number }[] {
  const out: { minutesBefore: number }[] = [];
  for (const v of Object.values(alerts ?? {})) {
    const trigger = rec(rec(v)?.trigger);
    if (!trigger || str(trigger['@type']) !== 'OffsetTrigger' || str(trigger.relativeTo || 'start') !== 'start') continue;
    const d = parseDurationOrZero(str(trigger.offset));
    const minutes = d.sign * ((d.weeks * 7 + d.days) * 1440 + d.hours * 60 + d.minutes + Math.round(d.seconds / 60));
    out.push({ minutesBefore: -minutes });
  }
  return out;
}

function withAlerts(current: CalendarEvent['alerts'], drafts: { minutesBefore: number }[]): CalendarEvent['alerts'] {
  if (!drafts.length) return null;
  const existing = Object.entries(current ?? {});
  const out: Rec = {};
  drafts.forEach((d, i) => {
    const match = existing.find(([, v]) => same(alertDrafts({ x: v }), [d]));
    if (match) out[match[0]] = match[1];
    else {
      const m = Math.abs(d.minutesBefore);
      const offset = `${d.minutesBefore > 0 ? '-' : ''}PT${m}M`;
      out[`a${i + 1}-${m}`] = { '@type': 'Alert', trigger: { '@type': 'OffsetTrigger', offset, relativeTo: 'start' }, action: 'display' };
    }
  });
  return out;
}

/** What an occurrence override may change (never the series' identity or rules). */
const occurrenceKeys = ['title', 'description', 'start', 'timeZone', 'duration', 'showWithoutTime', 'status', 'locations', 'participants', 'alerts'] as const;

/**
 * The override for one occurrence after an edit: the properties where the edited occurrence
 * differs from the series, on top of what the override already held.
 */
export function occurrenceOverride(master: CalendarEvent, recurrenceId: string, edited: CalendarEvent, existing: Rec): Rec {
  const plain: CalendarEvent = { ...master, start: recurrenceId };
  const out: Rec = { ...existing };
  for (const k of occurrenceKeys) {
    if (!same(plain[k] ?? null, edited[k] ?? null)) out[k] = edited[k] ?? null;
    else delete out[k];
  }
  delete out.excluded;
  return out;
}

export function withOverride(e: CalendarEvent, recurrenceId: string, patch: Rec): CalendarEvent {
  return { ...e, recurrenceOverrides: { ...(e.recurrenceOverrides ?? {}), [recurrenceId]: patch } };
}

// Contacts ----------------------------------------------------------------------------------

type Label = 'work' | 'home' | 'mobile' | 'other';
const labelOf = (contexts: unknown): 'work' | 'home' | 'other' => (rec(contexts)?.work ? 'work' : rec(contexts)?.private ? 'home' : 'other');
const contextsOf = (label: Label): Rec => (label === 'work' ? { contexts: { work: true } } : label === 'home' ? { contexts: { private: true } } : {});

export function cardToDraft(c: ContactCard, memberIds: (uids: string[]) => string[]): ContactDraft {
  const component = (kind: string) => c.name?.components?.filter((x) => x.kind === kind).map((x) => x.value).join(' ') ?? '';
  const photo = Object.values(rec(c.media) ?? {}).map(rec).find((m) => m && str(m.kind) === 'photo' && /^data:image\/(jpeg|png|webp);base64,/.test(str(m.uri)));
  return {
    addressBookId: firstKey(c.addressBookIds) || 'Default',
    kind: c.kind === 'group' ? 'group' : 'individual',
    fullName: c.name?.full ?? '',
    given: component('given'),
    surname: component('surname'),
    emails: Object.values(c.emails ?? {}).map((e) => ({ value: e.address, label: labelOf(e.contexts) })),
    phones: Object.values(c.phones ?? {}).map((p) => ({ value: p.number, label: p.features?.mobile ? 'mobile' : labelOf(p.contexts) })),
    addresses: Object.values(c.addresses ?? {}).map((v) => {
      const a = rec(v) ?? {};
      const comps = Array.isArray(a.components) ? (a.components as Rec[]) : [];
      const part = (kind: string) => comps.filter((x) => x.kind === kind).map((x) => str(x.value)).join(' ');
      return { street: part('name') || str(a.full), locality: part('locality'), region: part('region'), postcode: part('postcode'), country: part('country'), label: labelOf(a.contexts) };
    }),
    organization: Object.values(c.organizations ?? {})[0]?.name ?? '',
    title: Object.values(c.titles ?? {})[0]?.name ?? '',
    notes: Object.values(c.notes ?? {})[0]?.note ?? '',
    photo: photo ? str(photo.uri) : null,
    members: memberIds(Object.keys(c.members ?? {}).filter((k) => c.members?.[k])),
  };
}

export function newCard(d: ContactDraft, memberUids: (ids: string[]) => string[]): ContactCard {
  const uid = randomUUID();
  const empty: ContactCard = { '@type': 'Card', version: '1.0', id: uid, uid, kind: d.kind, addressBookIds: {} };
  return applyCardDraft(empty, d, null, memberUids);
}

export function applyCardDraft(base: ContactCard, d: ContactDraft, was: ContactDraft | null, memberUids: (ids: string[]) => string[]): ContactCard {
  const c: ContactCard = structuredClone(base);
  const changed = <K extends keyof ContactDraft>(k: K) => !was || !same(was[k], d[k]);
  if (changed('addressBookId')) c.addressBookIds = { [d.addressBookId]: true };
  if (changed('kind')) c.kind = d.kind;
  if (changed('fullName') || changed('given') || changed('surname')) {
    const others = c.name?.components?.filter((x) => x.kind !== 'given' && x.kind !== 'surname') ?? [];
    const components = [...(d.given ? [{ kind: 'given', value: d.given }] : []), ...(d.surname ? [{ kind: 'surname', value: d.surname }] : []), ...others];
    const full = d.fullName.trim() || [d.given, d.surname].filter(Boolean).join(' ');
    c.name = { ...c.name, components, full };
  }
  if (changed('emails')) c.emails = keyed(d.emails, 'e', (e) => ({ '@type': 'EmailAddress', address: e.value, ...contextsOf(e.label) }));
  if (changed('phones')) {
    c.phones = keyed(d.phones, 'p', (p) => ({ '@type': 'Phone', number: p.value, ...(p.label === 'mobile' ? { features: { mobile: true } } : contextsOf(p.label)) }));
  }
  if (changed('addresses')) {
    c.addresses = keyed(d.addresses, 'a', (a) => ({
      '@type': 'Address',
      components: (['name', 'locality', 'region', 'postcode', 'country'] as const).map((kind) => ({ kind, value: kind === 'name' ? a.street : a[kind] })).filter((x) => x.value),
      ...contextsOf(a.label),
    }));
  }
  if (changed('organization')) c.organizations = d.organization ? { o1: { ...Object.values(c.organizations ?? {})[0], name: d.organization } } : undefined;
  if (changed('title')) c.titles = d.title ? { t1: { name: d.title } } : undefined;
  if (changed('notes')) c.notes = d.notes ? { n1: { note: d.notes } } : undefined;
  if (changed('photo')) {
    const others = Object.fromEntries(Object.entries(rec(c.media) ?? {}).filter(([, m]) => str(rec(m)?.kind) !== 'photo'));
    const media = d.photo ? { ...others, ph1: { '@type': 'Media', kind: 'photo', uri: d.photo } } : others;
    c.media = Object.keys(media).length ? media : undefined;
  }
  if (changed('members') && d.kind === 'group') c.members = Object.fromEntries(memberUids(d.members).map((u) => [u, true]));
  for (const k of Object.keys(c)) if (c[k] === undefined) delete c[k];
  return c;
}

function keyed<T, V>(list: T[], prefix: string, make: (x: T) => V): Record<string, V> | undefined {
  return list.length ? Object.fromEntries(list.map((x, i) => [`${prefix}${i + 1}`, make(x)])) : undefined;
}
