import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ContactCard } from '../../electron/core/pim/model';
import { parseVCards, toVCard } from '../../electron/core/pim/vcard';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/pim/${name}`, import.meta.url), 'utf8');
const values = (v: unknown) => Object.values((v ?? {}) as Record<string, unknown>);

describe('reading an Apple-style vCard 3.0 address book', () => {
  const { cards, problems } = parseVCards(fixture('apple-3.0.vcf'));
  const ben = cards[0]!;
  const group = cards[1]!;

  it('reads both cards without problems', () => {
    expect(cards).toHaveLength(2);
    expect(problems).toEqual([]);
  });

  it('maps FN and N to the full name and ordered name components', () => {
    expect(ben.name).toEqual({
      full: 'Dr. Benjamin Karl Ott MBA',
      components: [
        { kind: 'title', value: 'Dr.' },
        { kind: 'given', value: 'Benjamin' },
        { kind: 'given2', value: 'Karl' },
        { kind: 'surname', value: 'Ott' },
        { kind: 'credential', value: 'MBA' },
      ],
    });
  });

  it('maps EMAIL types to contexts and TYPE=pref to pref 1', () => {
    expect(values(ben.emails)).toEqual([
      { address: 'ben@meridian.example', contexts: { work: true }, pref: 1 },
      { address: 'ben.ott@home.example', contexts: { private: true } },
      { address: 'ben@oldjob.example' },
    ]);
  });

  it('maps TEL types to features and contexts', () => {
    expect(values(ben.phones)).toEqual([
      { number: '+49 170 1234567', features: { mobile: true, voice: true }, pref: 1 },
      { number: '+49 30 9876543', features: { voice: true }, contexts: { work: true } },
      { number: '+49 30 9876544', features: { fax: true }, contexts: { work: true } },
    ]);
  });

  it('maps ADR fields to JSContact address components', () => {
    const [home, work] = values(ben.addresses) as Record<string, unknown>[];
    expect(home).toEqual({
      components: [
        { kind: 'name', value: 'Lindenstraße 12\nHinterhaus' },
        { kind: 'locality', value: 'Berlin' },
        { kind: 'postcode', value: '10969' },
        { kind: 'country', value: 'Germany' },
      ],
      contexts: { private: true },
      pref: 1,
    });
    expect(work?.components).toContainEqual({ kind: 'postOfficeBox', value: 'PO Box 55' });
    expect(work?.components).toContainEqual({ kind: 'apartment', value: 'Suite 4' });
  });

  it('maps ORG, TITLE, NOTE, NICKNAME, URL, IMPP and CATEGORIES', () => {
    expect(values(ben.organizations)).toEqual([{ name: 'Meridian Labs', units: [{ name: 'Platform' }, { name: 'Sync' }] }]);
    expect(values(ben.titles)).toEqual([{ name: 'Staff Engineer', kind: 'title' }]);
    expect(values(ben.notes)).toEqual([{ note: 'Met at the 2024 JMAP workshop.\nPrefers Signal, not SMS.' }]);
    expect(values(ben.nicknames)).toEqual([{ name: 'Ben' }]);
    expect(values(ben.links)).toEqual([{ uri: 'https://ben.example/', pref: 1 }]);
    expect(values(ben.onlineServices)).toEqual([{ uri: 'xmpp:ben@chat.example', service: 'Jabber', contexts: { private: true }, pref: 1 }]);
    expect(ben.keywords).toEqual({ Colleagues: true, JMAP: true });
  });

  it('reads a birthday stored without its year (X-APPLE-OMIT-YEAR) as a month and day', () => {
    expect(values(ben.anniversaries)).toEqual([{ kind: 'birth', date: { '@type': 'PartialDate', month: 7, day: 21 } }]);
  });

  it('turns the inline base64 PHOTO into a data: URI', () => {
    const [photo] = values(ben.media) as { kind: string; uri: string }[];
    expect(photo?.kind).toBe('photo');
    expect(photo?.uri).toMatch(/^data:image\/png;base64,iVBORw0KGgo[A-Za-z0-9+/=]+$/);
  });

  it('keeps UID and REV, and unknown properties in vCardProps', () => {
    expect(ben).toMatchObject({ uid: '5B1F2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D', id: '5B1F2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D', kind: 'individual', updated: '2026-02-14T10:30:00Z' });
    const names = (ben.vCardProps as unknown[][]).map((p) => p[0]);
    expect(names).toEqual(['x-ablabel', 'x-abadr', 'x-ablabel', 'x-socialprofile', 'x-abuid']);
  });

  it('reads an X-ADDRESSBOOKSERVER group as a group card whose members are the member UIDs', () => {
    expect(group).toMatchObject({ kind: 'group', name: { full: 'Engineers' } });
    expect(group.members).toEqual({ '5B1F2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D': true, '0A1B2C3D-0000-4000-8000-000000000002': true });
  });
});

describe('reading a vCard 4.0 file', () => {
  const { cards, problems } = parseVCards(fixture('contacts-4.0.vcf'));
  const sofia = cards[0]!;

  it('reads PREF parameters, tel: URIs and quoted TYPE lists', () => {
    expect(problems).toEqual([]);
    expect(values(sofia.emails)).toEqual([
      { address: 'sofia.garcia@uni.example', contexts: { work: true }, pref: 1 },
      { address: 'sofi@mail.example', contexts: { private: true } },
    ]);
    expect(values(sofia.phones)[0]).toEqual({ number: 'tel:+34-600-123-456', features: { mobile: true, voice: true }, pref: 1 });
  });

  it('keeps multiple credentials, the address label, role and title apart', () => {
    expect(sofia.name?.components?.filter((c) => c.kind === 'credential').map((c) => c.value)).toEqual(['PhD', 'FRS']);
    expect((values(sofia.addresses)[0] as { full: string }).full).toBe('Edificio B, despacho 2.14\nCalle Mayor 1\n28013 Madrid');
    expect(values(sofia.titles)).toEqual([
      { name: 'Professor of Distributed Systems', kind: 'title' },
      { name: 'Head of department', kind: 'role' },
    ]);
  });

  it('reads a full birthday and a year-less anniversary', () => {
    expect(values(sofia.anniversaries)).toEqual([
      { kind: 'birth', date: { '@type': 'PartialDate', year: 1979, month: 3, day: 15 } },
      { kind: 'wedding', date: { '@type': 'PartialDate', month: 6, day: 11 } },
    ]);
  });

  it('keeps the data: URI photo and the logo link as media', () => {
    expect(values(sofia.media)).toEqual([
      { kind: 'photo', uri: expect.stringMatching(/^data:image\/png;base64,/) },
      { kind: 'logo', uri: 'https://uni.example/logo.svg' },
    ]);
  });

  it('reads KIND:group with MEMBER URIs', () => {
    expect(cards[1]).toMatchObject({ kind: 'group', members: { 'urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1': true, 'mailto:guest@reading.example': true } });
  });

  it('gives a card without UID a urn:uuid one', () => {
    const { cards: [card] } = parseVCards('BEGIN:VCARD\r\nVERSION:4.0\r\nFN:No Id\r\nEND:VCARD\r\n');
    expect(card?.uid).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(card?.id).toBe(card?.uid);
  });
});

describe('round trip: import → export → import', () => {
  const roundTrip = (cards: ContactCard[], version: '3.0' | '4.0') => parseVCards(toVCard(cards, version));

  it('gives the same cards for vCard 3.0', () => {
    const first = parseVCards(fixture('apple-3.0.vcf'));
    const second = roundTrip(first.cards, '3.0');
    expect(second.cards).toEqual(first.cards);
    expect(second.problems).toEqual([]);
  });

  it('gives the same cards for vCard 4.0', () => {
    const first = parseVCards(fixture('contacts-4.0.vcf'));
    const second = roundTrip(first.cards, '4.0');
    expect(second.cards).toEqual(first.cards);
    expect(second.problems).toEqual([]);
  });

  it('writes 3.0 photos as ENCODING=b and 4.0 photos as unescaped data: URIs', () => {
    const apple = parseVCards(fixture('apple-3.0.vcf')).cards;
    expect(toVCard(apple, '3.0')).toContain('PHOTO;ENCODING=b;TYPE=PNG:iVBORw0KGgo');
    const v4 = toVCard(apple, '4.0');
    expect(v4).toContain('PHOTO:data:image/png;base64,iVBORw0KGgo');
    expect(v4).toMatch(/^BEGIN:VCARD\r\nVERSION:4\.0\r\n/);
  });

  it('keeps the essentials when a 3.0 card is written as 4.0', () => {
    const [ben] = parseVCards(fixture('apple-3.0.vcf')).cards;
    const [again] = parseVCards(toVCard([ben!], '4.0')).cards;
    for (const field of ['name', 'emails', 'phones', 'addresses', 'organizations', 'media', 'anniversaries', 'updated'] as const) {
      expect(again?.[field]).toEqual(ben?.[field]);
    }
  });

  it('writes a group as X-ADDRESSBOOKSERVER-KIND in 3.0 and KIND/MEMBER in 4.0', () => {
    const [, group] = parseVCards(fixture('apple-3.0.vcf')).cards;
    expect(toVCard([group!], '3.0')).toContain('X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:5B1F2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D');
    const v4 = toVCard([group!], '4.0');
    expect(v4).toContain('KIND:group');
    expect(v4).toContain('MEMBER:urn:uuid:5B1F2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D');
  });
});

describe('bad and hostile input', () => {
  it('rejects text that is not a vCard with a clear error', () => {
    expect(() => parseVCards('Name: Ben\nPhone: 123')).toThrow(/not a vCard file/);
  });

  it('rejects a malformed vCard with a clear error', () => {
    expect(() => parseVCards(fixture('malformed.vcf'))).toThrow(/not a vCard file: .*no token/);
    expect(() => parseVCards('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Half\r\n')).toThrow(/not a vCard file/);
  });

  it('drops a 10 MB photo with a problem entry, keeps the contact, and does so quickly', () => {
    const photo = Buffer.alloc(10 * 1024 * 1024, 0x5a).toString('base64').match(/.{1,74}/g)!.join('\r\n ');
    const text = `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Huge Photo\r\nN:Photo;Huge;;;\r\nEMAIL:huge@example.org\r\nPHOTO;ENCODING=b;TYPE=JPEG:${photo}\r\nEND:VCARD\r\n`;
    const t0 = Date.now();
    const { cards, problems } = parseVCards(text);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(cards[0]).toMatchObject({ name: { full: 'Huge Photo' }, emails: { e1: { address: 'huge@example.org' } } });
    expect(cards[0]?.media).toBeUndefined();
    expect(problems).toEqual([expect.stringMatching(/Huge Photo.*photo.*over 1 MB/)]);
  });

  it('says plainly that vCard 2.1 is not supported', () => {
    expect(() => parseVCards('BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;Jo\r\nTEL;CELL;VOICE:+1 555\r\nEND:VCARD\r\n')).toThrow(/vCard 2\.1 is not supported/);
  });

  it('reads a group with 50,000 members in linear time', () => {
    const members = Array.from({ length: 50_000 }, (_, i) => `MEMBER:urn:uuid:${i}`).join('\r\n');
    const t0 = Date.now();
    const { cards } = parseVCards(`BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Everyone\r\nKIND:group\r\n${members}\r\nEND:VCARD\r\n`);
    expect(Object.keys(cards[0]?.members ?? {})).toHaveLength(50_000);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('rejects a file over the size limit before parsing it', () => {
    expect(() => parseVCards(`BEGIN:VCARD\r\nNOTE:${'x'.repeat(17 * 1024 * 1024)}\r\nEND:VCARD\r\n`)).toThrow(/too large/);
  });

  it('keeps a BDAY it cannot read as a date verbatim, with a problem entry', () => {
    const { cards, problems } = parseVCards('BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Text Birthday\r\nBDAY;VALUE=text:circa 1800\r\nEND:VCARD\r\n');
    expect(cards[0]?.anniversaries).toBeUndefined();
    expect(cards[0]?.vCardProps).toEqual([['bday', { }, 'text', 'circa 1800']]);
    expect(problems).toHaveLength(1);
    expect(toVCard(cards, '4.0')).toContain('BDAY;VALUE=TEXT:circa 1800');
  });
});
