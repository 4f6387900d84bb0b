// The client's model back into each server dialect, for /set: the IETF one is JSCalendar /
// JSContact as stored; Cyrus 3.6 wants its draft event ("@type":"jsevent", one calendarId, one
// recurrenceRule) and its flat Contact / ContactGroup. Updates send only what differs, so
// whatever the server holds that the model does not carry is never touched.
import type { Raw } from './dialects';
import type { CalendarEvent, ContactCard } from './model';

export type DialectName = 'ietf' | 'cyrus';

/** Properties the client adds or the server owns: never written back. */
const localOnly = ['id', 'recurrenceId', 'x-href'];

export function eventToDialect(dialect: DialectName, e: CalendarEvent): Raw {
  const out: Raw = { ...e };
  for (const k of localOnly) delete out[k];
  if (dialect === 'ietf') return { ...out, '@type': 'Event' };
  const { calendarIds, recurrenceRules, ...rest } = out as Raw & { calendarIds?: Record<string, boolean>; recurrenceRules?: unknown[] | null };
  const calendarId = Object.keys(calendarIds ?? {}).find((k) => calendarIds?.[k]) ?? null;
  return { ...rest, '@type': 'jsevent', calendarId, recurrenceRule: recurrenceRules?.[0] ?? null };
}

/** Which Cyrus type holds a card: individuals are Contacts, groups ContactGroups. */
export function cardType(dialect: DialectName, card: Pick<ContactCard, 'kind'>): string {
  if (dialect === 'ietf') return 'ContactCard';
  return card.kind === 'group' ? 'ContactGroup' : 'Contact';
}

export function cardToDialect(dialect: DialectName, c: ContactCard): Raw {
  if (dialect === 'ietf') {
    const out: Raw = { ...c, '@type': 'Card', version: '1.0' };
    for (const k of localOnly) delete out[k];
    return out;
  }
  const book = Object.keys(c.addressBookIds).find((k) => c.addressBookIds[k]) ?? 'Default';
  if (c.kind === 'group') {
    return { uid: c.uid, addressbookId: book, name: c.name?.full ?? '', contactIds: Object.keys(c.members ?? {}).filter((k) => c.members?.[k]) };
  }
  const component = (kind: string) => c.name?.components?.find((x) => x.kind === kind)?.value ?? '';
  let firstName = component('given');
  let lastName = component('surname');
  // A card with only a full name (e.g. from a vCard FN) still needs a name on Cyrus.
  if (!firstName && !lastName && c.name?.full) {
    const words = c.name.full.trim().split(/\s+/);
    lastName = words.length > 1 ? words.pop()! : '';
    firstName = words.join(' ');
  }
  const org = Object.values(c.organizations ?? {})[0];
  return {
    uid: c.uid,
    addressbookId: book,
    firstName,
    lastName,
    // Cyrus calls a private address "personal" (its phones and addresses say "home").
    emails: Object.values(c.emails ?? {}).map((e, i, all) => ({ type: labelOf(e.contexts).replace('home', 'personal'), value: e.address, isDefault: e.pref === 1 || (i === 0 && !all.some((x) => x.pref === 1)) })),
    phones: Object.values(c.phones ?? {}).map((p) => ({ type: p.features?.mobile ? 'mobile' : p.features?.fax ? 'fax' : labelOf(p.contexts), value: p.number })),
    addresses: Object.values(c.addresses ?? {}).map((a) => cyrusAddress(a)),
    company: org?.name ?? '',
    department: org?.units?.[0]?.name ?? '',
    jobTitle: Object.values(c.titles ?? {})[0]?.name ?? '',
    notes: Object.values(c.notes ?? {})[0]?.note ?? '',
    // Cyrus keeps a photo as a blob; a new one is uploaded before this is written (pim-outbox).
    avatar: cyrusAvatar(c),
  };
}

/** How a photo stored on Cyrus is named in the model until it is fetched: its blob, by id. */
export const cyrusBlobScheme = 'cyrus-blob:';

/** The card's photo when it is kept on Cyrus as a blob (see cyrusBlobScheme), else null. */
export function cyrusPhoto(c: ContactCard): { blobId: string; mediaType: string; size: number } | null {
  const photo = Object.values((c.media && typeof c.media === 'object' ? c.media : {}) as Record<string, unknown>).find((m): m is { kind: string; uri: string; mediaType?: unknown; size?: unknown } => {
    const r = m as Raw | null;
    return !!r && r.kind === 'photo' && typeof r.uri === 'string' && r.uri.startsWith(cyrusBlobScheme);
  });
  if (!photo) return null;
  return {
    blobId: photo.uri.slice(cyrusBlobScheme.length),
    mediaType: typeof photo.mediaType === 'string' ? photo.mediaType : 'image/jpeg',
    size: typeof photo.size === 'number' ? photo.size : 0,
  };
}

function cyrusAvatar(c: ContactCard): Raw | null {
  const photo = cyrusPhoto(c);
  return photo && { blobId: photo.blobId, type: photo.mediaType, size: photo.size };
}

function labelOf(contexts: Record<string, boolean> | undefined): string {
  if (contexts?.work) return 'work';
  if (contexts?.private) return 'home';
  return 'other';
}

/** A JSContact Address (RFC 9553 §2.5.1) as Cyrus' flat address. */
function cyrusAddress(a: unknown): Raw {
  const addr = (a && typeof a === 'object' ? a : {}) as { components?: { kind: string; value: string }[]; contexts?: Record<string, boolean> };
  const part = (kind: string) => addr.components?.filter((x) => x.kind === kind).map((x) => x.value).join(' ') ?? '';
  return { type: addr.contexts?.work ? 'work' : addr.contexts?.private ? 'home' : 'other', street: part('name'), locality: part('locality'), region: part('region'), postcode: part('postcode'), country: part('country') };
}

/** What the shared Cyrus reader leaves out and the editor shows: the photo and postal addresses. */
export function withCyrusExtras(card: ContactCard, raw: Raw): ContactCard {
  const avatar = raw.avatar && typeof raw.avatar === 'object' ? (raw.avatar as Raw) : null;
  if (avatar && typeof avatar.blobId === 'string' && avatar.blobId) {
    const mediaType = typeof avatar.type === 'string' ? avatar.type : 'image/jpeg';
    const size = typeof avatar.size === 'number' ? avatar.size : 0;
    card = { ...card, media: { photo: { '@type': 'Media', kind: 'photo', uri: `${cyrusBlobScheme}${avatar.blobId}`, mediaType, size } } };
  }
  if (!Array.isArray(raw.addresses) || !raw.addresses.length) return card;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const addresses: Record<string, unknown> = {};
  raw.addresses.forEach((x: unknown, i) => {
    const a = (x && typeof x === 'object' ? x : {}) as Raw;
    const components = (['name', 'locality', 'region', 'postcode', 'country'] as const)
      .map((kind) => ({ kind, value: str(kind === 'name' ? a.street : a[kind]) }))
      .filter((c) => c.value);
    const type = str(a.type);
    addresses[`a${i + 1}`] = { '@type': 'Address', components, ...(type === 'work' ? { contexts: { work: true } } : type === 'home' ? { contexts: { private: true } } : {}) };
  });
  return { ...card, addresses };
}

/**
 * A /set update: the top-level properties whose dialect form differs between before and after
 * (RFC 8620 §5.3 PatchObject; null removes). Sending values, not operations, makes a replay
 * after a crash harmless.
 */
export function patchBetween(before: Raw, after: Raw): Raw {
  const patch: Raw = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (key === 'uid' || key === '@type') continue;
    const a = JSON.stringify(before[key] ?? null);
    const b = JSON.stringify(after[key] ?? null);
    if (a !== b) patch[key] = after[key] ?? null;
  }
  return patch;
}

/** For /set create: nulls mean "not set", which some servers refuse to be told explicitly. */
export function withoutNulls(raw: Raw): Raw {
  return Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== null && v !== undefined));
}
