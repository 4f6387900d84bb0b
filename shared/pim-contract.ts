// The calendar and contacts part of the IPC contract: what the renderer may ask and what it
// gets back. Views are the client's own model (JSCalendar, JSContact) reduced to what the UI
// shows and edits; the core keeps the full objects, so editing never drops what the server sent.
import { z } from 'zod';

const id = z.string().min(1).max(256);
/** A JSCalendar LocalDateTime, e.g. "2026-03-29T09:30:00" (no zone, no fraction). */
const localDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/, 'must be a local date-time like 2026-03-29T09:30:00');
/** An ISO 8601 duration, e.g. "PT1H30M", "P1D". */
const duration = z.string().regex(/^P(?:\d+W|(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?)$/, 'must be an ISO 8601 duration like PT1H').max(40);
const instant = z.string().datetime({ offset: true });
const shortText = z.string().max(1000);
const longText = z.string().max(100_000);
const queued = z.object({ queued: z.number() });
const email = z.string().trim().max(320).regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address');

export const CalendarView = z.object({
  accountId: id,
  id,
  name: z.string(),
  /** A CSS colour the server gave, or null (the UI picks one). */
  color: z.string().nullable(),
  isVisible: z.boolean(),
  mayWrite: z.boolean(),
});

/** One occurrence of an event inside the asked range; a one-off event has one. */
export const OccurrenceView = z.object({
  accountId: id,
  eventId: id,
  calendarId: z.string(),
  /** The occurrence's recurrence id (its original LocalDateTime); null for a one-off event. */
  recurrenceId: localDateTime.nullable(),
  title: z.string(),
  /** UTC instants; for all-day events, UTC midnight of the first day and of the day after the last. */
  start: instant,
  end: instant,
  allDay: z.boolean(),
  timeZone: z.string().nullable(),
  location: z.string(),
  recurring: z.boolean(),
  status: z.enum(['confirmed', 'tentative', 'cancelled']),
  /** The user's own answer when they are a participant. */
  myStatus: z.string().nullable(),
  /** Not yet on the server (queued in the outbox). */
  pending: z.boolean(),
});

export const ParticipantDraft = z.object({
  name: z.string().max(200),
  email,
  role: z.enum(['owner', 'attendee', 'optional', 'chair']),
  status: z.enum(['needs-action', 'accepted', 'declined', 'tentative', 'delegated']),
});

export const AlertDraft = z.object({
  /** Minutes before the start (negative: after). */
  minutesBefore: z.number().int().min(-10_080).max(40_320),
});

/** A JSCalendar RecurrenceRule (RFC 8984 §4.3.3), the subset the editor offers. */
export const RecurrenceDraft = z.object({
  frequency: z.enum(['yearly', 'monthly', 'weekly', 'daily']),
  interval: z.number().int().min(1).max(1000).default(1),
  /** Weekly: the days ("mo".."su"); monthly by weekday: one day with nthOfPeriod (-1 = last). */
  byDay: z.array(z.object({ day: z.enum(['mo', 'tu', 'we', 'th', 'fr', 'sa', 'su']), nthOfPeriod: z.number().int().min(-5).max(5).optional() })).max(7).optional(),
  byMonthDay: z.array(z.number().int().min(-31).max(31)).max(31).optional(),
  count: z.number().int().min(1).max(10_000).optional(),
  until: localDateTime.optional(),
});

/** What the event editor edits. Everything else the event holds is kept as it was. */
export const EventDraft = z.object({
  calendarId: id,
  title: z.string().max(1000),
  description: longText,
  location: shortText,
  start: localDateTime,
  /** IANA zone; null = floating. All-day events ignore it. */
  timeZone: z.string().max(100).nullable(),
  duration,
  allDay: z.boolean(),
  recurrence: RecurrenceDraft.nullable(),
  participants: z.array(ParticipantDraft).max(500),
  alerts: z.array(AlertDraft).max(20),
  status: z.enum(['confirmed', 'tentative', 'cancelled']).default('confirmed'),
});

export const EventDetail = z.object({
  accountId: id,
  eventId: id,
  uid: z.string(),
  draft: EventDraft,
  /** Dates of occurrences removed from the series (recurrence ids). */
  excluded: z.array(localDateTime),
  mayWrite: z.boolean(),
  pending: z.boolean(),
});

/** Which part of a recurring series an edit applies to. */
export const EditScope = z.union([z.literal('series'), z.object({ recurrenceId: localDateTime })]);

export const AddressBookView = z.object({ accountId: id, id, name: z.string(), isDefault: z.boolean(), mayWrite: z.boolean() });

export const ContactListItem = z.object({
  accountId: id,
  id,
  kind: z.enum(['individual', 'group', 'org']),
  displayName: z.string(),
  emails: z.array(z.string()),
  organization: z.string(),
  /** Number of members, for groups. */
  memberCount: z.number(),
  pending: z.boolean(),
});

const labelled = <T extends z.ZodTypeAny>(value: T) => z.object({ value, label: z.enum(['work', 'home', 'mobile', 'other']).default('other') });

/** What the contact editor edits; everything else on the card is kept. */
export const ContactDraft = z.object({
  addressBookId: id,
  kind: z.enum(['individual', 'group']),
  /** A group's name, or an individual's full name when given/surname are empty. */
  fullName: z.string().max(500),
  given: z.string().max(200),
  surname: z.string().max(200),
  emails: z.array(labelled(email)).max(50),
  phones: z.array(labelled(z.string().trim().min(1).max(100))).max(50),
  addresses: z
    .array(z.object({ street: z.string().max(500), locality: z.string().max(200), region: z.string().max(200), postcode: z.string().max(50), country: z.string().max(200), label: z.enum(['work', 'home', 'other']).default('home') }))
    .max(20),
  organization: z.string().max(500),
  title: z.string().max(500),
  notes: z.string().max(50_000),
  /** A data: URI (JPEG/PNG/WebP) of at most 256 KiB, or null for none. */
  photo: z.string().max(350_000).regex(/^data:image\/(jpeg|png|webp);base64,[A-Za-z0-9+/=]+$/, 'must be a JPEG, PNG or WebP data URI').nullable(),
  /** Groups only: the member cards' ids. */
  members: z.array(id).max(10_000),
});

export const ContactDetail = z.object({ accountId: id, id, draft: ContactDraft, mayWrite: z.boolean(), pending: z.boolean() });

export const InvitationView = z.object({
  accountId: id,
  emailId: id,
  method: z.string(),
  uid: z.string(),
  title: z.string(),
  organizer: z.object({ name: z.string().nullable(), email: z.string() }).nullable(),
  /** The occurrence as UTC instants, shown in the user's zone. */
  start: instant,
  end: instant,
  allDay: z.boolean(),
  timeZone: z.string().nullable(),
  location: z.string(),
  recurring: z.boolean(),
  attendees: z.array(z.object({ name: z.string().nullable(), email: z.string(), status: z.string() })),
  /** Whether the user is invited, and their current answer. */
  myStatus: z.string().nullable(),
  /** The user's own events overlapping this one. */
  conflicts: z.array(z.object({ title: z.string(), start: instant, end: instant })),
  /** What this invitation would do to the user's calendar. */
  state: z.enum(['new', 'update', 'known', 'outdated', 'cancelled', 'reply']),
  /** The event in the user's calendar, when it is there. */
  eventId: id.nullable(),
  problems: z.array(z.string()),
});

export const pimRequests = {
  'calendars.list': { params: z.object({}).strict(), result: z.array(CalendarView) },
  'calendars.setVisible': { params: z.object({ accountId: id, calendarId: id, visible: z.boolean() }).strict(), result: z.object({ ok: z.boolean() }) },
  /** Occurrences in [from, to) across every visible calendar; recurring events are expanded. */
  'events.list': {
    params: z
      .object({ from: instant, to: instant })
      .strict()
      .refine((p) => Date.parse(p.to) > Date.parse(p.from) && Date.parse(p.to) - Date.parse(p.from) <= 400 * 86_400_000, {
        message: 'the range must be forward and at most 400 days',
      }),
    result: z.array(OccurrenceView),
  },
  'events.get': { params: z.object({ accountId: id, eventId: id }).strict(), result: EventDetail },
  /** Creates (eventId null) or edits an event; a scope of one occurrence edits only that one. */
  'events.save': {
    params: z.object({ accountId: id, eventId: id.nullable(), draft: EventDraft, scope: EditScope.default('series') }).strict(),
    result: z.object({ eventId: id, queued: z.number() }),
  },
  /** Drag to move or resize: a new start and duration for the series or one occurrence. */
  'events.reschedule': {
    params: z.object({ accountId: id, eventId: id, scope: EditScope, start: localDateTime, duration }).strict(),
    result: queued,
  },
  'events.delete': { params: z.object({ accountId: id, eventId: id, scope: EditScope.default('series') }).strict(), result: queued },
  /** Parses an .ics file's text and queues its events into a calendar. */
  'events.import': {
    params: z.object({ accountId: id, calendarId: id, ics: z.string().max(5_000_000) }).strict(),
    result: z.object({ imported: z.number(), problems: z.array(z.string()) }),
  },
  'events.export': {
    params: z.object({ accountId: id, calendarId: id.optional(), eventIds: z.array(id).max(10_000).optional() }).strict(),
    result: z.object({ filename: z.string(), ics: z.string() }),
  },
  'addressBooks.list': { params: z.object({}).strict(), result: z.array(AddressBookView) },
  /** Every card, or those whose name, email or organisation matches the query. */
  'contacts.list': {
    params: z.object({ query: z.string().max(200).default(''), accountId: id.optional() }).strict(),
    result: z.array(ContactListItem),
  },
  'contacts.get': { params: z.object({ accountId: id, contactId: id }).strict(), result: ContactDetail },
  'contacts.save': {
    params: z.object({ accountId: id, contactId: id.nullable(), draft: ContactDraft }).strict(),
    result: z.object({ contactId: id, queued: z.number() }),
  },
  'contacts.delete': { params: z.object({ accountId: id, contactId: id }).strict(), result: queued },
  /** The card holding this address, if any (for "add sender to contacts"). */
  'contacts.findByEmail': { params: z.object({ email: z.string().max(320) }).strict(), result: ContactListItem.nullable() },
  'contacts.import': {
    params: z.object({ accountId: id, addressBookId: id, vcf: z.string().max(20_000_000) }).strict(),
    result: z.object({ imported: z.number(), problems: z.array(z.string()) }),
  },
  'contacts.export': {
    params: z.object({ accountId: id, contactIds: z.array(id).max(100_000).optional(), version: z.enum(['3.0', '4.0']).default('4.0') }).strict(),
    result: z.object({ filename: z.string(), vcf: z.string() }),
  },
  /** The invitation (iMIP) a message carries, or null when it carries none. */
  'invitations.get': { params: z.object({ accountId: id, emailId: id }).strict(), result: InvitationView.nullable() },
  /** Records the user's answer in their calendar; mails a METHOD:REPLY only when sendReply is set. */
  'invitations.respond': {
    params: z.object({ accountId: id, emailId: id, status: z.enum(['accepted', 'tentative', 'declined']), sendReply: z.boolean() }).strict(),
    result: z.object({ eventId: id, queued: z.number() }),
  },
} as const;

export const pimEvents = {
  'calendars.changed': z.object({ accountId: id }),
  'contacts.changed': z.object({ accountId: id }),
  /** A JSCalendar alert came due (also raised as a system notification by the shell). */
  'calendar.reminder': z.object({ accountId: id, eventId: id, title: z.string(), start: instant, allDay: z.boolean(), location: z.string() }),
} as const;

export type CalendarView = z.output<typeof CalendarView>;
export type OccurrenceView = z.output<typeof OccurrenceView>;
export type EventDraft = z.output<typeof EventDraft>;
export type EventDetail = z.output<typeof EventDetail>;
export type EditScope = z.output<typeof EditScope>;
export type RecurrenceDraft = z.output<typeof RecurrenceDraft>;
export type ParticipantDraft = z.output<typeof ParticipantDraft>;
export type AddressBookView = z.output<typeof AddressBookView>;
export type ContactListItem = z.output<typeof ContactListItem>;
export type ContactDraft = z.output<typeof ContactDraft>;
export type ContactDetail = z.output<typeof ContactDetail>;
export type InvitationView = z.output<typeof InvitationView>;
