// iMIP (RFC 6047): calendar invitations that arrive by mail, the user's answer, and what an
// invitation does to the copy in the user's calendar (RFC 5546 semantics, simplified for attendees).
import type { CalendarEvent } from './model';
import { parseICalendar, toICalendar } from './icalendar';
import { diffInstance, instanceOf } from './ical-overrides';
import { addressOf } from './ical-write';
import { clone } from './ical-values';

export interface CalendarPart {
  partId: string | null;
  blobId: string;
  type: string;
  name: string | null;
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

const MAX_DEPTH = 32;
const MAX_PARTS = 2000;

/**
 * The calendar parts of an RFC 8621 bodyStructure, best first: an inline text/calendar (whose
 * Content-Type carries METHOD when the server reports headers), then text/calendar attachments,
 * then application/ics or *.ics attachments, which are usually a copy of the inline part.
 */
export function findCalendarParts(bodyStructure: unknown): CalendarPart[] {
  const found: { part: CalendarPart; rank: number; order: number }[] = [];
  let seen = 0;
  const walk = (node: unknown, depth: number) => {
    if (!isRec(node) || depth > MAX_DEPTH || ++seen > MAX_PARTS) return;
    const type = (str(node.type) ?? '').toLowerCase().trim();
    // Cyrus gives leaf parts an empty subParts list: only a multipart or a non-empty list is a container.
    if (Array.isArray(node.subParts) && (node.subParts.length > 0 || type.startsWith('multipart/'))) {
      for (const sub of node.subParts) walk(sub, depth + 1);
      return;
    }
    const blobId = str(node.blobId);
    const name = str(node.name);
    const isIcsName = !!name && /\.(ics|ical|ifb|vcs)$/i.test(name.trim());
    if (!blobId || !(type === 'text/calendar' || type === 'application/ics' || isIcsName)) return;
    const attachment = (str(node.disposition) ?? '').toLowerCase() === 'attachment';
    const hasMethod = Array.isArray(node.headers) && node.headers.some((h) => isRec(h) && /^content-type$/i.test(str(h.name) ?? '') && /method\s*=/i.test(str(h.value) ?? ''));
    const rank = type === 'text/calendar' ? (attachment ? 2 : hasMethod ? 0 : 1) : 3;
    found.push({ part: { partId: str(node.partId), blobId, type, name }, rank, order: found.length });
  };
  walk(bodyStructure, 0);
  return found.sort((a, b) => a.rank - b.rank || a.order - b.order).map((f) => f.part);
}

export type ParticipationStatus = 'needs-action' | 'accepted' | 'tentative' | 'declined' | 'delegated';

export interface Invitation {
  /** The iTIP method (RFC 5546 §1.4), upper case. */
  method: 'REQUEST' | 'REPLY' | 'CANCEL' | 'PUBLISH' | 'COUNTER' | 'DECLINECOUNTER' | 'ADD' | 'REFRESH' | (string & {});
  uid: string;
  sequence: number;
  /** The series (with its overrides) or, for an invitation to one occurrence, that occurrence. */
  event: CalendarEvent;
  organizer: { name: string; email: string } | null;
  myParticipantId: string | null;
  myStatus: string;
  /** Set when the message is about one occurrence of a series (RECURRENCE-ID). */
  recurrenceId: string | null;
  problems: string[];
}

const emailOfParticipant = (p: Rec): string | null => {
  const email = str(p.email);
  if (email) return email.toLowerCase();
  const address = addressOf(p);
  return address && /^mailto:/i.test(address) ? address.slice(7).toLowerCase() : null;
};

/** The id of the participant who is one of these addresses, or null. */
export function findParticipant(event: CalendarEvent, addresses: string[]): string | null {
  const mine = new Set(addresses.map((a) => a.trim().toLowerCase().replace(/^mailto:/, '')));
  for (const [id, p] of Object.entries(event.participants ?? {})) {
    if (isRec(p)) {
      const email = emailOfParticipant(p);
      if (email && mine.has(email)) return id;
    }
  }
  return null;
}

function organizerOf(event: CalendarEvent): { name: string; email: string } | null {
  for (const p of Object.values(event.participants ?? {})) {
    if (isRec(p) && isRec(p.roles) && p.roles.owner) {
      const email = emailOfParticipant(p);
      if (email) return { name: str(p.name) ?? '', email };
    }
  }
  const replyTo = isRec(event.replyTo) ? str(event.replyTo.imip) : null;
  return replyTo && /^mailto:/i.test(replyTo) ? { name: '', email: replyTo.slice(7) } : null;
}

export function readInvitation(icsText: string, me: string[]): Invitation {
  const parsed = parseICalendar(icsText);
  const problems = [...parsed.problems];
  const event = parsed.events[0];
  if (!event) throw new Error('not an invitation: the calendar data holds no event');
  const uids = new Set(parsed.events.map((e) => e.uid));
  if (uids.size > 1) problems.push(`The invitation holds ${uids.size} different events; only "${event.title}" is used.`);
  let method = parsed.method;
  if (!method) {
    problems.push('The calendar data has no METHOD; it is treated as PUBLISH.');
    method = 'PUBLISH';
  }
  const myParticipantId = findParticipant(event, me);
  const mine = myParticipantId ? event.participants?.[myParticipantId] : null;
  return {
    method,
    uid: event.uid,
    sequence: typeof event.sequence === 'number' ? event.sequence : 0,
    event,
    organizer: organizerOf(event),
    myParticipantId,
    myStatus: (isRec(mine) && str(mine.participationStatus)) || 'needs-action',
    recurrenceId: str(event.recurrenceId),
    problems,
  };
}

const SUBJECT_PREFIX: Record<'accepted' | 'tentative' | 'declined', string> = { accepted: 'Accepted', tentative: 'Tentative', declined: 'Declined' };

/** A METHOD:REPLY (RFC 5546 §3.2.3) from the user to the organizer, with the user as the only attendee. */
export function buildReply(
  inv: Invitation,
  me: { name: string; email: string },
  status: 'accepted' | 'tentative' | 'declined',
): { ics: string; subject: string; to: { name: string; email: string }[] } {
  const organizer = inv.organizer;
  if (!organizer) throw new Error('cannot reply: the invitation names no organizer');
  const src = inv.event;
  const invited = inv.myParticipantId ? src.participants?.[inv.myParticipantId] : null;
  // Answer with the address the organizer invited, which may be an alias of me.email.
  const attendee: Rec = isRec(invited)
    ? { ...clone(invited), roles: { attendee: true }, participationStatus: status }
    : { '@type': 'Participant', name: me.name, email: me.email, sendTo: { imip: `mailto:${me.email}` }, roles: { attendee: true }, participationStatus: status };
  delete attendee.expectReply;
  if (!str(attendee.name) && me.name) attendee.name = me.name;
  const organizerParticipant: Rec = { '@type': 'Participant', name: organizer.name || undefined, email: organizer.email, sendTo: { imip: `mailto:${organizer.email}` }, roles: { owner: true } };
  if (!organizer.name) delete organizerParticipant.name;
  const reply: CalendarEvent = {
    '@type': 'Event',
    id: src.id,
    uid: src.uid,
    calendarIds: {},
    title: src.title,
    description: '',
    start: src.start,
    timeZone: src.timeZone,
    duration: src.duration,
    showWithoutTime: src.showWithoutTime,
    status: src.status,
    recurrenceRules: null,
    recurrenceOverrides: null,
    locations: null,
    participants: { organizer: organizerParticipant, attendee },
    alerts: null,
    sequence: inv.sequence,
    updated: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
  if (inv.recurrenceId) reply.recurrenceId = inv.recurrenceId;
  return {
    ics: toICalendar([reply], { method: 'REPLY' }),
    subject: `${SUBJECT_PREFIX[status]}: ${src.title || '(no title)'}`,
    to: [organizer],
  };
}

export type InvitationEffect = { kind: 'create' | 'update' | 'cancel' | 'ignore-older' | 'ignore'; event: CalendarEvent | null };

const seqOf = (e: CalendarEvent | Rec | null | undefined): number => (e && typeof e.sequence === 'number' ? e.sequence : 0);

function isOlder(inv: Invitation, current: { sequence: number; updated: string | null }): boolean {
  if (inv.sequence !== current.sequence) return inv.sequence < current.sequence;
  const updated = str(inv.event.updated);
  return !!updated && !!current.updated && updated < current.updated;
}

/** Sets the status of the participant with this email, if there is one. */
function setStatus(event: CalendarEvent, email: string, status: string): void {
  for (const p of Object.values(event.participants ?? {})) {
    if (isRec(p) && emailOfParticipant(p) === email) p.participationStatus = status;
  }
}

function statusOf(event: CalendarEvent, email: string): string | null {
  for (const p of Object.values(event.participants ?? {})) if (isRec(p) && emailOfParticipant(p) === email) return str(p.participationStatus);
  return null;
}

/**
 * What the invitation does to the user's copy of the event. REQUEST creates or updates (the user's
 * own answer survives unless the organizer re-asks with a higher SEQUENCE and NEEDS-ACTION), CANCEL
 * cancels the event or removes one occurrence, REPLY (to the user's own invitation) records the
 * attendee's answer; anything older than what the calendar holds is ignored.
 */
export function applyInvitation(existing: CalendarEvent | null, inv: Invitation, myStatus?: ParticipationStatus): InvitationEffect {
  const rid = inv.recurrenceId;
  const override = rid && existing ? existing.recurrenceOverrides?.[rid] : undefined;
  const current = existing
    ? { sequence: typeof override?.sequence === 'number' ? override.sequence : seqOf(existing), updated: str(override?.updated) ?? str(existing.updated) }
    : null;
  if (current && isOlder(inv, current)) return { kind: 'ignore-older', event: null };
  const myEmail = inv.myParticipantId ? emailOfParticipant((inv.event.participants?.[inv.myParticipantId] ?? {}) as Rec) : null;

  switch (inv.method) {
    case 'REQUEST':
    case 'PUBLISH':
    case 'ADD': {
      const incoming = clone(inv.event);
      if (myEmail) {
        const previous = existing ? statusOf(rid && override ? instanceOf(existing, rid, override) : existing, myEmail) : null;
        const reasked = !!current && inv.sequence > current.sequence && inv.myStatus === 'needs-action';
        const keep = myStatus ?? (previous && !reasked ? previous : null);
        if (keep) setStatus(incoming, myEmail, keep);
      }
      if (!existing) return { kind: 'create', event: incoming };
      if (rid && existing.recurrenceRules?.length) {
        const next = clone(existing);
        next.recurrenceOverrides = { ...next.recurrenceOverrides, [rid]: diffInstance(existing, incoming, rid) };
        return { kind: 'update', event: next };
      }
      // The organizer owns the event; the user's calendar placement and reminders stay theirs.
      return { kind: 'update', event: { ...incoming, id: existing.id, calendarIds: existing.calendarIds, alerts: existing.alerts } };
    }
    case 'CANCEL': {
      if (!existing) return { kind: 'cancel', event: null };
      const next = clone(existing);
      if (rid && existing.recurrenceRules?.length) next.recurrenceOverrides = { ...next.recurrenceOverrides, [rid]: { excluded: true } };
      else {
        next.status = 'cancelled';
        next.sequence = inv.sequence;
      }
      return { kind: 'cancel', event: next };
    }
    case 'REPLY': {
      if (!existing) return { kind: 'ignore', event: null };
      const next = clone(existing);
      for (const p of Object.values(inv.event.participants ?? {})) {
        if (!isRec(p) || (isRec(p.roles) && p.roles.owner && !p.roles.attendee)) continue;
        const email = emailOfParticipant(p);
        const status = str(p.participationStatus);
        if (!email || !status) continue;
        if (rid && next.recurrenceRules?.length) {
          const id = Object.entries(next.participants ?? {}).find(([, q]) => isRec(q) && emailOfParticipant(q) === email)?.[0];
          if (id) next.recurrenceOverrides = { ...next.recurrenceOverrides, [rid]: { ...next.recurrenceOverrides?.[rid], [`participants/${id}/participationStatus`]: status } };
        } else setStatus(next, email, status);
      }
      return { kind: 'update', event: next };
    }
    default:
      return { kind: 'ignore', event: null };
  }
}
