// Pure pieces of the contacts space: ordering and lettering the list, drafts for the editor
// (blank, from a mail sender, cleaned before saving), and the photo and export arithmetic.
// Nothing here touches the DOM or the transport, so it is unit-tested directly.
import type { AddressBookView, ContactDraft, ContactListItem } from '../../../shared/pim-contract';

export type EmailLabel = ContactDraft['emails'][number]['label'];
export type AddressLabel = ContactDraft['addresses'][number]['label'];
export const valueLabels: readonly EmailLabel[] = ['work', 'home', 'mobile', 'other'];
export const addressLabels: readonly AddressLabel[] = ['home', 'work', 'other'];

/** Cards are unique per account, not across accounts. */
export function contactKey(item: { accountId: string; id: string }): string {
  return `${item.accountId}/${item.id}`;
}

/** What the list shows and sorts by: the name, else the first address, else a placeholder. */
export function listName(item: Pick<ContactListItem, 'displayName' | 'emails' | 'organization'>): string {
  return item.displayName.trim() || item.organization.trim() || item.emails[0]?.trim() || '(no name)';
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

export function sortContacts(items: readonly ContactListItem[]): ContactListItem[] {
  return [...items].sort((a, b) => collator.compare(listName(a), listName(b)) || collator.compare(a.id, b.id));
}

/** The letter a name files under: accents dropped ("Émile" → E); digits and symbols under "#". */
export function letterOf(name: string): string {
  const first = name.trim().normalize('NFD').replace(/\p{M}/gu, '').charAt(0).toUpperCase();
  return /\p{L}/u.test(first) ? first : '#';
}

/** Whether the row at index starts a new letter (and so shows the letter). */
export function startsLetter(items: readonly ContactListItem[], index: number): boolean {
  const item = items[index];
  if (!item) return false;
  const previous = items[index - 1];
  return !previous || letterOf(listName(previous)) !== letterOf(listName(item));
}

/** One or two letters for an avatar without a photo. */
export function initialsOf(name: string): string {
  const words = name
    .replace(/@.*$/, '')
    .split(/[\s._-]+/)
    .map((w) => w.replace(/[^\p{L}\p{N}]/gu, ''))
    .filter(Boolean);
  const picked = words.length > 1 ? [words[0], words.at(-1)] : words.slice(0, 1);
  return picked.map((w) => [...(w ?? '')][0] ?? '').join('').toUpperCase() || '?';
}

/** Keeps only the items of one group (member ids are card ids in the group's account). */
export function inGroup(items: readonly ContactListItem[], accountId: string, members: ReadonlySet<string>): ContactListItem[] {
  return items.filter((i) => i.accountId === accountId && members.has(i.id));
}

/** The groups (by key) that list a card among their members. */
export function groupsContaining(accountId: string, contactId: string, groups: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const prefix = `${accountId}/`;
  return [...groups].filter(([key, members]) => key.startsWith(prefix) && members.has(contactId)).map(([key]) => key);
}

/** The address book new cards go to: the account's default, else any it may write. */
export function defaultBook(books: readonly AddressBookView[], accountId?: string | null): AddressBookView | null {
  const writable = books.filter((b) => b.mayWrite && (!accountId || b.accountId === accountId));
  return writable.find((b) => b.isDefault) ?? writable[0] ?? (accountId ? defaultBook(books, null) : null);
}

export function emptyDraft(addressBookId: string, kind: ContactDraft['kind'] = 'individual'): ContactDraft {
  return {
    addressBookId,
    kind,
    fullName: '',
    given: '',
    surname: '',
    emails: [],
    phones: [],
    addresses: [],
    organization: '',
    title: '',
    notes: '',
    photo: null,
    members: [],
  };
}

/** Names do not split reliably, so this is a guess the user can correct: the last word is the
 * surname, the rest given; the full name is kept as written beside them. */
export function splitName(full: string): { given: string; surname: string } {
  const words = full.trim().split(/\s+/).filter(Boolean);
  if (words.length < 2) return { given: words[0] ?? '', surname: '' };
  return { given: words.slice(0, -1).join(' '), surname: words.at(-1) ?? '' };
}

/** A new card for a mail sender: their name (if they gave one) and address. */
export function draftFromSender(addressBookId: string, sender: { name: string | null; email: string }): ContactDraft {
  const name = (sender.name ?? '').trim().replace(/^"(.*)"$/, '$1').trim();
  return {
    ...emptyDraft(addressBookId),
    fullName: name,
    ...splitName(name),
    emails: [{ value: sender.email.trim(), label: 'other' }],
  };
}

const emailPattern = /^[^\s@]+@[^\s@]+$/;

export interface DraftProblem {
  field: string;
  message: string;
}

/**
 * What the editor hands to contacts.save: text trimmed, blank rows dropped (an empty row is
 * just an unused "add" click), and the problems the user must fix first.
 */
export function cleanDraft(draft: ContactDraft): { draft: ContactDraft; problems: DraftProblem[] } {
  const problems: DraftProblem[] = [];
  const emails = draft.emails.map((e) => ({ ...e, value: e.value.trim() })).filter((e) => e.value !== '');
  emails.forEach((e, i) => {
    if (!emailPattern.test(e.value)) problems.push({ field: `email-${i}`, message: `“${e.value}” is not an email address` });
  });
  const phones = draft.phones.map((p) => ({ ...p, value: p.value.trim() })).filter((p) => p.value !== '');
  const addresses = draft.addresses
    .map((a) => ({ ...a, street: a.street.trim(), locality: a.locality.trim(), region: a.region.trim(), postcode: a.postcode.trim(), country: a.country.trim() }))
    .filter((a) => a.street || a.locality || a.region || a.postcode || a.country);
  const cleaned: ContactDraft = {
    ...draft,
    fullName: draft.fullName.trim(),
    given: draft.given.trim(),
    surname: draft.surname.trim(),
    organization: draft.organization.trim(),
    title: draft.title.trim(),
    notes: draft.notes.replace(/\s+$/, ''),
    emails,
    phones,
    addresses,
    members: draft.kind === 'group' ? [...new Set(draft.members)] : [],
  };
  if (cleaned.kind === 'group' && !cleaned.fullName) problems.unshift({ field: 'name', message: 'A group needs a name' });
  if (cleaned.kind === 'individual' && !cleaned.fullName && !cleaned.given && !cleaned.surname && !cleaned.organization && emails.length === 0) {
    problems.unshift({ field: 'name', message: 'Give at least a name, an organisation or an email address' });
  }
  return { draft: cleaned, problems };
}

/** The name a draft shows under: the full name, else given and surname, else organisation. */
export function draftName(draft: ContactDraft): string {
  return draft.fullName.trim() || [draft.given, draft.surname].map((s) => s.trim()).filter(Boolean).join(' ') || draft.organization.trim() || draft.emails[0]?.value || '';
}

/** One postal address as the lines it is written on. */
export function addressLines(a: ContactDraft['addresses'][number]): string[] {
  const town = [a.postcode, a.locality].map((s) => s.trim()).filter(Boolean).join(' ');
  return [a.street.trim(), [town, a.region.trim()].filter(Boolean).join(', '), a.country.trim()].filter(Boolean);
}

/** Dimensions scaled down (never up) to fit a square of `max` pixels, rounded, at least 1. */
export function fitWithin(width: number, height: number, max: number): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(width, height, 1));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** The contract's limit on a photo data URI, in characters (256 KiB of base64 plus its prefix). */
export const photoLimit = 350_000;

export function fitsPhotoLimit(dataUri: string): boolean {
  return dataUri.length <= photoLimit && /^data:image\/(jpeg|png|webp);base64,[A-Za-z0-9+/=]+$/.test(dataUri);
}

/**
 * Several accounts' exports as one file: vCard files are plain concatenations of cards, so
 * the texts join with a line break; the name is the core's when only one account took part.
 */
export function mergeExports(parts: readonly { filename: string; vcf: string }[]): { filename: string; vcf: string } {
  if (parts.length === 1 && parts[0]) return parts[0];
  const vcf = parts
    .map((p) => p.vcf.replace(/(\r?\n)+$/, ''))
    .filter(Boolean)
    .join('\r\n');
  return { filename: 'contacts.vcf', vcf: vcf ? `${vcf}\r\n` : '' };
}

/** Selected keys grouped by account, for requests that take one account at a time. */
export function byAccount(keys: Iterable<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const key of keys) {
    const slash = key.indexOf('/');
    if (slash <= 0) continue;
    const accountId = key.slice(0, slash);
    out.set(accountId, [...(out.get(accountId) ?? []), key.slice(slash + 1)]);
  }
  return out;
}

/** The keys between two rows, inclusive, in list order (shift-click). */
export function rangeKeys(items: readonly ContactListItem[], fromKey: string | null, toKey: string): string[] {
  const to = items.findIndex((i) => contactKey(i) === toKey);
  const fromIndex = fromKey ? items.findIndex((i) => contactKey(i) === fromKey) : -1;
  const from = fromIndex === -1 ? to : fromIndex;
  if (to === -1) return [];
  const [a, b] = from < to ? [from, to] : [to, from];
  return items.slice(a, b + 1).map(contactKey);
}

/** A recipient as typed in an address field; the name is quoted (commas in it must not split it). */
export function recipient(name: string | null, email: string): string {
  const n = (name ?? '').replace(/["<>]/g, '').trim();
  return n && n.toLowerCase() !== email.toLowerCase() ? `"${n}" <${email}>` : email;
}
