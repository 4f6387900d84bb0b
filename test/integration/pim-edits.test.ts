// Calendar and contacts edits through the whole core, against the real Cyrus: two clients on one
// account converge, edits made offline or interrupted by a crash reach the server exactly once,
// refused edits are rolled back, the server understands what the client wrote (read back over
// CalDAV/CardDAV with ical.js), and a quiet poll with calendars and contacts is one request.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView } from '../../shared/contract';
import type { ContactDraft, EventDraft } from '../../shared/pim-contract';
import { cyrusDir, cyrusEnv, freshUser, repoRoot } from '../support/cyrus';
import { startHarness, type Harness } from '../support/core-harness';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { basic } from '../support/jmap-raw';

const calendarsUsing = ['urn:ietf:params:jmap:core', 'https://cyrusimap.org/ns/jmap/calendars'];
const contactsUsing = ['urn:ietf:params:jmap:core', 'https://cyrusimap.org/ns/jmap/contacts'];
const range = { from: '2026-12-01T00:00:00Z', to: '2027-03-01T00:00:00Z' };

let user: string;
let proxy: FaultProxy;
/** A goes through the fault proxy; B talks to Cyrus directly. */
let a: { h: Harness; account: AccountView };
let b: { h: Harness; account: AccountView };

// Read once: other test runs may rewrite Cyrus' env file while this one runs.
const env = cyrusEnv();

/** A plain JMAP call as `who`, to set up and to check the server's truth. */
async function raw(who: string, using: string[], method: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await fetch(new URL('/jmap/', env.baseUrl), {
    method: 'POST',
    headers: { Authorization: basic(who, env.password), 'Content-Type': 'application/json' },
    body: JSON.stringify({ using, methodCalls: [[method, { accountId: who, ...args }, '0']] }),
  });
  const [[name, result]] = ((await res.json()) as { methodResponses: [string, Record<string, unknown>, string][] }).methodResponses as [[string, Record<string, unknown>, string]];
  if (name === 'error') throw new Error(JSON.stringify(result));
  return result;
}
const server = (using: string[], method: string, args: Record<string, unknown>) => raw(user, using, method, args);
const serverEvents = async () => (await server(calendarsUsing, 'CalendarEvent/get', { ids: null })).list as Record<string, unknown>[];
const serverContacts = async () => (await server(contactsUsing, 'Contact/get', { ids: null })).list as Record<string, unknown>[];

/** Sync passes until this client's outbox is empty, then one more so it also sees the result. */
async function settle(c: { h: Harness; account: AccountView }): Promise<void> {
  for (let i = 0; i < 6; i++) {
    const done = c.h.next('account.status', (p) => p.accountId === c.account.id, 20_000);
    await c.h.call('sync.now', { accountId: c.account.id });
    await done;
    const pending = (await c.h.call('outbox.list', {})).filter((o) => o.accountId === c.account.id && o.status === 'pending');
    if (!pending.length && i > 0) return;
  }
  throw new Error('the outbox did not empty');
}

const eventDraft = (over: Partial<EventDraft> = {}): EventDraft => ({
  calendarId: 'Default',
  title: 'Design review',
  description: 'Bring sketches',
  location: 'Room 4',
  start: '2026-12-07T10:00:00',
  timeZone: 'Europe/Berlin',
  duration: 'PT1H',
  allDay: false,
  recurrence: { frequency: 'weekly', interval: 1, byDay: [{ day: 'mo' }], count: 6 },
  participants: [],
  alerts: [{ minutesBefore: 15 }],
  status: 'confirmed',
  ...over,
});

const contactDraft = (over: Partial<ContactDraft> = {}): ContactDraft => ({
  addressBookId: 'Default',
  kind: 'individual',
  fullName: '',
  given: 'Katherine',
  surname: 'Johnson',
  emails: [{ value: 'katherine@nasa.example', label: 'work' }],
  phones: [{ value: '+1 555 0199', label: 'mobile' }],
  addresses: [{ street: '1 Langley Blvd', locality: 'Hampton', region: 'VA', postcode: '23681', country: 'USA', label: 'work' }],
  organization: 'NASA',
  title: 'Mathematician',
  notes: 'Orbital mechanics',
  photo: null,
  members: [],
  ...over,
});

async function titles(c: { h: Harness }): Promise<string[]> {
  return (await c.h.call('events.list', range)).map((o) => `${o.title}@${o.start}`).sort();
}

beforeAll(async () => {
  user = freshUser('pimedit');
  proxy = await startFaultProxy(env.baseUrl);
  const ha = await startHarness();
  const hb = await startHarness();
  a = { h: ha, account: await ha.addAccount({ email: user, secret: env.password, serverUrl: `${proxy.url}/jmap/` }) };
  b = { h: hb, account: await hb.addAccount({ email: user, secret: env.password, serverUrl: env.baseUrl }) };
  await settle(a);
  await settle(b);
}, 60_000);

afterAll(async () => {
  await a?.h.core.close();
  await b?.h.core.close();
  await proxy?.close();
});

describe('calendar edits', () => {
  let eventId: string;

  it('show at once as pending, reach the server, and reach the other client', async () => {
    const changed = a.h.next('calendars.changed', (p) => p.accountId === a.account.id);
    const saved = await a.h.call('events.save', { accountId: a.account.id, eventId: null, draft: eventDraft(), scope: 'series' });
    eventId = saved.eventId;
    await changed;
    const local = (await a.h.call('events.list', range)).filter((o) => o.eventId === eventId);
    expect(local).toHaveLength(6);
    expect(local.every((o) => o.pending && o.recurring && o.location === 'Room 4')).toBe(true);
    // 10:00 in Berlin in December is 09:00 UTC.
    expect(local[0]).toMatchObject({ start: '2026-12-07T09:00:00.000Z', end: '2026-12-07T10:00:00.000Z', timeZone: 'Europe/Berlin' });

    await settle(a);
    expect((await a.h.call('events.get', { accountId: a.account.id, eventId })).pending).toBe(false);
    const onServer = (await serverEvents()).find((e) => e.title === 'Design review')!;
    expect(onServer).toMatchObject({ '@type': 'jsevent', calendarId: 'Default', start: '2026-12-07T10:00:00', timeZone: 'Europe/Berlin', recurrenceRule: { frequency: 'weekly', count: 6 } });
    expect(onServer).not.toHaveProperty('recurrenceRules');

    await settle(b);
    expect(await titles(b)).toEqual(await titles(a));
  });

  it('edit the series, one occurrence, and delete one occurrence from both clients, and converge', async () => {
    const detail = await b.h.call('events.get', { accountId: b.account.id, eventId });
    expect(detail.draft).toMatchObject({ title: 'Design review', location: 'Room 4', alerts: [{ minutesBefore: 15 }], recurrence: { frequency: 'weekly', count: 6 } });
    await b.h.call('events.save', { accountId: b.account.id, eventId, draft: { ...detail.draft, title: 'Design crit' }, scope: 'series' });
    await a.h.call('events.reschedule', { accountId: a.account.id, eventId, scope: { recurrenceId: '2026-12-14T10:00:00' }, start: '2026-12-14T15:00:00', duration: 'PT30M' });
    await a.h.call('events.delete', { accountId: a.account.id, eventId, scope: { recurrenceId: '2026-12-21T10:00:00' } });
    await settle(b);
    await settle(a);
    await settle(b);

    const seen = await titles(a);
    expect(seen).toEqual(await titles(b));
    expect(seen).toHaveLength(5);
    expect(seen).toContain('Design crit@2026-12-14T14:00:00.000Z');
    expect(seen.some((t) => t.includes('2026-12-21'))).toBe(false);
    const onServer = (await serverEvents()).find((e) => e.id === eventId)!;
    expect(onServer.title).toBe('Design crit');
    expect(onServer.recurrenceOverrides).toMatchObject({ '2026-12-21T10:00:00': { excluded: true }, '2026-12-14T10:00:00': { start: '2026-12-14T15:00:00', duration: 'PT30M' } });
    expect((await a.h.call('events.get', { accountId: a.account.id, eventId })).excluded).toEqual(['2026-12-21T10:00:00']);
  });

  it('keep the properties the editor does not know', async () => {
    const made = await server(calendarsUsing, 'CalendarEvent/set', {
      create: {
        x: {
          '@type': 'jsevent', calendarId: 'Default', title: 'Board dinner', start: '2027-01-12T19:00:00', timeZone: 'Europe/Lisbon', duration: 'PT3H',
          keywords: { board: true }, priority: 2, color: 'purple', privacy: 'private', freeBusyStatus: 'free', locale: 'pt-PT',
          locations: { home: { '@type': 'Location', name: 'Cervejaria', description: 'Upstairs room' } },
        },
      },
    });
    const id = (made.created as Record<string, { id: string }>).x!.id;
    await settle(a);
    const detail = await a.h.call('events.get', { accountId: a.account.id, eventId: id });
    await a.h.call('events.save', { accountId: a.account.id, eventId: id, draft: { ...detail.draft, title: 'Board dinner (moved)', start: '2027-01-13T19:00:00' }, scope: 'series' });
    await settle(a);
    const after = (await serverEvents()).find((e) => e.id === id)!;
    expect(after).toMatchObject({
      title: 'Board dinner (moved)', start: '2027-01-13T19:00:00', keywords: { board: true }, priority: 2, color: 'purple', privacy: 'private', freeBusyStatus: 'free', locale: 'pt-PT',
      locations: { home: { name: 'Cervejaria', description: 'Upstairs room' } },
    });
  });

  it('are understood by the server: read back over CalDAV with ical.js', async () => {
    const detail = await a.h.call('events.get', { accountId: a.account.id, eventId });
    const ics = await davObject(`/dav/calendars/user/${user}/Default/`, detail.uid);
    const vevent = new ICAL.Component(ICAL.parse(ics)).getAllSubcomponents('vevent').find((c) => !c.hasProperty('recurrence-id'))!;
    expect(vevent.getFirstPropertyValue('summary')).toBe('Design crit');
    const dtstart = vevent.getFirstProperty('dtstart')!;
    expect(dtstart.getParameter('tzid')).toBe('Europe/Berlin');
    expect(String(dtstart.getFirstValue())).toBe('2026-12-07T10:00:00');
    const rrule = vevent.getFirstPropertyValue('rrule') as ICAL.Recur;
    expect(rrule.freq).toBe('WEEKLY');
    expect(rrule.count).toBe(6);
    expect(vevent.getFirstPropertyValue('location')).toBe('Room 4');
    expect(vevent.getAllSubcomponents('valarm')).toHaveLength(1);
  });

  it('with guests make the user the organizer, as the server requires', async () => {
    const saved = await a.h.call('events.save', {
      accountId: a.account.id, eventId: null, scope: 'series',
      draft: eventDraft({ title: 'Launch party', recurrence: null, start: '2027-02-20T18:00:00', participants: [{ name: 'Guest', email: 'guest@other.example', role: 'attendee', status: 'needs-action' }] }),
    });
    await settle(a);
    const onServer = (await serverEvents()).find((e) => e.title === 'Launch party')!;
    expect(onServer.replyTo).toEqual({ imip: `mailto:${user}` });
    const people = Object.values(onServer.participants as Record<string, { email: string; roles: Record<string, boolean> }>);
    expect(people.map((p) => [p.email, !!p.roles.owner]).sort()).toEqual([['guest@other.example', false], [user, true]]);
    const detail = await a.h.call('events.get', { accountId: a.account.id, eventId: saved.eventId });
    expect(detail.draft.participants.map((p) => [p.email, p.role])).toEqual(expect.arrayContaining([[user, 'owner'], ['guest@other.example', 'attendee']]));
  });

  it('hide a calendar everywhere when it is set invisible, and show it again', async () => {
    const visible = async () => (await a.h.call('events.list', range)).some((o) => o.calendarId === 'Default');
    expect(await visible()).toBe(true);
    await a.h.call('calendars.setVisible', { accountId: a.account.id, calendarId: 'Default', visible: false });
    expect(await visible()).toBe(false);
    await settle(a);
    const calendars = (await server(calendarsUsing, 'Calendar/get', { ids: ['Default'] })).list as { isVisible: boolean }[];
    expect(calendars[0]!.isVisible).toBe(false);
    await settle(b);
    expect((await b.h.call('calendars.list', {})).find((c) => c.id === 'Default')).toMatchObject({ isVisible: false, mayWrite: true });
    await b.h.call('calendars.setVisible', { accountId: b.account.id, calendarId: 'Default', visible: true });
    await settle(b);
    await settle(a);
    expect(await visible()).toBe(true);
  });

  it('raise a reminder when an alert comes due', async () => {
    const start = new Date(Math.ceil(Date.now() / 1000) * 1000 + 5 * 60_000);
    const reminder = a.h.next('calendar.reminder', (p) => p.title === 'Call the printer', 10_000);
    await a.h.call('events.save', {
      accountId: a.account.id, eventId: null, scope: 'series',
      draft: eventDraft({ title: 'Call the printer', recurrence: null, start: start.toISOString().slice(0, 19), timeZone: 'UTC', duration: 'PT30M', location: 'Phone', alerts: [{ minutesBefore: 10 }] }),
    });
    const due = await reminder;
    expect(due).toMatchObject({ accountId: a.account.id, allDay: false, location: 'Phone' });
    expect(Date.parse(due.start)).toBe(start.getTime());
  });

  it('that the server refuses are rolled back and reported', async () => {
    const made = await server(calendarsUsing, 'CalendarEvent/set', { create: { x: { '@type': 'jsevent', calendarId: 'Default', title: 'Doomed', start: '2027-01-20T09:00:00', timeZone: 'UTC', duration: 'PT1H' } } });
    const id = (made.created as Record<string, { id: string }>).x!.id;
    await settle(a);
    await server(calendarsUsing, 'CalendarEvent/set', { destroy: [id] });
    const detail = await a.h.call('events.get', { accountId: a.account.id, eventId: id });
    const failed = a.h.next('outbox.failed', (p) => p.accountId === a.account.id);
    await a.h.call('events.save', { accountId: a.account.id, eventId: id, draft: { ...detail.draft, title: 'Doomed (edited)' }, scope: 'series' });
    expect((await titles(a)).some((t) => t.startsWith('Doomed (edited)'))).toBe(true);
    await a.h.call('sync.now', { accountId: a.account.id });
    expect((await failed).message).toMatch(/could not save the event "Doomed \(edited\)": it no longer exists/);
    await settle(a);
    expect((await titles(a)).some((t) => t.startsWith('Doomed'))).toBe(false);
  });
});

describe('contacts edits', () => {
  let contactId: string;

  it('create a contact and a group on two clients and converge', async () => {
    const saved = await a.h.call('contacts.save', { accountId: a.account.id, contactId: null, draft: contactDraft() });
    contactId = saved.contactId;
    expect((await a.h.call('contacts.list', { query: 'nasa' })).map((c) => [c.displayName, c.pending])).toEqual([['Katherine Johnson', true]]);
    await settle(a);
    await settle(b);
    const onB = await b.h.call('contacts.get', { accountId: b.account.id, contactId });
    expect(onB.draft).toMatchObject({ given: 'Katherine', surname: 'Johnson', organization: 'NASA', title: 'Mathematician', notes: 'Orbital mechanics', emails: [{ value: 'katherine@nasa.example', label: 'work' }], phones: [{ value: '+1 555 0199', label: 'mobile' }] });
    expect(onB.draft.addresses).toEqual([{ street: '1 Langley Blvd', locality: 'Hampton', region: 'VA', postcode: '23681', country: 'USA', label: 'work' }]);

    const group = await b.h.call('contacts.save', { accountId: b.account.id, contactId: null, draft: contactDraft({ kind: 'group', fullName: 'Computers', given: '', surname: '', emails: [], phones: [], addresses: [], organization: '', title: '', notes: '', members: [contactId] }) });
    await a.h.call('contacts.save', { accountId: a.account.id, contactId, draft: { ...onB.draft, emails: [...onB.draft.emails, { value: 'kj@home.example', label: 'home' }] } });
    await settle(b);
    await settle(a);
    await settle(b);
    expect((await a.h.call('outbox.list', {})).filter((o) => o.status === 'failed' && o.error?.includes('contact'))).toEqual([]);
    const listA = await a.h.call('contacts.list', { query: '' });
    const listB = await b.h.call('contacts.list', { query: '' });
    const shape = (l: typeof listA) => l.map(({ id, displayName, emails, memberCount, kind }) => ({ id, displayName, emails, memberCount, kind }));
    expect(shape(listA)).toEqual(shape(listB));
    expect(shape(listA)).toEqual([
      { id: group.contactId, displayName: 'Computers', emails: [], memberCount: 1, kind: 'group' },
      { id: contactId, displayName: 'Katherine Johnson', emails: ['katherine@nasa.example', 'kj@home.example'], memberCount: 0, kind: 'individual' },
    ]);
    expect((await a.h.call('contacts.get', { accountId: a.account.id, contactId: group.contactId })).draft.members).toEqual([contactId]);
    expect(await a.h.call('contacts.findByEmail', { email: 'KJ@home.example' })).toMatchObject({ id: contactId });
    const groups = (await server(contactsUsing, 'ContactGroup/get', { ids: null })).list as Record<string, unknown>[];
    expect(groups).toMatchObject([{ name: 'Computers', contactIds: [contactId] }]);
  });

  it('are understood by the server: read back over CardDAV with ical.js', async () => {
    const vcf = await davObject(`/dav/addressbooks/user/${user}/Default/`, contactId);
    const card = new ICAL.Component(ICAL.parse(vcf));
    expect(card.getFirstPropertyValue('fn')).toBe('Katherine Johnson');
    expect(card.getAllProperties('email').map((p) => p.getFirstValue()).sort()).toEqual(['katherine@nasa.example', 'kj@home.example']);
    expect(card.getFirstPropertyValue('org')).toContain('NASA');
  });

  it('keep the fields the editor does not know', async () => {
    const made = await server(contactsUsing, 'Contact/set', {
      create: { x: { firstName: 'Grace', lastName: 'Hopper', prefix: 'Rear Admiral', nickname: 'Amazing Grace', birthday: '1906-12-09', online: [{ type: 'uri', value: 'https://navy.example/grace', label: null }], emails: [{ type: 'work', value: 'grace@navy.example', isDefault: true }] } },
    });
    const id = (made.created as Record<string, { id: string }>).x!.id;
    await settle(a);
    const detail = await a.h.call('contacts.get', { accountId: a.account.id, contactId: id });
    await a.h.call('contacts.save', { accountId: a.account.id, contactId: id, draft: { ...detail.draft, phones: [{ value: '+1 555 0100', label: 'work' }] } });
    await settle(a);
    const after = (await serverContacts()).find((c) => c.id === id)!;
    expect(after).toMatchObject({ firstName: 'Grace', lastName: 'Hopper', prefix: 'Rear Admiral', nickname: 'Amazing Grace', birthday: '1906-12-09', online: [{ value: 'https://navy.example/grace' }], phones: [{ type: 'work', value: '+1 555 0100' }], emails: [{ value: 'grace@navy.example' }] });
  });

  it('keep a photo: uploaded to the server as the avatar, shown on the other client and over CardDAV', async () => {
    // A 2×2 PNG, as the editor would send it (a data: URI).
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR42mP8z8DAwMDAxMDAwMDAAAAhBQEBl2B8XQAAAABJRU5ErkJggg==';
    const saved = await a.h.call('contacts.save', { accountId: a.account.id, contactId: null, draft: contactDraft({ given: 'Mary', surname: 'Jackson', emails: [{ value: 'mary@nasa.example', label: 'work' }], photo: `data:image/png;base64,${png}` }) });
    await settle(a);
    await settle(b);
    const onB = await b.h.call('contacts.get', { accountId: b.account.id, contactId: saved.contactId });
    expect(onB.draft.photo).toBe(`data:image/png;base64,${png}`);
    const onServer = (await serverContacts()).find((c) => c.id === saved.contactId)!;
    expect(onServer.avatar).toMatchObject({ type: 'image/png', size: Buffer.from(png, 'base64').length });
    const vcf = await davObject(`/dav/addressbooks/user/${user}/Default/`, saved.contactId);
    expect(new ICAL.Component(ICAL.parse(vcf)).getFirstProperty('photo')).not.toBeNull();

    // Removing it on one client removes it everywhere.
    await b.h.call('contacts.save', { accountId: b.account.id, contactId: saved.contactId, draft: { ...onB.draft, photo: null } });
    await settle(b);
    await settle(a);
    expect((await a.h.call('contacts.get', { accountId: a.account.id, contactId: saved.contactId })).draft.photo).toBeNull();
    expect((await serverContacts()).find((c) => c.id === saved.contactId)!.avatar ?? null).toBeNull();
  });

  it('delete on one client and the other follows', async () => {
    await b.h.call('contacts.delete', { accountId: b.account.id, contactId });
    expect((await b.h.call('contacts.list', { query: 'katherine' })).length).toBe(0);
    await settle(b);
    await settle(a);
    expect((await a.h.call('contacts.list', { query: 'katherine' })).length).toBe(0);
    expect((await serverContacts()).some((c) => c.id === contactId)).toBe(false);
  });
});

describe('files', () => {
  it('an .ics file is imported into a calendar, reaches the server, and exports back', async () => {
    const ics = [
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Test//EN',
      'BEGIN:VEVENT', 'UID:import-1@test.example', 'DTSTAMP:20261101T000000Z', 'DTSTART;TZID=America/New_York:20270210T140000', 'DTEND;TZID=America/New_York:20270210T150000', 'SUMMARY:Imported call', 'RRULE:FREQ=DAILY;COUNT=3', 'END:VEVENT',
      'BEGIN:VEVENT', 'UID:import-2@test.example', 'DTSTAMP:20261101T000000Z', 'DTSTART;VALUE=DATE:20270214', 'DTEND;VALUE=DATE:20270215', 'SUMMARY:Imported holiday', 'END:VEVENT',
      'END:VCALENDAR', '',
    ].join('\r\n');
    expect(await a.h.call('events.import', { accountId: a.account.id, calendarId: 'Default', ics })).toEqual({ imported: 2, problems: [] });
    await settle(a);
    const onServer = (await serverEvents()).filter((e) => String(e.uid).startsWith('import-'));
    expect(onServer.map((e) => [e.title, e.timeZone, e.showWithoutTime]).sort()).toEqual([['Imported call', 'America/New_York', false], ['Imported holiday', null, true]]);
    const listed = (await a.h.call('events.list', range)).filter((o) => o.title.startsWith('Imported'));
    expect(listed.map((o) => o.start)).toEqual(['2027-02-10T19:00:00.000Z', '2027-02-11T19:00:00.000Z', '2027-02-12T19:00:00.000Z', '2027-02-14T00:00:00.000Z']);
    // Importing the same file again updates instead of doubling.
    await a.h.call('events.import', { accountId: a.account.id, calendarId: 'Default', ics });
    await settle(a);
    expect((await serverEvents()).filter((e) => String(e.uid).startsWith('import-'))).toHaveLength(2);

    const exported = await a.h.call('events.export', { accountId: a.account.id, eventIds: listed.map((o) => o.eventId) });
    const vevents = new ICAL.Component(ICAL.parse(exported.ics)).getAllSubcomponents('vevent');
    expect(vevents.map((v) => v.getFirstPropertyValue('summary')).sort()).toEqual(['Imported call', 'Imported holiday']);
  });

  it('a .vcf file is imported into the address book and exports back', async () => {
    const vcf = ['BEGIN:VCARD', 'VERSION:3.0', 'FN:Mae Jemison', 'N:Jemison;Mae;;;', 'EMAIL;TYPE=work:mae@space.example', 'ORG:NASA', 'END:VCARD', 'BEGIN:VCARD', 'VERSION:4.0', 'FN:Sally Ride', 'EMAIL:sally@space.example', 'END:VCARD', ''].join('\r\n');
    expect(await a.h.call('contacts.import', { accountId: a.account.id, addressBookId: 'Default', vcf })).toMatchObject({ imported: 2 });
    await settle(a);
    expect((await serverContacts()).filter((c) => String(c.emails && JSON.stringify(c.emails)).includes('space.example')).map((c) => `${c.firstName} ${c.lastName}`).sort()).toEqual(['Mae Jemison', 'Sally Ride']);
    const ids = (await a.h.call('contacts.list', { query: 'space.example' })).map((c) => c.id);
    expect(ids).toHaveLength(2);
    const exported = await a.h.call('contacts.export', { accountId: a.account.id, contactIds: ids, version: '3.0' });
    expect(exported.vcf).toMatch(/FN:Mae Jemison/);
    expect(exported.vcf).toMatch(/VERSION:3.0/);
  });

  it('a file that is not a calendar or contacts file is refused with a clear error', async () => {
    const bad = async (p: Promise<unknown>) => p.then(() => 'accepted', (e: Error) => e.message);
    expect(await bad(a.h.call('events.import', { accountId: a.account.id, calendarId: 'Default', ics: 'BEGIN:VCARD\r\nFN:x\r\nEND:VCARD' }))).toMatch(/^invalid-params: This is not a calendar file/);
    expect(await bad(a.h.call('events.import', { accountId: a.account.id, calendarId: 'Default', ics: 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage' }))).toMatch(/^invalid-params/);
    expect(await bad(a.h.call('contacts.import', { accountId: a.account.id, addressBookId: 'Default', vcf: '\u0000\u0001 not a card' }))).toMatch(/^invalid-params: This is not a contacts file/);
  });
});

describe('durability', () => {
  it('an edit made offline is sent once the server is back', async () => {
    proxy.set('refuse');
    const saved = await a.h.call('events.save', { accountId: a.account.id, eventId: null, draft: eventDraft({ title: 'Offline standup', recurrence: null, start: '2027-01-05T09:00:00' }), scope: 'series' });
    const offline = a.h.next('account.status', (p) => p.accountId === a.account.id && p.status.state === 'offline');
    await a.h.call('sync.now', { accountId: a.account.id });
    await offline;
    expect((await a.h.call('events.get', { accountId: a.account.id, eventId: saved.eventId })).pending).toBe(true);
    expect((await serverEvents()).some((e) => e.title === 'Offline standup')).toBe(false);
    proxy.set('pass');
    await settle(a);
    expect((await serverEvents()).filter((e) => e.title === 'Offline standup')).toHaveLength(1);
    expect((await a.h.call('events.get', { accountId: a.account.id, eventId: saved.eventId })).pending).toBe(false);
  });

  it('a create the server applied but whose answer was lost is not made twice', async () => {
    let cut = false;
    proxy.setPicker((req) => {
      // The first request after the edit is its /set: let the server apply it, lose the answer.
      if (!cut && req.method === 'POST') return (cut = true), 'truncate';
      return 'pass';
    });
    await a.h.call('contacts.save', { accountId: a.account.id, contactId: null, draft: contactDraft({ given: 'Dorothy', surname: 'Vaughan', emails: [{ value: 'dorothy@nasa.example', label: 'work' }] }) });
    await settle(a).catch(() => undefined);
    proxy.set('pass');
    await settle(a);
    expect((await serverContacts()).filter((c) => c.lastName === 'Vaughan')).toHaveLength(1);
    expect((await a.h.call('contacts.list', { query: 'vaughan' })).map((c) => c.pending)).toEqual([false]);
  });

  it('a crash between queueing and sending loses nothing', async () => {
    const crashUser = freshUser('pimcrash');
    const dataDir = mkdtempSync(join(tmpdir(), 'pim-crash-'));
    const workerEnv = { DATA_DIR: dataDir, PASSWORD: env.password, SERVER_URL: `${proxy.url}/jmap/`, EMAIL: crashUser, PAGE_SIZE: '50' };
    proxy.set('pass');
    await runWorker(workerEnv, 'DONE');
    // The server is unreachable while the edit is queued, so the kill lands before any send.
    proxy.set('refuse');
    const actions = [['events.save', { eventId: null, draft: eventDraft({ title: 'Survives a crash', recurrence: null }), scope: 'series' }]];
    await runWorker({ ...workerEnv, ACTIONS: JSON.stringify(actions) }, 'QUEUED');
    const db = new Database(join(dataDir, 'mail.db'), { readonly: true });
    expect(db.prepare("SELECT count(*) FROM outbox WHERE kind = 'pim.create' AND status = 'pending'").pluck().get()).toBe(1);
    expect(db.prepare("SELECT count(*) FROM calendar_event WHERE title = 'Survives a crash'").pluck().get()).toBe(1);
    db.close();
    proxy.set('pass');
    await runWorker(workerEnv, 'DONE');
    const got = (await raw(crashUser, calendarsUsing, 'CalendarEvent/get', { ids: null })) as { list: { title: string }[] };
    expect(got.list.filter((e) => e.title === 'Survives a crash')).toHaveLength(1);
    const after = new Database(join(dataDir, 'mail.db'), { readonly: true });
    expect(after.prepare("SELECT count(*) FROM outbox WHERE kind LIKE 'pim.%'").pluck().get()).toBe(0);
    after.close();

    // Now crash it again and again while it replays five creates: each lands exactly once.
    proxy.set('refuse');
    const titlesQueued = [1, 2, 3, 4, 5].map((i) => `Crash loop ${i}`);
    const more = titlesQueued.map((title, i) => ['events.save', { eventId: null, draft: eventDraft({ title, recurrence: null, start: `2027-03-0${i + 1}T09:00:00` }), scope: 'series' }]);
    await runWorker({ ...workerEnv, ACTIONS: JSON.stringify(more) }, 'QUEUED');
    proxy.set('pass');
    let seed = 11;
    for (let k = 0; k < 8; k++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      await runWorker(workerEnv, 'READY', 100 + (seed % 300));
    }
    await runWorker(workerEnv, 'DONE');
    const landed = (await raw(crashUser, calendarsUsing, 'CalendarEvent/get', { ids: null })) as { list: { title: string }[] };
    expect(landed.list.map((e) => e.title).filter((t) => t.startsWith('Crash loop')).sort()).toEqual(titlesQueued);
  }, 180_000);
});

describe('invitations', () => {
  const organizer = `boss-${Math.random().toString(36).slice(2, 8)}@other.example`;
  const inviteEmailId = async (subject: string) => {
    await settle(a);
    const items = (await a.h.call('emails.list', { accountId: a.account.id, role: 'inbox', limit: 50 })).items;
    const hit = items.find((e) => e.subject === subject);
    if (!hit) throw new Error(`no "${subject}" in the inbox`);
    return hit.id;
  };

  it('are read from the message, with conflicts, and answered in the calendar without mail unless asked', async () => {
    await a.h.call('events.save', { accountId: a.account.id, eventId: null, draft: eventDraft({ title: 'Dentist', recurrence: null, start: '2027-01-18T10:30:00', alerts: [] }), scope: 'series' });
    await deliverInvitation(user, organizer, 'Quarterly planning', 'qp-1@other.example', '20270118T100000');
    const emailId = await inviteEmailId('Invitation: Quarterly planning');

    const view = (await a.h.call('invitations.get', { accountId: a.account.id, emailId }))!;
    expect(view).toMatchObject({
      method: 'REQUEST', uid: 'qp-1@other.example', title: 'Quarterly planning', state: 'new', eventId: null, myStatus: 'needs-action',
      organizer: { name: 'The Boss', email: organizer }, start: '2027-01-18T09:00:00.000Z', end: '2027-01-18T11:00:00.000Z', timeZone: 'Europe/Berlin', location: 'Board room',
    });
    expect(view.attendees.map((p) => p.email).sort()).toEqual([organizer, user].sort());
    expect(view.conflicts).toEqual([{ title: 'Dentist', start: '2027-01-18T09:30:00.000Z', end: '2027-01-18T10:30:00.000Z' }]);
    // Cyrus mails the organizer by itself when an answer is saved (RFC 6638 implicit scheduling): the user is told.
    expect(view.problems).toEqual(expect.arrayContaining([expect.stringMatching(/tells the organizer your answer by itself/)]));

    const sentBefore = clientMailTo(organizer);
    const answered = await a.h.call('invitations.respond', { accountId: a.account.id, emailId, status: 'accepted', sendReply: false });
    expect((await a.h.call('outbox.list', {})).some((o) => o.kind === 'send')).toBe(false);
    const occurrence = (await a.h.call('events.list', range)).find((o) => o.title === 'Quarterly planning')!;
    expect(occurrence).toMatchObject({ eventId: answered.eventId, myStatus: 'accepted', pending: true });
    await settle(a);
    const after = (await a.h.call('invitations.get', { accountId: a.account.id, emailId }))!;
    expect(after).toMatchObject({ state: 'known', myStatus: 'accepted' });
    expect(after.eventId).not.toBeNull();
    const stored = (await serverEvents()).find((e) => e.uid === 'qp-1@other.example')!;
    expect(Object.values(stored.participants as Record<string, { email?: string; participationStatus?: string }>).find((p) => p.email === user)?.participationStatus).toBe('accepted');
    expect(clientMailTo(organizer)).toBe(sentBefore);
  });

  it('mail a METHOD:REPLY to the organizer when asked', async () => {
    await deliverInvitation(user, organizer, 'Offsite', 'offsite-1@other.example', '20270125T090000');
    const emailId = await inviteEmailId('Invitation: Offsite');
    const before = clientMailTo(organizer);
    await a.h.call('invitations.respond', { accountId: a.account.id, emailId, status: 'declined', sendReply: true });
    expect((await a.h.call('outbox.list', {})).filter((o) => o.kind === 'send')).toHaveLength(1);
    await settle(a);
    const sent = readClientMailTo(organizer).slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/Subject: Declined: Offsite/);
    const ics = decodeCalendarPart(sent[0]!);
    const reply = new ICAL.Component(ICAL.parse(ics));
    expect(reply.getFirstPropertyValue('method')).toBe('REPLY');
    const attendee = reply.getFirstSubcomponent('vevent')!.getFirstProperty('attendee')!;
    expect(String(attendee.getFirstValue()).toLowerCase()).toBe(`mailto:${user}`);
    expect(attendee.getParameter('partstat')).toBe('DECLINED');
    const occurrence = (await a.h.call('events.list', range)).find((o) => o.title === 'Offsite')!;
    expect(occurrence.myStatus).toBe('declined');
  });
});

describe('polling', () => {
  it('a quiet pass with calendars and contacts is one request', async () => {
    await settle(a);
    let posts = 0;
    proxy.setPicker((req) => {
      if (req.method === 'POST') posts++;
      return 'pass';
    });
    const done = a.h.next('account.status', (p) => p.accountId === a.account.id);
    await a.h.call('sync.now', { accountId: a.account.id });
    await done;
    proxy.set('pass');
    expect(posts).toBe(1);
  });

  it('a change made elsewhere arrives in that same one request', async () => {
    await server(calendarsUsing, 'CalendarEvent/set', { create: { x: { '@type': 'jsevent', calendarId: 'Default', title: 'From elsewhere', start: '2027-02-01T12:00:00', timeZone: 'UTC', duration: 'PT1H' } } });
    let posts = 0;
    proxy.setPicker((req) => {
      if (req.method === 'POST') posts++;
      return 'pass';
    });
    const changed = a.h.next('calendars.changed', (p) => p.accountId === a.account.id);
    const done = a.h.next('account.status', (p) => p.accountId === a.account.id);
    await a.h.call('sync.now', { accountId: a.account.id });
    await Promise.all([changed, done]);
    proxy.set('pass');
    expect(posts).toBe(1);
    expect((await titles(a)).some((t) => t.startsWith('From elsewhere@'))).toBe(true);
  });
});

/** Imports an iMIP invitation (text/calendar; method=REQUEST) from `from` into the user's inbox. */
async function deliverInvitation(to: string, from: string, title: string, uid: string, start: string): Promise<void> {
  const ics = [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Other Corp//Planner//EN', 'METHOD:REQUEST',
    'BEGIN:VEVENT', `UID:${uid}`, 'SEQUENCE:0', 'DTSTAMP:20261120T120000Z', `DTSTART;TZID=Europe/Berlin:${start}`, 'DURATION:PT2H',
    `SUMMARY:${title}`, 'LOCATION:Board room', `ORGANIZER;CN=The Boss:mailto:${from}`,
    `ATTENDEE;CN=The Boss;ROLE=CHAIR;PARTSTAT=ACCEPTED:mailto:${from}`,
    `ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:${to}`,
    'END:VEVENT', 'END:VCALENDAR', '',
  ].join('\r\n');
  const message = [
    `From: The Boss <${from}>`, `To: ${to}`, `Subject: Invitation: ${title}`, `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${uid}-${Date.now()}@other.example>`, 'MIME-Version: 1.0', 'Content-Type: multipart/alternative; boundary="b1"', '',
    '--b1', 'Content-Type: text/plain; charset=utf-8', '', `You are invited to ${title}.`, '',
    '--b1', 'Content-Type: text/calendar; charset=utf-8; method=REQUEST', 'Content-Transfer-Encoding: 8bit', '', ics, '--b1--', '',
  ].join('\r\n');
  const upload = await fetch(new URL(`/jmap/upload/${to}/`, env.baseUrl), { method: 'POST', headers: { Authorization: basic(to, env.password), 'Content-Type': 'message/rfc822' }, body: message });
  const { blobId } = (await upload.json()) as { blobId: string };
  const inbox = ((await raw(to, ['urn:ietf:params:jmap:core', 'urn:ietf:params:jmap:mail'], 'Mailbox/get', { ids: null })).list as { id: string; role: string | null }[]).find((m) => m.role === 'inbox')!;
  const imported = await raw(to, ['urn:ietf:params:jmap:core', 'urn:ietf:params:jmap:mail'], 'Email/import', { emails: { m: { blobId, mailboxIds: { [inbox.id]: true }, keywords: {}, receivedAt: new Date().toISOString() } } });
  expect(Object.keys((imported.created ?? {}) as object)).toEqual(['m']);
}

/** Messages the client (not Cyrus' own scheduling, which marks its mail auto-generated) sent to this address, from the sendmail sink. */
function readClientMailTo(address: string): string[] {
  const dir = join(cyrusDir, 'outbox');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.envelope') && readFileSync(join(dir, f), 'utf8').includes(`RCPT TO:<${address}>`))
    .sort()
    .map((f) => readFileSync(join(dir, f.replace(/\.envelope$/, '.eml')), 'utf8'))
    .filter((eml) => !/^Auto-Submitted: auto-generated/im.test(eml));
}
const clientMailTo = (address: string) => readClientMailTo(address).length;

/** The text/calendar attachment of a raw message (base64 or 8bit). */
function decodeCalendarPart(eml: string): string {
  const part = eml.split(/\r?\n--/).find((p) => /Content-Type: text\/calendar/i.test(p));
  if (!part) throw new Error('no calendar part');
  const [head, ...body] = part.split(/\r?\n\r?\n/);
  const text = body.join('\n\n');
  return /Content-Transfer-Encoding: base64/i.test(head!) ? Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8') : text;
}

/** The object with this uid in a CalDAV/CardDAV collection, found with a PROPFIND. */
async function davObject(collection: string, uid: string): Promise<string> {
  const auth = { Authorization: basic(user, env.password) };
  const res = await fetch(new URL(collection, env.baseUrl), { method: 'PROPFIND', headers: { ...auth, Depth: '1', 'Content-Type': 'application/xml' }, body: '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>' });
  expect(res.status).toBe(207);
  const hrefs = [...(await res.text()).matchAll(/<D:href>([^<]+)<\/D:href>/g)].map((m) => m[1]!).filter((h) => h !== collection);
  for (const href of hrefs) {
    const text = await (await fetch(new URL(href, env.baseUrl), { headers: auth })).text();
    if (text.includes(`UID:${uid}`) || text.includes(`UID:urn:uuid:${uid}`)) return text;
  }
  throw new Error(`no object with uid ${uid} among ${hrefs.length} in ${collection}`);
}

/**
 * Runs the core in a child process until it prints `until`; then it is SIGKILLed (a crash), at
 * once for QUEUED or after `killAfterMs`, or left to finish.
 */
async function runWorker(vars: Record<string, string>, until: string, killAfterMs?: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'test/support/sync-worker.ts')], { cwd: repoRoot, env: { ...process.env, ...vars }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (c: string) => lines.push(c.trim()));
  const reached = await new Promise<boolean>((resolve) => {
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      lines.push(c.trim());
      if (c.split('\n').some((l) => l.startsWith(until))) resolve(true);
    });
    child.on('exit', () => resolve(false));
  });
  if (killAfterMs !== undefined) await new Promise((r) => setTimeout(r, killAfterMs));
  if (until === 'QUEUED' || killAfterMs !== undefined) child.kill('SIGKILL');
  await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.on('exit', r)));
  expect(reached, lines.join('\n')).toBe(true);
}
