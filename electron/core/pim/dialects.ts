// The two ways servers speak calendars and contacts over JMAP, mapped onto one model:
// the IETF capabilities (RFC 9610 contacts, draft-ietf-jmap-calendars) used by Stalwart and
// current Cyrus, and Cyrus 3.x's vendor ones (a pre-RFC JSCalendar draft and flat Contacts).
import type { JmapSession } from '../jmap/session';
import type { AddressBook, Calendar, CalendarEvent, ContactCard, RecurrenceRule } from './model';

export type Raw = Record<string, unknown>;

/** One JMAP data type the sync mirrors, and how its objects become the client's model. */
export interface SyncedType<T> {
  /** The JMAP type name, e.g. "CalendarEvent". */
  type: string;
  using: string[];
  toModel(raw: Raw): T;
}

export interface PimDialect {
  name: 'ietf' | 'cyrus';
  calendars: SyncedType<Calendar> | null;
  events: SyncedType<CalendarEvent> | null;
  addressBooks: SyncedType<AddressBook> | null;
  /** Cards come from one type (IETF ContactCard) or two (Cyrus Contact and ContactGroup). */
  cards: SyncedType<ContactCard>[];
  /** The account id holding the user's calendars / contacts, per primaryAccounts. */
  calendarAccount: string | null;
  contactsAccount: string | null;
}

const ietf = {
  core: 'urn:ietf:params:jmap:core',
  calendars: 'urn:ietf:params:jmap:calendars',
  contacts: 'urn:ietf:params:jmap:contacts',
};
const cyrus = {
  calendars: 'https://cyrusimap.org/ns/jmap/calendars',
  contacts: 'https://cyrusimap.org/ns/jmap/contacts',
};

export function dialectFor(session: JmapSession): PimDialect {
  const has = (cap: string) => cap in session.capabilities;
  const primary = (cap: string) => session.primaryAccounts[cap] ?? null;
  if (has(ietf.calendars) || has(ietf.contacts)) {
    const cal = has(ietf.calendars) ? [ietf.core, ietf.calendars] : null;
    const con = has(ietf.contacts) ? [ietf.core, ietf.contacts] : null;
    return {
      name: 'ietf',
      calendars: cal && { type: 'Calendar', using: cal, toModel: calendarFromStandard },
      events: cal && { type: 'CalendarEvent', using: cal, toModel: eventFromStandard },
      addressBooks: con && { type: 'AddressBook', using: con, toModel: bookFromStandard },
      cards: con ? [{ type: 'ContactCard', using: con, toModel: cardFromStandard }] : [],
      calendarAccount: primary(ietf.calendars),
      contactsAccount: primary(ietf.contacts),
    };
  }
  const cal = has(cyrus.calendars) ? [ietf.core, cyrus.calendars] : null;
  const con = has(cyrus.contacts) ? [ietf.core, cyrus.contacts] : null;
  return {
    name: 'cyrus',
    calendars: cal && { type: 'Calendar', using: cal, toModel: calendarFromStandard },
    events: cal && { type: 'CalendarEvent', using: cal, toModel: eventFromCyrus },
    // Cyrus has no AddressBook type: every card names its book in addressbookId.
    addressBooks: null,
    cards: con
      ? [
          { type: 'Contact', using: con, toModel: cardFromCyrusContact },
          { type: 'ContactGroup', using: con, toModel: cardFromCyrusGroup },
        ]
      : [],
    calendarAccount: primary(cyrus.calendars),
    contactsAccount: primary(cyrus.contacts),
  };
}

const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const num = (v: unknown, fallback = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
const bool = (v: unknown, fallback: boolean): boolean => (typeof v === 'boolean' ? v : fallback);
const obj = (v: unknown): Record<string, unknown> | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
const idOf = (raw: Raw): string => {
  const id = raw.id;
  if (typeof id !== 'string' || !id) throw new Error('object without an id');
  return id;
};

function calendarFromStandard(raw: Raw): Calendar {
  return {
    id: idOf(raw),
    name: str(raw.name, 'Calendar'),
    color: typeof raw.color === 'string' ? raw.color : null,
    sortOrder: num(raw.sortOrder),
    isVisible: bool(raw.isVisible, true),
    mayWrite: bool(raw.mayModifyItems, bool(obj(raw.myRights)?.mayWriteAll, true)),
  };
}

function eventFromStandard(raw: Raw): CalendarEvent {
  return normalizeEvent(raw, obj(raw.calendarIds) as Record<string, boolean> | null, Array.isArray(raw.recurrenceRules) ? (raw.recurrenceRules as RecurrenceRule[]) : null);
}

/** Cyrus' draft dialect: "@type":"jsevent", one calendarId, one recurrenceRule. */
function eventFromCyrus(raw: Raw): CalendarEvent {
  const calendarId = str(raw.calendarId);
  const rule = obj(raw.recurrenceRule) as RecurrenceRule | null;
  return normalizeEvent(raw, calendarId ? { [calendarId]: true } : null, rule ? [stripType(rule)] : null);
}

function normalizeEvent(raw: Raw, calendarIds: Record<string, boolean> | null, rules: RecurrenceRule[] | null): CalendarEvent {
  const rest = { ...raw };
  for (const k of ['calendarId', 'recurrenceRule', 'x-href', '@type']) delete rest[k];
  return {
    ...rest,
    '@type': 'Event',
    id: idOf(raw),
    uid: str(raw.uid, idOf(raw)),
    calendarIds: calendarIds ?? {},
    title: str(raw.title),
    description: str(raw.description),
    start: str(raw.start),
    timeZone: typeof raw.timeZone === 'string' ? raw.timeZone : null,
    duration: str(raw.duration, 'PT0S'),
    showWithoutTime: bool(raw.showWithoutTime, false),
    status: str(raw.status, 'confirmed'),
    recurrenceRules: rules,
    recurrenceOverrides: obj(raw.recurrenceOverrides) as CalendarEvent['recurrenceOverrides'],
    locations: obj(raw.locations),
    participants: obj(raw.participants),
    alerts: obj(raw.alerts),
  };
}

function stripType(rule: RecurrenceRule): RecurrenceRule {
  const { ['@type']: _type, ...rest } = rule as RecurrenceRule & { '@type'?: unknown };
  return rest as RecurrenceRule;
}

function bookFromStandard(raw: Raw): AddressBook {
  return {
    id: idOf(raw),
    name: str(raw.name, 'Contacts'),
    isDefault: bool(raw.isDefault, false),
    mayWrite: bool(obj(raw.myRights)?.mayWrite, true),
  };
}

function cardFromStandard(raw: Raw): ContactCard {
  const kind = str(raw.kind, 'individual');
  return {
    ...raw,
    '@type': 'Card',
    version: '1.0',
    id: idOf(raw),
    uid: str(raw.uid, idOf(raw)),
    kind: kind === 'group' || kind === 'org' ? kind : 'individual',
    addressBookIds: (obj(raw.addressBookIds) as Record<string, boolean> | null) ?? {},
  };
}

/** Cyrus' flat Contact (firstName, lastName, emails[] …) as a JSContact individual. */
function cardFromCyrusContact(raw: Raw): ContactCard {
  const list = (v: unknown) => (Array.isArray(v) ? (v as Raw[]) : []);
  const given = str(raw.firstName).trim();
  const surname = str(raw.lastName).trim();
  const card: ContactCard = {
    '@type': 'Card',
    version: '1.0',
    id: idOf(raw),
    uid: str(raw.uid, idOf(raw)),
    kind: 'individual',
    addressBookIds: { [str(raw.addressbookId, 'Default')]: true },
    name: {
      components: [...(given ? [{ kind: 'given', value: given }] : []), ...(surname ? [{ kind: 'surname', value: surname }] : [])],
      full: [given, surname].filter(Boolean).join(' '),
    },
  };
  const emails = list(raw.emails).filter((e) => str(e.value));
  if (emails.length) {
    card.emails = Object.fromEntries(
      emails.map((e, i) => [`e${i + 1}`, { address: str(e.value), ...context(str(e.type)), ...(e.isDefault === true ? { pref: 1 } : {}) }]),
    );
  }
  const phones = list(raw.phones).filter((p) => str(p.value));
  if (phones.length) {
    card.phones = Object.fromEntries(
      phones.map((p, i) => {
        const type = str(p.type);
        const features: Record<string, boolean> | undefined = type === 'mobile' || type === 'fax' ? { [type]: true } : undefined;
        return [`p${i + 1}`, { number: str(p.value), ...(features ? { features } : {}), ...context(type) }];
      }),
    );
  }
  if (str(raw.company)) card.organizations = { o1: { name: str(raw.company), ...(str(raw.department) ? { units: [{ name: str(raw.department) }] } : {}) } };
  if (str(raw.jobTitle)) card.titles = { t1: { name: str(raw.jobTitle) } };
  if (str(raw.notes)) card.notes = { n1: { note: str(raw.notes) } };
  return card;
}

function context(type: string): { contexts?: Record<string, boolean> } {
  return type === 'work' ? { contexts: { work: true } } : type === 'home' || type === 'personal' ? { contexts: { private: true } } : {};
}

/** Cyrus' ContactGroup as a JSContact group card whose members are the contacts' uids. */
function cardFromCyrusGroup(raw: Raw): ContactCard {
  const ids = Array.isArray(raw.contactIds) ? (raw.contactIds as unknown[]).filter((x): x is string => typeof x === 'string') : [];
  return {
    '@type': 'Card',
    version: '1.0',
    id: idOf(raw),
    uid: str(raw.uid, idOf(raw)),
    kind: 'group',
    addressBookIds: { [str(raw.addressbookId, 'Default')]: true },
    name: { full: str(raw.name) },
    // Cyrus contact ids equal their uids, which is what JSContact members reference.
    members: Object.fromEntries(ids.map((id) => [id, true])),
  };
}
