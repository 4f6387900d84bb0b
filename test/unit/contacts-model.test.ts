// The contacts space's pure pieces: ordering and lettering, drafts (blank, from a sender,
// cleaned before saving), photo sizing, and joining several accounts' exports.
import { describe, expect, it } from 'vitest';
import type { AddressBookView, ContactListItem } from '../../shared/pim-contract';
import { ContactDraft } from '../../shared/pim-contract';
import {
  addressLines,
  byAccount,
  cleanDraft,
  contactKey,
  defaultBook,
  draftFromSender,
  draftName,
  emptyDraft,
  fitsPhotoLimit,
  fitWithin,
  groupsContaining,
  inGroup,
  initialsOf,
  letterOf,
  listName,
  mergeExports,
  rangeKeys,
  recipient,
  sortContacts,
  splitName,
  startsLetter,
} from '../../renderer/src/contacts/contacts-model';

function card(id: string, displayName: string, extra: Partial<ContactListItem> = {}): ContactListItem {
  return { accountId: 'a1', id, kind: 'individual', displayName, emails: [], organization: '', memberCount: 0, pending: false, ...extra };
}

function book(id: string, extra: Partial<AddressBookView> = {}): AddressBookView {
  return { accountId: 'a1', id, name: id, isDefault: false, mayWrite: true, ...extra };
}

describe('ordering and lettering', () => {
  it('sorts by name ignoring case and accents, numbers naturally, falling back to organisation and address', () => {
    const sorted = sortContacts([
      card('1', 'zoë Adams'),
      card('2', 'Émile Roux'),
      card('3', 'anna Berg'),
      card('4', '', { emails: ['carl@example.com'] }),
      card('5', '', { organization: 'Bakery' }),
      card('6', 'Item 10'),
      card('7', 'Item 9'),
    ]);
    expect(sorted.map(listName)).toEqual(['anna Berg', 'Bakery', 'carl@example.com', 'Émile Roux', 'Item 9', 'Item 10', 'zoë Adams']);
  });

  it('files names under their first letter without accents, and everything else under #', () => {
    expect(letterOf('Émile')).toBe('E');
    expect(letterOf('  zoë')).toBe('Z');
    expect(letterOf('42 Club')).toBe('#');
    expect(letterOf('@home')).toBe('#');
    expect(letterOf('Ärzte')).toBe('A');
    expect(letterOf('Ωmega')).toBe('Ω');
  });

  it('marks the first row of each letter', () => {
    const rows = sortContacts([card('1', 'Ann'), card('2', 'Anton'), card('3', 'Bea'), card('4', '7 Seas')]);
    // Digits sort first, so "#" leads.
    expect(rows.map((r) => r.displayName)).toEqual(['7 Seas', 'Ann', 'Anton', 'Bea']);
    expect(rows.map((_, i) => startsLetter(rows, i))).toEqual([true, true, false, true]);
    expect(startsLetter(rows, 9)).toBe(false);
  });

  it('takes initials from the first and last word, or the part of an address before @', () => {
    expect(initialsOf('Ann van Berg')).toBe('AB');
    expect(initialsOf('madonna')).toBe('M');
    expect(initialsOf('jane.doe@example.com')).toBe('JD');
    expect(initialsOf('')).toBe('?');
    expect(initialsOf('(Team) 🎉')).toBe('T');
  });
});

describe('groups and selection', () => {
  const items = [card('1', 'Ann'), card('2', 'Bob'), card('3', 'Cy', { accountId: 'a2' }), card('g', 'Friends', { kind: 'group' })];

  it('keeps only a group’s members, and only from its own account', () => {
    expect(inGroup(items, 'a1', new Set(['1', '3'])).map((i) => i.id)).toEqual(['1']);
  });

  it('lists the groups a card is in', () => {
    const groups = new Map([
      ['a1/g', new Set(['1', '2'])],
      ['a1/h', new Set(['2'])],
      ['a2/g', new Set(['1'])],
    ]);
    expect(groupsContaining('a1', '1', groups)).toEqual(['a1/g']);
    expect(groupsContaining('a1', '2', groups)).toEqual(['a1/g', 'a1/h']);
  });

  it('groups keys by account and picks ranges in list order either way', () => {
    expect([...byAccount(['a1/1', 'a2/3', 'a1/2', 'bad'])]).toEqual([
      ['a1', ['1', '2']],
      ['a2', ['3']],
    ]);
    expect(rangeKeys(items, 'a1/1', 'a2/3')).toEqual(['a1/1', 'a1/2', 'a2/3']);
    expect(rangeKeys(items, 'a2/3', 'a1/1')).toEqual(['a1/1', 'a1/2', 'a2/3']);
    expect(rangeKeys(items, null, 'a1/2')).toEqual(['a1/2']);
    expect(contactKey({ accountId: 'x', id: 'y' })).toBe('x/y');
  });

  it('chooses the account’s default writable address book, else any writable one', () => {
    const books = [book('ro', { isDefault: true, mayWrite: false }), book('b1'), book('b2', { isDefault: true }), book('other', { accountId: 'a2' })];
    expect(defaultBook(books, 'a1')?.id).toBe('b2');
    expect(defaultBook(books, 'a2')?.id).toBe('other');
    expect(defaultBook(books, 'a3')?.id).toBe('b2');
    expect(defaultBook([book('ro', { mayWrite: false })], 'a1')).toBeNull();
  });
});

describe('drafts', () => {
  it('makes a card for a sender that the contract accepts', () => {
    const draft = draftFromSender('book', { name: '"Pal Person"', email: ' pal@example.com ' });
    expect(draft).toMatchObject({ fullName: 'Pal Person', given: 'Pal', surname: 'Person', emails: [{ value: 'pal@example.com', label: 'other' }] });
    expect(ContactDraft.safeParse(draft).success).toBe(true);
    expect(draftFromSender('book', { name: null, email: 'x@y.z' })).toMatchObject({ fullName: '', given: '', surname: '' });
    expect(splitName('Ann Marie  van Berg')).toEqual({ given: 'Ann Marie van', surname: 'Berg' });
  });

  it('drops blank rows, trims, and reports what must be fixed', () => {
    const draft = {
      ...emptyDraft('book'),
      given: '  Ann ',
      emails: [
        { value: ' ann@example.com ', label: 'work' as const },
        { value: '   ', label: 'home' as const },
        { value: 'not an address', label: 'home' as const },
      ],
      phones: [{ value: '', label: 'mobile' as const }, { value: ' +44 20 7946 0000 ', label: 'work' as const }],
      addresses: [{ street: ' ', locality: '', region: '', postcode: '', country: '', label: 'home' as const }],
      members: ['x'],
    };
    const { draft: clean, problems } = cleanDraft(draft);
    expect(clean.given).toBe('Ann');
    expect(clean.emails.map((e) => e.value)).toEqual(['ann@example.com', 'not an address']);
    expect(clean.phones).toEqual([{ value: '+44 20 7946 0000', label: 'work' }]);
    expect(clean.addresses).toEqual([]);
    expect(clean.members).toEqual([]);
    expect(problems).toEqual([{ field: 'email-1', message: '“not an address” is not an email address' }]);

    const fixed = cleanDraft({ ...draft, emails: draft.emails.slice(0, 1) });
    expect(fixed.problems).toEqual([]);
    expect(ContactDraft.safeParse(fixed.draft).success).toBe(true);
  });

  it('wants a name (or something to call the card by) and a group name', () => {
    expect(cleanDraft(emptyDraft('b')).problems.map((p) => p.field)).toEqual(['name']);
    expect(cleanDraft({ ...emptyDraft('b'), organization: 'Bakery' }).problems).toEqual([]);
    const group = cleanDraft({ ...emptyDraft('b', 'group'), members: ['1', '1', '2'] });
    expect(group.problems.map((p) => p.message)).toEqual(['A group needs a name']);
    expect(group.draft.members).toEqual(['1', '2']);
  });

  it('names a draft and writes addresses and recipients the way people read them', () => {
    expect(draftName({ ...emptyDraft('b'), given: 'Ann', surname: 'Berg' })).toBe('Ann Berg');
    expect(draftName({ ...emptyDraft('b'), fullName: 'Dr Ann Berg', given: 'Ann' })).toBe('Dr Ann Berg');
    expect(addressLines({ street: '1 High St', locality: 'Leeds', region: 'West Yorkshire', postcode: 'LS1 1AA', country: 'UK', label: 'home' })).toEqual([
      '1 High St',
      'LS1 1AA Leeds, West Yorkshire',
      'UK',
    ]);
    expect(recipient('Berg, Ann', 'ann@example.com')).toBe('"Berg, Ann" <ann@example.com>');
    expect(recipient('ann@example.com', 'ann@example.com')).toBe('ann@example.com');
    expect(recipient(null, 'ann@example.com')).toBe('ann@example.com');
  });
});

describe('photos and export', () => {
  it('scales down to fit, never up', () => {
    expect(fitWithin(1024, 768, 256)).toEqual({ width: 256, height: 192 });
    expect(fitWithin(300, 1200, 256)).toEqual({ width: 64, height: 256 });
    expect(fitWithin(100, 50, 256)).toEqual({ width: 100, height: 50 });
    expect(fitWithin(5000, 1, 256)).toEqual({ width: 256, height: 1 });
  });

  it('accepts only image data URIs within the contract’s limit', () => {
    expect(fitsPhotoLimit('data:image/jpeg;base64,AAAA')).toBe(true);
    expect(fitsPhotoLimit('data:image/gif;base64,AAAA')).toBe(false);
    expect(fitsPhotoLimit(`data:image/jpeg;base64,${'A'.repeat(350_000)}`)).toBe(false);
  });

  it('joins several accounts’ files into one and keeps a single account’s name', () => {
    expect(mergeExports([{ filename: 'work.vcf', vcf: 'X' }])).toEqual({ filename: 'work.vcf', vcf: 'X' });
    const merged = mergeExports([
      { filename: 'a.vcf', vcf: 'BEGIN:VCARD\r\nEND:VCARD\r\n' },
      { filename: 'b.vcf', vcf: '' },
      { filename: 'c.vcf', vcf: 'BEGIN:VCARD\nEND:VCARD\n\n' },
    ]);
    expect(merged).toEqual({ filename: 'contacts.vcf', vcf: 'BEGIN:VCARD\r\nEND:VCARD\r\nBEGIN:VCARD\nEND:VCARD\r\n' });
    expect(mergeExports([])).toEqual({ filename: 'contacts.vcf', vcf: '' });
  });
});
